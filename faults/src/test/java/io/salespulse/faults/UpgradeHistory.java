package io.salespulse.faults;

import io.salespulse.contract.AlertIds;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The small fixed history behind the checked-in savepoints (pipeline/src/test/resources/savepoints/): what
 * was written before a savepoint was taken, and what the restored job must conclude. Times are {@code t0} plus a
 * number of {@code unit}s, and the SLAs are counted in units too (contact 48, needs 72, the team policy's needs 24).
 * monitor-v1 used hours from 2026-01-05T01:00Z with the default SLAs. Later savepoints say their t0 and unit in
 * {@code history.properties}: since the jobs' clock is arrival time, which follows the wall clock once Kafka is read
 * to the end, a writer starts the history 60 units before it runs (the timers still pending are due later), with a
 * unit short enough that every one of them is due soon after (10 s: within 40 minutes).
 */
final class UpgradeHistory {
    static final long V1_T0 = Instant.parse("2026-01-05T01:00:00Z").toEpochMilli();
    static final Duration V1_UNIT = Duration.ofHours(1);
    static final String PROPERTIES = "history.properties";
    static final String RUN = "upgrade";

    final long t0;
    final Duration unit;
    private final long u;

    UpgradeHistory(long t0, Duration unit) {
        this.t0 = t0;
        this.unit = unit;
        this.u = unit.toMillis();
    }

    /** The history of a checked-in savepoint. */
    static UpgradeHistory of(Path savepoint) throws IOException {
        Path file = savepoint.resolve(PROPERTIES);
        if (!Files.exists(file)) {
            return new UpgradeHistory(V1_T0, V1_UNIT);
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return new UpgradeHistory(Instant.parse(p.getProperty("t0")).toEpochMilli(), Duration.parse(p.getProperty("unit")));
    }

    /** What {@link #of} reads back. */
    String properties() {
        return "# the history's start and time unit (UpgradeHistory)\nt0=" + Instant.ofEpochMilli(t0) + "\nunit=" + unit
                + "\n";
    }

    /** The job settings of both runs (same transactional ids): the default SLAs in hours, or counted in units. */
    PipelineConfig config(TestStack stack) {
        if (unit.equals(V1_UNIT)) {
            return stack.config(RUN, Map.of());
        }
        return stack.config(RUN, Map.of(Setting.SLA_CONTACT, units(48), Setting.SLA_NEEDS, units(72),
                Setting.SLA_PROPOSAL, units(120), Setting.SLA_OBJECTION, units(72), Setting.SLA_CLOSING, units(168)));
    }

    private String units(int n) {
        return unit.multipliedBy(n).toMillis() + "ms";
    }

    /** A team policy: needs cards in hz-east are due after 24 units (job default 72). Sent before any card. */
    void policy(History h) {
        h.send("sales.policies", "weijiang/hz-east/t-9", t0, "{\"version\":1,\"updated_at\":\"" + History.iso(t0)
                + "\",\"updated_by\":\"u-chen\",\"sla\":{\"needs\":\"" + units(24) + "\"}}");
    }

    void cards(History h, String bootstrap) {
        // Won: its state is gone before the savepoint.
        card(h, "u-won", "contact", t0, "");
        card(h, "u-won", "needs", t0 + u, "\"need\":\"货架\"");
        card(h, "u-won", "closing", t0 + 2 * u, "\"outcome\":\"won\",\"deal_value\":5000.0");
        // Overdue before the savepoint (contact due t0 + 48 units): alerted once, never again.
        card(h, "u-early", "contact", t0, "");
        // Pending in the savepoint, each with a different piece of state.
        card(h, "u-high", "needs", t0 + 50 * u, "\"need\":\"低糖烘焙\",\"high_potential\":true,\"deal_value\":12000.0");
        card(h, "u-objection", "objection", t0 + 55 * u, "\"objection_tag\":\"price_high\",\"script_id\":\"kb-price-01\"");
        card(h, "u-closing", "closing", t0 + 58 * u, "\"outcome\":\"pending\",\"deal_value\":30000.0");
        cardIn(h, "u-policy", "needs", t0 + 59 * u, "\"need\":\"团购\"", "hz-east", "t-9");
        // The newest card, copied (same event id: a harmless duplicate) onto every partition of every input
        // topic with a visit and an ack, so that every partition has read up to t0 + 60 units (monitor-v1 was written
        // when this held the clock there; since arrival time, the wall clock takes over once all is read).
        String clock = cardJson("u-clock", "contact", t0 + 60 * u, "", "hz-west", "t-3");
        String visit = "{\"event_id\":\"v-u-clock\",\"tenant\":\"weijiang\",\"occurred_at\":\"" + History.iso(t0 + 60 * u)
                + "\",\"rep_id\":\"r-017\",\"customer_id\":\"u-clock\",\"store_id\":\"s-12\",\"region\":\"hz-west\","
                + "\"team\":\"t-3\",\"channel\":\"store_scan\",\"lat\":30.27,\"lon\":120.15}";
        String ack = "{\"event_id\":\"a-u-clock\",\"tenant\":\"weijiang\",\"occurred_at\":\"" + History.iso(t0 + 60 * u)
                + "\",\"alert_id\":\"" + earlyAlert() + "\",\"responder\":\"u-chen\",\"action\":\"ack\"}";
        h.flush();
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 3; partition++) {
                producer.send(new ProducerRecord<>("sales.stages", partition, t0 + 60 * u, "u-clock", clock));
                producer.send(new ProducerRecord<>("sales.visits", partition, t0 + 60 * u, "u-clock", visit));
                producer.send(new ProducerRecord<>("sales.acks", partition, t0 + 60 * u, earlyAlert(), ack));
            }
        }
    }

    /** Fired before the savepoint. */
    String earlyAlert() {
        return id("u-early", "contact", t0 + 48 * u);
    }

    /** Pending in the savepoint: they fire after the restore, each exactly once. */
    List<String> pendingAlerts() {
        return List.of(
                id("u-high", "needs", t0 + 50 * u + 72 * u),
                id("u-objection", "objection", t0 + 55 * u + 72 * u),
                id("u-closing", "closing", t0 + 58 * u + 168 * u),
                id("u-policy", "needs", t0 + 59 * u + 24 * u),
                id("u-clock", "contact", t0 + 60 * u + 48 * u));
    }

    private String id(String customer, String stage, long due) {
        return AlertIds.stageOverdue("weijiang", customer, stage, Instant.ofEpochMilli(due));
    }

    private void card(History h, String customer, String stage, long at, String extra) {
        cardIn(h, customer, stage, at, extra, "hz-west", "t-3");
    }

    private void cardIn(History h, String customer, String stage, long at, String extra, String region,
            String team) {
        h.send("sales.stages", customer, at, cardJson(customer, stage, at, extra, region, team));
    }

    private String cardJson(String customer, String stage, long at, String extra, String region, String team) {
        return "{\"event_id\":\"s-" + customer + "-" + stage + "\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"" + History.iso(at) + "\",\"customer_id\":\"" + customer + "\",\"rep_id\":\"r-017\","
                + "\"region\":\"" + region + "\",\"team\":\"" + team + "\",\"stage\":\"" + stage + "\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }
}

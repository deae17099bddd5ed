package io.salespulse.faults;

import io.salespulse.contract.AlertIds;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The small fixed history behind the checked-in savepoint (pipeline/src/test/resources/savepoints/): what
 * was written before the savepoint was taken, and what the restored job must conclude. Absolute times in
 * January 2026, so every timer still pending in the savepoint is long due whenever the test runs.
 */
final class UpgradeHistory {
    private static final long H = 3_600_000L;
    static final long T0 = Instant.parse("2026-01-05T01:00:00Z").toEpochMilli();
    static final String RUN = "upgrade";

    private UpgradeHistory() {}

    /** The job settings of both runs (same transactional ids). */
    static PipelineConfig config(TestStack stack) {
        return stack.config(RUN, Map.of());
    }

    /** A team policy: needs cards in hz-east are due after 24 h (job default 72 h). Sent before any card. */
    static void policy(History h) {
        h.send("sales.policies", "weijiang/hz-east/t-9", T0, "{\"version\":1,\"updated_at\":\"" + History.iso(T0)
                + "\",\"updated_by\":\"u-chen\",\"sla\":{\"needs\":\"24h\"}}");
    }

    static void cards(History h, String bootstrap) {
        // Won: its state is gone before the savepoint.
        card(h, "u-won", "contact", T0, "");
        card(h, "u-won", "needs", T0 + H, "\"need\":\"货架\"");
        card(h, "u-won", "closing", T0 + 2 * H, "\"outcome\":\"won\",\"deal_value\":5000.0");
        // Overdue before the savepoint (contact due T0 + 48 h): alerted once, never again.
        card(h, "u-early", "contact", T0, "");
        // Pending in the savepoint, each with a different piece of state.
        card(h, "u-high", "needs", T0 + 50 * H, "\"need\":\"低糖烘焙\",\"high_potential\":true,\"deal_value\":12000.0");
        card(h, "u-objection", "objection", T0 + 55 * H, "\"objection_tag\":\"price_high\",\"script_id\":\"kb-price-01\"");
        card(h, "u-closing", "closing", T0 + 58 * H, "\"outcome\":\"pending\",\"deal_value\":30000.0");
        cardIn(h, "u-policy", "needs", T0 + 59 * H, "\"need\":\"团购\"", "hz-east", "t-9");
        // The newest card, copied (same event id: a harmless duplicate) onto every partition of every input
        // topic with a visit and an ack, so that each partition's watermark, and the job's, stands at
        // T0 + 60 h - 1 s in the savepoint without the wall clock taking over.
        String clock = cardJson("u-clock", "contact", T0 + 60 * H, "", "hz-west", "t-3");
        String visit = "{\"event_id\":\"v-u-clock\",\"tenant\":\"weijiang\",\"occurred_at\":\"" + History.iso(T0 + 60 * H)
                + "\",\"rep_id\":\"r-017\",\"customer_id\":\"u-clock\",\"store_id\":\"s-12\",\"region\":\"hz-west\","
                + "\"team\":\"t-3\",\"channel\":\"store_scan\",\"lat\":30.27,\"lon\":120.15}";
        String ack = "{\"event_id\":\"a-u-clock\",\"tenant\":\"weijiang\",\"occurred_at\":\"" + History.iso(T0 + 60 * H)
                + "\",\"alert_id\":\"" + earlyAlert() + "\",\"responder\":\"u-chen\",\"action\":\"ack\"}";
        h.flush();
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 3; partition++) {
                producer.send(new ProducerRecord<>("sales.stages", partition, T0 + 60 * H, "u-clock", clock));
                producer.send(new ProducerRecord<>("sales.visits", partition, T0 + 60 * H, "u-clock", visit));
                producer.send(new ProducerRecord<>("sales.acks", partition, T0 + 60 * H, earlyAlert(), ack));
            }
        }
    }

    /** Fired before the savepoint. */
    static String earlyAlert() {
        return id("u-early", "contact", T0 + 48 * H);
    }

    /** Pending in the savepoint: they fire after the restore, each exactly once. */
    static List<String> pendingAlerts() {
        return List.of(
                id("u-high", "needs", T0 + 50 * H + 72 * H),
                id("u-objection", "objection", T0 + 55 * H + 72 * H),
                id("u-closing", "closing", T0 + 58 * H + 168 * H),
                id("u-policy", "needs", T0 + 59 * H + 24 * H),
                id("u-clock", "contact", T0 + 60 * H + 48 * H));
    }

    private static String id(String customer, String stage, long due) {
        return AlertIds.stageOverdue("weijiang", customer, stage, Instant.ofEpochMilli(due));
    }

    private static void card(History h, String customer, String stage, long at, String extra) {
        cardIn(h, customer, stage, at, extra, "hz-west", "t-3");
    }

    private static void cardIn(History h, String customer, String stage, long at, String extra, String region,
            String team) {
        h.send("sales.stages", customer, at, cardJson(customer, stage, at, extra, region, team));
    }

    private static String cardJson(String customer, String stage, long at, String extra, String region, String team) {
        return "{\"event_id\":\"s-" + customer + "-" + stage + "\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"" + History.iso(at) + "\",\"customer_id\":\"" + customer + "\",\"rep_id\":\"r-017\","
                + "\"region\":\"" + region + "\",\"team\":\"" + team + "\",\"stage\":\"" + stage + "\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }
}

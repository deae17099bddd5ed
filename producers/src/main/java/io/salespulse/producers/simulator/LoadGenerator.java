package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Topics;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The raw load mode: {@code events} valid events over {@code customers} customers, for benchmarks. No
 * realism beyond the contract: each customer cycles check-in, contact, needs, proposal, objection, closing;
 * event {@code i} belongs to customer {@code i % customers} and happened {@code events - 1 - i} seconds
 * before {@code end}. Deterministic and random-access ({@link #event(long)} depends on {@code i} and the
 * settings only), so nothing is held in memory however large {@code events} is.
 */
public final class LoadGenerator {
    private static final String[] REGIONS = {"hz-west", "hz-east", "hz-north", "hz-south"};
    private static final ObjectionTag[] TAGS = ObjectionTag.values();

    /** One generated record. */
    public record LoadEvent(String topic, String key, byte[] value, long timestampMillis) {}

    /** What a load run sent. */
    public record LoadSummary(long events, long stageCards, long visits, int customers) {
        @Override
        public String toString() {
            return "sent " + events + " events (" + stageCards + " stage cards, " + visits + " visits) over " + customers
                    + " customers";
        }
    }

    private final String tenant;
    private final long events;
    private final int customers;
    private final long seed;
    private final Instant end;
    private final String run;

    public LoadGenerator(String tenant, long events, int customers, long seed, Instant end) {
        if (events < 1) {
            throw new IllegalArgumentException("load: the number of events must be at least 1, got " + events);
        }
        if (customers < 1) {
            throw new IllegalArgumentException("load: the number of customers must be at least 1, got " + customers);
        }
        this.tenant = tenant;
        this.events = events;
        this.customers = customers;
        this.seed = seed;
        this.end = end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        this.run = String.format("%08x", (tenant + "|" + events + "|" + customers + "|" + seed + "|" + this.end).hashCode());
    }

    public long events() {
        return events;
    }

    /** Sends every event in order, then flushes. */
    public LoadSummary run(EventSink sink, SimulationProgress progress) throws Exception {
        long cards = 0;
        for (long i = 0; i < events; i++) {
            LoadEvent e = event(i);
            if (e.topic().equals(Topics.STAGES)) {
                cards++;
            }
            sink.send(e.topic(), e.key(), e.value(), e.timestampMillis());
            progress.sent(i + 1, events);
        }
        sink.flush();
        return new LoadSummary(events, cards, events - cards, (int) Math.min(customers, events));
    }

    /** Event number {@code i} (0-based). */
    public LoadEvent event(long i) {
        int c = (int) (i % customers);
        long step = i / customers;
        SplittableRandom rnd = new SplittableRandom(mix(seed * 31 + i));
        Instant at = end.minusSeconds(events - 1 - i);
        String customerId = String.format("c-%07d", c + 1);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("tenant", tenant);
        n.put("occurred_at", EventJson.time(at));
        String region = REGIONS[c % REGIONS.length];
        String rep = String.format("r-%03d", c % 37 + 1);
        String team = "t-" + (c % 8 + 1);
        int phase = (int) (step % 6);
        if (phase == 0) {
            n.put("event_id", String.format("lv-%s-%d", run, i));
            n.put("rep_id", rep);
            n.put("customer_id", customerId);
            n.put("region", region);
            n.put("team", team);
            n.put("channel", "store_scan");
            n.put("lat", 30.27 + rnd.nextDouble() * 0.01);
            n.put("lon", 120.15 + rnd.nextDouble() * 0.01);
            return new LoadEvent(Topics.VISITS, customerId, Json.bytes(n), at.toEpochMilli());
        }
        n.put("event_id", String.format("ls-%s-%d", run, i));
        n.put("customer_id", customerId);
        n.put("rep_id", rep);
        n.put("region", region);
        n.put("team", team);
        switch (phase) {
            case 1 -> n.put("stage", "contact");
            case 2 -> {
                n.put("stage", "needs");
                n.put("need", "shelf-space");
            }
            case 3 -> {
                n.put("stage", "proposal");
                n.put("proposal", "sku-lowsugar-01");
            }
            case 4 -> {
                ObjectionTag tag = TAGS[rnd.nextInt(TAGS.length)];
                n.put("stage", "objection");
                n.put("objection_tag", tag.code());
                n.put("script_id", "kb-" + tag.code());
            }
            default -> {
                n.put("stage", "closing");
                n.put("outcome", rnd.nextBoolean() ? "won" : "lost");
            }
        }
        n.put("high_potential", c % 5 == 0);
        return new LoadEvent(Topics.STAGES, customerId, Json.bytes(n), at.toEpochMilli());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

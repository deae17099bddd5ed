package io.salespulse.faults;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.testing.History;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Generated malformed records, each kind a way real input goes wrong: truncated JSON, wrong types, huge
 * strings and records, invalid UTF-8, deep nesting, timestamps years off, devices whose clock is ahead,
 * SQL fragments and quotes in otherwise broken records, not-an-object, empty, unknown values, numbers
 * out of range. Deterministic for a seed. {@code kafkaTimestamp} is the record's timestamp; timestamps
 * are judged against it.
 */
final class PoisonRecords {
    static final String[] KINDS = {"truncated", "wrong_type", "huge_field", "huge_record", "invalid_utf8",
        "deep_nesting", "year_1970", "year_1999", "year_2099", "clock_ahead", "sql_in_broken", "not_object", "empty",
        "unknown_value", "out_of_range", "missing_field"};

    record Poison(String kind, String topic, String key, byte[] value) {}

    private final Random random;
    private int n;

    PoisonRecords(long seed) {
        this.random = new Random(seed);
    }

    Poison next(long kafkaTimestamp) {
        String kind = KINDS[n % KINDS.length];
        String customer = "p-" + (n++);
        ObjectNode card = card(customer, kafkaTimestamp);
        byte[] value;
        String topic = "sales.stages";
        switch (kind) {
            case "truncated" -> {
                byte[] full = bytes(card);
                int cut = 1 + random.nextInt(full.length - 1);
                value = java.util.Arrays.copyOf(full, cut);
            }
            case "wrong_type" -> {
                switch (random.nextInt(4)) {
                    case 0 -> card.put("high_potential", "yes");
                    case 1 -> card.put("customer_id", 42);
                    case 2 -> card.put("deal_value", "一万");
                    default -> card.putArray("rep_id").add("r-1");
                }
                value = bytes(card);
            }
            case "huge_field" -> {
                card.put("stage", "needs");
                card.put("need", "长".repeat(2_001 + random.nextInt(10_000)));
                value = bytes(card);
            }
            case "huge_record" -> {
                card.put("stage", "needs");
                card.put("need", "x");
                card.put("padding", "y".repeat(64 * 1024 + random.nextInt(8 * 1024)));
                value = bytes(card);
            }
            case "invalid_utf8" -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                byte[] full = bytes(card);
                int at = full.length / 2;
                b.write(full, 0, at);
                b.write(0xC3);
                b.write(0x28);
                b.write(0xFF);
                b.write(full, at, full.length - at);
                value = b.toByteArray();
            }
            case "deep_nesting" -> {
                int depth = 2_000 + random.nextInt(20_000);
                value = ("{\"event_id\":\"e-" + customer + "\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case "year_1970" -> value = bytes(card.put("occurred_at", "1970-01-01T08:00:00+08:00"));
            case "year_1999" -> value = bytes(card.put("occurred_at", "1999-12-31T23:59:59+08:00"));
            case "year_2099" -> value = bytes(card.put("occurred_at", "2099-06-01T09:00:00+08:00"));
            case "clock_ahead" -> value = bytes(card.put("occurred_at",
                    History.iso(kafkaTimestamp + 3_600_000L + 60_000L + random.nextInt(86_400_000))));
            case "sql_in_broken" -> {
                card.put("customer_id", "c-'); DROP TABLE salespulse.alerts; --");
                card.put("stage", "proposal'; SELECT 1; --");
                value = bytes(card);
            }
            case "not_object" -> value = new String[] {"[1,2,3]", "\"card\"", "null", "42", "true"}[random.nextInt(5)]
                    .getBytes(StandardCharsets.UTF_8);
            case "empty" -> value = new byte[0];
            case "unknown_value" -> {
                if (random.nextBoolean()) {
                    value = bytes(card.put("stage", "negotiation"));
                } else {
                    topic = "sales.visits";
                    value = bytes(visit(customer, kafkaTimestamp).put("channel", "fax"));
                }
            }
            case "out_of_range" -> {
                topic = "sales.visits";
                value = bytes(visit(customer, kafkaTimestamp).put("lat", 91.5 + random.nextInt(100)));
            }
            default -> {
                card.remove(new String[] {"tenant", "occurred_at", "rep_id", "event_id"}[random.nextInt(4)]);
                value = bytes(card);
            }
        }
        return new Poison(kind, topic, kind.equals("missing_field") && random.nextBoolean() ? null : customer, value);
    }

    private static ObjectNode card(String customer, long at) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("event_id", "e-" + customer);
        c.put("tenant", "weijiang");
        c.put("occurred_at", History.iso(at));
        c.put("customer_id", customer);
        c.put("rep_id", "r-017");
        c.put("region", "hz-west");
        c.put("team", "t-3");
        c.put("stage", "contact");
        return c;
    }

    private static ObjectNode visit(String customer, long at) {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("event_id", "v-" + customer);
        v.put("tenant", "weijiang");
        v.put("occurred_at", History.iso(at));
        v.put("rep_id", "r-017");
        v.put("customer_id", customer);
        v.put("region", "hz-west");
        v.put("team", "t-3");
        v.put("channel", "store_scan");
        v.put("lat", 30.27);
        v.put("lon", 120.15);
        return v;
    }

    static byte[] bytes(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}

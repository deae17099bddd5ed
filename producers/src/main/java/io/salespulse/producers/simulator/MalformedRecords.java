package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Broken variants of a valid record, the kinds a field app and flaky networks really produce. Each one
 * must end in the dead-letter topic and change no customer's state.
 */
final class MalformedRecords {

    /** A malformed record to send right after its valid original; {@code key} may be null. */
    record Malformed(String topic, String key, byte[] value, String kind) {}

    private static final String[] STAGE_KINDS = {"not_json", "truncated", "missing_customer_id",
        "missing_occurred_at", "unknown_stage", "bad_timestamp", "wrong_type", "objection_without_tag"};
    private static final String[] VISIT_KINDS = {"not_json", "truncated", "missing_customer_id",
        "missing_occurred_at", "bad_timestamp"};

    private MalformedRecords() {}

    /**
     * @param original the valid event's JSON (not modified)
     * @param eventId a fresh event id, so the broken record never shadows the valid one on de-duplication
     */
    static Malformed of(String topic, String key, ObjectNode original, String eventId, SplittableRandom rnd) {
        String[] kinds = topic.equals(Topics.STAGES) ? STAGE_KINDS : VISIT_KINDS;
        String kind = kinds[rnd.nextInt(kinds.length)];
        ObjectNode n = original.deepCopy();
        n.put("event_id", eventId);
        switch (kind) {
            case "not_json" -> {
                String text = rnd.nextBoolean() ? "<html><body>502 Bad Gateway</body></html>" : "customer_id=" + key
                        + "&stage=contact&ts=" + n.get("occurred_at").asText();
                return new Malformed(topic, key, text.getBytes(StandardCharsets.UTF_8), kind);
            }
            case "truncated" -> {
                byte[] full = EventJson.bytes(n);
                byte[] cut = java.util.Arrays.copyOf(full, full.length / 2 + rnd.nextInt(full.length / 3));
                return new Malformed(topic, key, cut, kind);
            }
            case "missing_customer_id" -> {
                n.remove("customer_id");
                return new Malformed(topic, null, EventJson.bytes(n), kind); // keyed by the field it lacks
            }
            case "missing_occurred_at" -> n.remove("occurred_at");
            case "unknown_stage" -> n.put("stage", "negotiation");
            case "bad_timestamp" -> n.put("occurred_at", "2026-13-45T99:00");
            case "wrong_type" -> n.put("high_potential", "yes");
            case "objection_without_tag" -> {
                n.put("stage", "objection");
                n.remove("need");
                n.remove("proposal");
                n.remove("outcome");
                n.remove("objection_tag");
                n.putNull("script_id");
            }
            default -> throw new IllegalStateException(kind);
        }
        return new Malformed(topic, key, EventJson.bytes(n), kind);
    }
}

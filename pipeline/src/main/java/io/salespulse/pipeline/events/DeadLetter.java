package io.salespulse.pipeline.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.time.Instant;

/**
 * A rejected input record with its origin and the reason: goes to {@code sales.dlq} and the
 * {@code dead_letters} table. Keyed by topic/partition/offset, so a replay never doubles it.
 */
public class DeadLetter {
    public String topic;
    public int partition;
    public long offset;
    /** The record key as text, or null. */
    public String key;
    /** The original value: UTF-8 text, or base64 when the bytes are not valid UTF-8 (see {@link #rawEncoding}). */
    public String raw;
    /** {@code utf8} or {@code base64}. */
    public String rawEncoding;
    /** Stable reason category: not_json, missing_field, bad_timestamp, unknown_value, wrong_type, ... */
    public String errorCode;
    /** What is wrong, for a person. */
    public String error;
    /** The tenant when it could be read, else empty. */
    public String tenant;
    /** Kafka record timestamp (ms). */
    public long receivedAt;

    public DeadLetter() {}

    /** The {@code sales.dlq} record value. */
    public byte[] toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("topic", topic);
        n.put("partition", partition);
        n.put("offset", offset);
        n.put("key", key);
        n.put("raw", raw);
        n.put("raw_encoding", rawEncoding);
        n.put("error_code", errorCode);
        n.put("error", error);
        n.put("tenant", tenant);
        n.put("received_at", Instant.ofEpochMilli(receivedAt).toString());
        return Json.bytes(n);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + topic + "/" + partition + "@" + offset + " " + errorCode + ": " + error + "}";
    }
}

package io.salespulse.pipeline.policy;

/**
 * One record of {@code sales.policies} as read, not yet validated (the detector validates it, so that the
 * decision "valid, newer than the current version" is taken in one place with the current policies at
 * hand). A Flink POJO: public fields, no-arg constructor.
 */
public class PolicyUpdate {
    /** The record key: the scope. Null when the record had none. */
    public String scope;
    /** The record value; null for a tombstone (the scope is removed). */
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp (ms): when the policy was published. */
    public long publishedAt;

    public PolicyUpdate() {}

    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public String toString() {
        return "PolicyUpdate{" + scope + " " + topic + "/" + partition + "@" + offset + (value == null ? " tombstone" : "")
                + "}";
    }
}

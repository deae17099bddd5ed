package io.salespulse.producers.simulator;

/**
 * Where the simulator writes its records. Production uses {@link KafkaEventSink}; tests and dry runs
 * use {@link InMemoryEventSink}. The caller owns the sink and closes it.
 */
public interface EventSink extends AutoCloseable {

    /**
     * Sends one record. {@code key} may be null (a malformed record that lost its customer id);
     * {@code timestampMillis} is when the record reaches the system (its arrival): the event's
     * {@code occurred_at} unless field traffic is simulated (offline queues, app retries).
     */
    void send(String topic, String key, byte[] value, long timestampMillis) throws Exception;

    /** Blocks until every record sent so far is acknowledged. */
    default void flush() throws Exception {}

    @Override
    default void close() throws Exception {}
}

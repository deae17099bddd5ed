package io.salespulse.producers.simulator;

import java.time.Instant;

/**
 * Where the simulator writes its records. Production uses {@link KafkaEventSink} or {@link GatewayEventSink};
 * tests and dry runs use {@link InMemoryEventSink}. The caller owns the sink and closes it.
 *
 * <p>A run that sends its history as an import session ({@link HistoryMode#IMPORT_SESSION}) opens the session with
 * {@link #openImport}, sends the history's records with {@link #sendReceivedNow}, and completes the session with
 * {@link #completeImport} once {@link #flush} has returned.
 */
public interface EventSink extends AutoCloseable {

    /**
     * Sends one record. {@code key} may be null (a malformed record that lost its customer id);
     * {@code timestampMillis} is when the record reaches the system (its arrival): the event's
     * {@code occurred_at} unless field traffic is simulated (offline queues, app retries).
     */
    void send(String topic, String key, byte[] value, long timestampMillis) throws Exception;

    /**
     * Sends one record of a history import, stamped with the moment it is actually sent (the gateway stamps what it
     * receives likewise): an imported record reaches the system when it is sent. {@code arrivalMillis} is its
     * arrival in the simulated history; a pacing sink waits by it ({@link SimulationSpeed}).
     */
    default void sendReceivedNow(String topic, String key, byte[] value, long arrivalMillis) throws Exception {
        send(topic, key, value, System.currentTimeMillis());
    }

    /**
     * Opens the import session {@code importId} of {@code tenant} and keeps it open (renewed) until
     * {@link #completeImport}; returns when the session was opened.
     */
    default Instant openImport(String tenant, String importId, String description) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot announce an import session");
    }

    /**
     * Completes the session with the counts of its records, after every record sent so far was acknowledged
     * ({@link #flush}); returns when the completion was written (the instant from which the jobs decide the import).
     */
    default Instant completeImport(String tenant, String importId, long cards, long visits, long acks)
            throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot announce an import session");
    }

    /** Blocks until every record sent so far is acknowledged. */
    default void flush() throws Exception {}

    @Override
    default void close() throws Exception {}
}

package io.salespulse.producers.simulator;

import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Keeps every record in memory, in send order: for tests and dry runs. Import sessions are kept as the records the
 * Kafka sink writes to {@code sales.imports} (open, then complete), in order with the rest.
 */
public final class InMemoryEventSink implements EventSink {

    /** One sent record; {@code key} may be null. */
    public record SentRecord(String topic, String key, byte[] value, long timestampMillis) {
        public String valueAsText() {
            return new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SentRecord r && topic.equals(r.topic) && java.util.Objects.equals(key, r.key)
                    && Arrays.equals(value, r.value) && timestampMillis == r.timestampMillis;
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hash(topic, key, timestampMillis) + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return topic + " [" + key + "] @" + timestampMillis + " " + valueAsText();
        }
    }

    private final List<SentRecord> records = new ArrayList<>();

    @Override
    public void send(String topic, String key, byte[] value, long timestampMillis) {
        records.add(new SentRecord(topic, key, value.clone(), timestampMillis));
    }

    @Override
    public Instant openImport(String tenant, String importId, String description) {
        long now = System.currentTimeMillis();
        return session(new ImportSession(tenant, importId, ImportSession.Status.OPEN,
                now + KafkaEventSink.DEFAULT_IMPORT_TIMEOUT.toMillis(), 0, 0, 0, description, 0), now);
    }

    @Override
    public Instant completeImport(String tenant, String importId, long cards, long visits, long acks) {
        long now = System.currentTimeMillis();
        return session(new ImportSession(tenant, importId, ImportSession.Status.COMPLETE, now, cards, visits, acks,
                null, 0), now);
    }

    private Instant session(ImportSession s, long now) {
        records.add(new SentRecord(Topics.IMPORTS, s.key(), s.toJson(), now));
        return Instant.ofEpochMilli(now);
    }

    public List<SentRecord> records() {
        return Collections.unmodifiableList(records);
    }
}

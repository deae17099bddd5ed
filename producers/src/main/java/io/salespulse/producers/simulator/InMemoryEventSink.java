package io.salespulse.producers.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Keeps every record in memory, in send order: for tests and dry runs. */
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

    public List<SentRecord> records() {
        return Collections.unmodifiableList(records);
    }
}

package io.salespulse.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads {@code sales.alerts} the way the notifier does ({@code read_committed}, from the beginning) in a thread of
 * its own, and notes when each alert became visible: the time people could have been told.
 */
final class AlertWatch implements AutoCloseable {
    /** An alert as read, and when it was read (wall clock, ms). */
    record Seen(JsonNode alert, long visibleAt) {
        String id() {
            return alert.get("alert_id").asText();
        }

        long dueAt() {
            return alert.has("due_at") ? Instant.parse(alert.get("due_at").asText()).toEpochMilli() : 0;
        }

        /** Visible minus due: how late people learned of it. */
        long lateMs() {
            return visibleAt - dueAt();
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean stop;

    AlertWatch(String bootstrap, String topic) {
        reader = new Thread(() -> read(bootstrap, topic), "alert-watch");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String bootstrap, String topic) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    try {
                        seen.add(new Seen(Json.MAPPER.readTree(r.value()), now));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("not an alert: " + new String(r.value()), e);
                    }
                }
            }
        }
    }

    List<Seen> all() {
        return new ArrayList<>(seen);
    }

    List<String> ids() {
        return seen.stream().map(Seen::id).collect(Collectors.toList());
    }

    /** Waits until every id is visible (or the timeout passes), then 2 s more for duplicates to show. */
    void awaitAll(Collection<String> ids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !ids().containsAll(ids)) {
            Thread.sleep(100);
        }
        Thread.sleep(2_000);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        reader.join(5_000);
    }
}

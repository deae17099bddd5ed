package io.salespulse.pipeline.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic the way a downstream consumer of an exactly-once sink must: read_committed. */
public final class TopicReader {
    private TopicReader() {}

    /** Polls until {@code done} accepts what was read, or the timeout passes; returns all values read. */
    public static List<String> readUntil(String bootstrap, String topic, Duration timeout, Predicate<List<String>> done) {
        return readUntil(bootstrap, topic, timeout, done, "read_committed");
    }

    public static List<String> readUntil(String bootstrap, String topic, Duration timeout, Predicate<List<String>> done,
            String isolation) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("isolation.level", isolation);
        p.setProperty("enable.auto.commit", "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                if (done.test(values)) {
                    break;
                }
            }
        }
        return values;
    }
}

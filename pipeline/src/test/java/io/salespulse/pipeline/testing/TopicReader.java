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

    /**
     * Polls from the beginning until {@code done} accepts what was read (or {@code timeout} passes),
     * then keeps polling the same consumer for {@code settle}, so that a wrongly duplicated record
     * written a little later is counted too. Returns every value read.
     */
    public static List<String> read(String bootstrap, String topic, Duration timeout, Duration settle,
            Predicate<List<String>> done) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("isolation.level", "read_committed");
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
            boolean settling = false;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                if (!settling && done.test(values)) {
                    settling = true;
                    deadline = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return values;
    }

    public static List<String> readUntil(String bootstrap, String topic, Duration timeout, Predicate<List<String>> done) {
        return read(bootstrap, topic, timeout, Duration.ZERO, done);
    }
}

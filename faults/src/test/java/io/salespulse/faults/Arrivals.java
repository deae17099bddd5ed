package io.salespulse.faults;

import io.salespulse.contract.ImportSession;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.OverdueOracle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What really arrived: every record of the input topics with its Kafka timestamp (the gateway's receive time),
 * and the import sessions as completed. The ground truth of a test that feeds through the gateway is the oracle
 * run on these, not on the times the test meant to send at: exact whatever the pace turned out to be.
 */
final class Arrivals {
    private Arrivals() {}

    /** Every valid record of the three input topics, as arrived, for the given tenant. */
    static List<OverdueOracle.Arrival> of(String bootstrap, String tenant) {
        List<OverdueOracle.Arrival> out = new ArrayList<>();
        for (String topic : List.of(Topics.STAGES, Topics.VISITS, Topics.ACKS)) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topic)) {
                OverdueOracle.Arrival a = OverdueOracle.Arrival.parse(topic, r.value(), Instant.ofEpochMilli(r.timestamp()));
                if (a != null && a.tenant().equals(tenant)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /**
     * The tenant's completed imports as the jobs release them: opened at the first record of the session, all
     * read once the clock passes the completion record's timestamp plus the out-of-orderness.
     */
    static List<OverdueOracle.ImportWindow> imports(String bootstrap, String tenant, Duration outOfOrderness)
            throws InvalidEventException {
        List<OverdueOracle.ImportWindow> out = new ArrayList<>();
        java.util.Map<String, Instant> opened = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, Topics.IMPORTS)) {
            ImportSession s = ImportSession.parse(new String(r.key()), r.value(), r.timestamp());
            if (!s.tenant().equals(tenant)) {
                continue;
            }
            opened.putIfAbsent(s.importId(), Instant.ofEpochMilli(r.timestamp()));
            if (!s.isOpen()) {
                out.add(new OverdueOracle.ImportWindow(tenant, s.importId(), opened.get(s.importId()),
                        Instant.ofEpochMilli(r.timestamp()).plus(outOfOrderness)));
            }
        }
        return out;
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            c.assign(partitions);
            c.seekToBeginning(partitions);
            java.util.Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}

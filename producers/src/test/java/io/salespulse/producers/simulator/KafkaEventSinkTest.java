package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short simulation through a real broker: every record arrives, keyed, timestamped and in time order per partition. */
class KafkaEventSinkTest {

    @TempDir
    Path tmp;

    @Test
    void aSimulationArrivesInKafkaAsSent() throws Exception {
        SimulationSettings settings = SimulationRuns.smallTeam().duration(Duration.ofDays(3)).build();
        List<SentRecord> expected = SimulationRuns.run(settings).sent();

        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH);
            SimulationSummary summary;
            try (KafkaEventSink sink = new KafkaEventSink(kafka.bootstrapServers())) {
                summary = new Simulator(settings).run(sink);
            }
            assertThat(summary.totalRecords()).isEqualTo(expected.size());

            List<ConsumerRecord<byte[], byte[]>> received = readAll(kafka.bootstrapServers(), expected.size());
            assertThat(received).hasSize(expected.size());

            Map<TopicPartition, Long> lastTimestamp = new HashMap<>();
            List<SentRecord> asReceived = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : received) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                assertThat(r.timestamp()).isGreaterThanOrEqualTo(lastTimestamp.getOrDefault(tp, Long.MIN_VALUE));
                lastTimestamp.put(tp, r.timestamp());
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                asReceived.add(new SentRecord(r.topic(), key, r.value(), r.timestamp()));
            }
            assertThat(asReceived).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "simulator-test");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}

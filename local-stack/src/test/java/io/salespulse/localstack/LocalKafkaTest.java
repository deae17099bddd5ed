package io.salespulse.localstack;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

    @TempDir
    Path tmp;

    @Test
    void transactionalProduceIsReadBackCommittedOnly() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            kafka.createTopics(2, "deals");
            kafka.createTopics(2, "deals"); // idempotent

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-kafka-test");
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("deals", i % 2, "k" + i, "committed-" + i));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("deals", 0, "x", "aborted"));
                producer.flush();
                producer.abortTransaction();
            }

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            List<String> values = new ArrayList<>();
            Map<Integer, Integer> perPartition = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                List<TopicPartition> parts = List.of(new TopicPartition("deals", 0), new TopicPartition("deals", 1));
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.currentTimeMillis() + 30_000;
                while (values.size() < 10 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                        perPartition.merge(r.partition(), 1, Integer::sum);
                    }
                }
                // nothing more arrives: the aborted record stays invisible
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertThat(values).hasSize(10).allMatch(v -> v.startsWith("committed-")).doesNotContain("aborted");
            assertThat(perPartition).containsEntry(0, 5).containsEntry(1, 5);
        }
    }

    @Test
    void restartsOnTheSameLogDirWithAFixedPort() throws Exception {
        Path dir = tmp.resolve("kafka-fixed");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LocalKafka kafka = LocalKafka.start(dir, port)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            kafka.createTopics(1, "kept");
        }
        try (LocalKafka kafka = LocalKafka.start(dir, port);
                  org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                          Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains("kept");
            kafka.createTopics(1, "kept", "fresh");
            assertThat(admin.listTopics().names().get()).contains("kept", "fresh");
        }
    }
}

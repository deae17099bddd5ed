package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulation posted to the gateway: every valid event ends in Kafka, every malformed one is refused. */
class GatewayEventSinkTest {

    @TempDir
    Path tmp;

    @Test
    void aSimulationThroughTheGateway() throws Exception {
        SimulationSettings settings = SimulationSettings.builder().end(Instant.now()).duration(Duration.ofDays(4))
                .malformedRate(0.05).build();
        SimulationRuns.Run expected = SimulationRuns.run(settings);
        String token = TenantTokens.generateToken();
        Path tokens = tmp.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"weijiang\":[\"" + TenantTokens.hashHex(token) + "\"]}}");

        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS);
            GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0)
                    .kafkaBootstrap(kafka.bootstrapServers()).tokensFile(tokens).build();
            GatewayEventSink sink;
            SimulationSummary summary;
            try (IngestGateway gateway = IngestGateway.start(config)) {
                sink = new GatewayEventSink(gateway.url(), token, 50);
                summary = new Simulator(settings).run(sink);
                sink.close();
            }
            assertThat(summary).isEqualTo(expected.summary());
            assertThat(sink.accepted()).isEqualTo(expected.valid().size() + expected.duplicates().size());
            assertThat(sink.rejected().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(expected.malformed().size());

            Set<String> inKafka = eventIds(kafka.bootstrapServers());
            assertThat(inKafka).containsExactlyInAnyOrderElementsOf(
                    expected.valid().stream().map(v -> v.text("event_id")).toList());
        }
    }

    private static Set<String> eventIds(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new java.util.ArrayList<>();
            for (String t : List.of(Topics.STAGES, Topics.VISITS, Topics.ACKS)) {
                consumer.partitionsFor(t).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            var end = consumer.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    try {
                        JsonNode n = SimulationRuns.JSON.readTree(r.value());
                        ids.add(n.get("event_id").asText());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
        return ids;
    }
}

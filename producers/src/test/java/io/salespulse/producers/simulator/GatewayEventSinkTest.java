package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Set;
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
            kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH);
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

            Set<String> inKafka = eventIds(kafka);
            assertThat(inKafka).containsExactlyInAnyOrderElementsOf(
                    expected.valid().stream().map(v -> v.text("event_id")).toList());
        }
    }

    private static Set<String> eventIds(LocalKafka kafka) throws Exception {
        Set<String> ids = new HashSet<>();
        for (var r : kafka.readAll(Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH)) {
            ids.add(SimulationRuns.JSON.readTree(r.value()).get("event_id").asText());
        }
        return ids;
    }
}

package io.salespulse.producers.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's settings, from flags and the environment or from code: the same names, defaults and checks. */
class GatewayConfigTest {
    private static final Path TOKENS = Path.of("tokens.json");

    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.builder().tokensFile(TOKENS).build();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(c.topicStages()).isEqualTo("sales.stages");
        assertThat(c.topicImports()).isEqualTo("sales.imports");
        assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxBatchEvents()).isEqualTo(500);
        assertThat(c.threads()).isEqualTo(32);
        assertThat(c.queueCapacity()).isEqualTo(256);
        assertThat(c.publishTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.importTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.maxFutureSkew()).isEqualTo(Duration.ofHours(1));
        assertThat(c.toString()).contains("gateway.port=8080").contains("gateway.tokens-file=tokens.json");
    }

    @Test
    void flagsWinOverTheEnvironment() {
        Map<GatewaySetting, String> flags = new EnumMap<>(GatewaySetting.class);
        flags.put(GatewaySetting.PORT, "9000");
        GatewayConfig c = GatewayConfig.load(flags, Map.of("SALESPULSE_GATEWAY_PORT", "9001",
                "SALESPULSE_GATEWAY_TOKENS_FILE", "t.json", "SALESPULSE_KAFKA_BOOTSTRAP", "k:9092",
                "SALESPULSE_GATEWAY_PUBLISH_TIMEOUT", "1500ms"));
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.tokensFile()).isEqualTo(Path.of("t.json"));
        assertThat(c.kafkaBootstrap()).isEqualTo("k:9092");
        assertThat(c.publishTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(GatewayConfig.SCHEMA.byName("--port")).isEqualTo(GatewaySetting.PORT);
        assertThat(GatewayConfig.SCHEMA.byName("--gateway.port")).isEqualTo(GatewaySetting.PORT);
    }

    @Test
    void badValuesNameKeyFlagAndVariable() {
        assertThatThrownBy(() -> GatewayConfig.builder().tokensFile(TOKENS).maxBatchEvents(0).build())
                .isInstanceOf(SettingsException.class)
                .hasMessage("Invalid setting gateway.max-batch-events (flag --max-batch-events, env "
                        + "SALESPULSE_GATEWAY_MAX_BATCH_EVENTS) = '0': must be between 1 and 10000");
        assertThatThrownBy(() -> GatewayConfig.builder().tokensFile(TOKENS).importTimeout(Duration.ofSeconds(1)).build())
                .hasMessageContaining("gateway.import-timeout").hasMessageContaining("must be between 3s and 24h");
        assertThatThrownBy(() -> GatewayConfig.builder().tokensFile(TOKENS).publishTimeout(Duration.ofMillis(500)).build())
                .hasMessageContaining("'500ms': must be between 1s and 2m");
        assertThatThrownBy(() -> GatewayConfig.builder().tokensFile(TOKENS).kafkaBootstrap("nohost").build())
                .hasMessageContaining("kafka.bootstrap (flag --kafka-bootstrap, env SALESPULSE_KAFKA_BOOTSTRAP)");
        assertThatThrownBy(() -> GatewayConfig.builder().tokensFile(TOKENS).topicImports(" ").build())
                .hasMessageContaining("topic.imports").hasMessageContaining("must not be empty");
    }

    @Test
    void theTokensFileIsRequired() {
        assertThatThrownBy(() -> GatewayConfig.builder().build())
                .hasMessageStartingWith("Invalid setting gateway.tokens-file (flag --tokens-file, env "
                        + "SALESPULSE_GATEWAY_TOKENS_FILE) = (none): is required");
    }
}

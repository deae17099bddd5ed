package io.salespulse.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.Stage;
import io.salespulse.contract.settings.SettingsException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {
    @Test
    void defaultsAreTheContractsAndValid() {
        PipelineConfig c = PipelineConfig.defaults();
        assertThat(c.sla.of(Stage.CONTACT)).isEqualTo(Duration.ofHours(48));
        assertThat(c.sla.of(Stage.CLOSING)).isEqualTo(Duration.ofHours(168));
        assertThat(c.topicStages).isEqualTo("sales.stages");
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        PipelineConfig c = PipelineConfig.load(new String[] {"--sla-needs", "36h", "--kafka.bootstrap=k1:9092"},
                Map.of("SALESPULSE_SLA_NEEDS", "12h", "SALESPULSE_SLA_PROPOSAL", "4d",
                        "SALESPULSE_KAFKA_BOOTSTRAP", "env:9092"));
        assertThat(c.sla.of(Stage.NEEDS)).isEqualTo(Duration.ofHours(36));
        assertThat(c.sla.of(Stage.PROPOSAL)).isEqualTo(Duration.ofDays(4));
        assertThat(c.kafkaBootstrap).isEqualTo("k1:9092");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> PipelineConfig.load(new String[0], Map.of("SALESPULSE_SLA_NEEDS", "soon")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("sla.needs").hasMessageContaining("SALESPULSE_SLA_NEEDS")
                .hasMessageContaining("--sla-needs");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--kafka-bootstrap", "nohost"}, Map.of()))
                .hasMessageContaining("kafka.bootstrap");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--clickhouse-url", "http://x"}, Map.of()))
                .hasMessageContaining("clickhouse.url");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--state-ttl", "5d"}, Map.of()))
                .hasMessageContaining("state.ttl").hasMessageContaining("longest SLA");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--checkpoint-dir", "relative/dir"}, Map.of()))
                .hasMessageContaining("checkpoint.dir");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--parallelism", "0"}, Map.of()))
                .hasMessageContaining("parallelism");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--time-zone", "Mars/Olympus"}, Map.of()))
                .hasMessageContaining("time-zone");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--no-such-thing", "1"}, Map.of()))
                .hasMessageContaining("Unknown setting --no-such-thing");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--topic-dlq", "sales.stages"}, Map.of()))
                .hasMessageContaining("topic.dlq");
    }

    @Test
    void checksAcrossSettingsNameOneOfThem() {
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--sla-closing", "30d"}, Map.of()))
                .hasMessage("Invalid setting state.ttl (flag --state-ttl, env SALESPULSE_STATE_TTL) = '30d': must be longer"
                        + " than the longest SLA (30d), or customers would be forgotten before they can become overdue");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--topic-visits", "sales.stages"}, Map.of()))
                .hasMessageContaining("topic.stages").hasMessageContaining("four different topics");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--topic-imports", "sales.alerts"}, Map.of()))
                .hasMessageContaining("topic.imports").hasMessageContaining("must differ from every other topic");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--funnel-window", "90m", "--funnel-slide", "1h"},
                Map.of())).hasMessageContaining("funnel.window").hasMessageContaining("whole multiple of funnel.slide");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--alerts-offline-grace", "25h"}, Map.of()))
                .hasMessageContaining("alerts.offline-grace").hasMessageContaining("must be at most 1d");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--funnel-drop-threshold", "100"}, Map.of()))
                .hasMessageContaining("must be a percentage between 0 and 100 (exclusive)");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--digest-time", "8am"}, Map.of()))
                .hasMessageContaining("digest.time").hasMessageContaining("expected a time like 08:00");
    }

    @Test
    void copiesAndRawValuesKeepWhatWasGiven() {
        PipelineConfig c = PipelineConfig.load(new String[] {"--checkpoint-dir", "s3://bucket/chk"}, Map.of());
        assertThat(c.checkpointDir).isEqualTo("s3://bucket/chk");
        assertThat(c.raw(Setting.CHECKPOINT_DIR)).isEqualTo("s3://bucket/chk");
        PipelineConfig copy = c.with(Map.of(Setting.PARALLELISM, "4"));
        assertThat(copy.parallelism).isEqualTo(4);
        assertThat(copy.checkpointDir).isEqualTo("s3://bucket/chk");
        assertThat(c.parallelism).isEqualTo(1);
        assertThat(Setting.byName("--funnel.window")).isEqualTo(Setting.FUNNEL_WINDOW);
        assertThat(Setting.funnelOnly()).contains(Setting.FUNNEL_GROUP_ID, Setting.DIGEST_TIME)
                .doesNotContain(Setting.STATE_TTL);
    }

    @Test
    void passwordIsNeverShown() {
        PipelineConfig c = PipelineConfig.load(new String[] {"--clickhouse-password", "s3cret!"}, Map.of());
        assertThat(String.join("\n", c.describe())).doesNotContain("s3cret!").contains("clickhouse.password = ***");
        assertThatThrownBy(() -> PipelineConfig.load(new String[] {"--clickhouse-password", "s3cret!",
                "--clickhouse-batch-size", "x"}, Map.of())).hasMessageNotContaining("s3cret!");
    }
}

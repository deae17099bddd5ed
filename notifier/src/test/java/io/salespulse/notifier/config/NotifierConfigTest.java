package io.salespulse.notifier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notifier's settings: defaults, the jobs' shared names, precedence, checks and secrets. */
class NotifierConfigTest {

    @Test
    void defaultsAreValid() {
        NotifierConfig c = NotifierConfig.load(new String[0], Map.of());
        assertThat(c.kafkaBootstrap).isEqualTo("127.0.0.1:9092");
        assertThat(c.topicAlerts).isEqualTo("sales.alerts");
        assertThat(c.timeZone).isEqualTo(ZoneId.of("Asia/Shanghai"));
        assertThat(c.stateTtl).isEqualTo(Duration.ofDays(30));
        assertThat(c.routesFile).isEqualTo(Path.of("deploy/notifier/routes.yaml"));
        assertThat(c.secretsFile).isNull();
        assertThat(c.ratePerMinute).isEqualTo(20);
        assertThat(c.ackPort).isEqualTo(8085);
        assertThat(c.wecomUrl.getHost()).isEqualTo("qyapi.weixin.qq.com");
    }

    @Test
    void sharesTheJobsNamesAndPrecedence() {
        NotifierConfig c = NotifierConfig.load(new String[] {"--notifier-max-batch", "50", "--notifier.ack-base-url=http://h:1/"},
                Map.of("SALESPULSE_KAFKA_BOOTSTRAP", "k:9092", "SALESPULSE_NOTIFIER_MAX_BATCH", "70",
                        "SALESPULSE_NOTIFIER_SECRETS_FILE", "secrets.properties"));
        assertThat(c.kafkaBootstrap).isEqualTo("k:9092");
        assertThat(c.maxBatch).isEqualTo(50);
        assertThat(c.ackBaseUrl).isEqualTo("http://h:1");
        assertThat(c.secretsFile).isEqualTo(Path.of("secrets.properties"));
    }

    @Test
    void runNotifierSkipsTheJobsOtherSettings() {
        NotifierConfig c = NotifierConfig.loadIgnoringOtherFlags(
                new String[] {"--parallelism", "2", "--topic-alerts", "a2", "--sla-needs", "1d"}, Map.of());
        assertThat(c.topicAlerts).isEqualTo("a2");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--parallelism", "2"}, Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("Unknown setting --parallelism");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> NotifierConfig.load(new String[0], Map.of("SALESPULSE_NOTIFIER_RATE_PER_MINUTE", "30")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Invalid setting notifier.rate-per-minute (flag --notifier-rate-per-minute, env "
                        + "SALESPULSE_NOTIFIER_RATE_PER_MINUTE) = '30': must be between 1 and 20");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--notifier-wecom-url", "ftp://x/y"}, Map.of()))
                .hasMessageContaining("notifier.wecom-url").hasMessageContaining("expected an http(s) URL");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--topic-acks", "sales.alerts"}, Map.of()))
                .hasMessageContaining("topic.acks").hasMessageContaining("must differ from topic.alerts");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--topic-policies", "sales.acks"}, Map.of()))
                .hasMessageContaining("topic.policies");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--notifier-retry-max", "1s"}, Map.of()))
                .hasMessageContaining("notifier.retry-max").hasMessageContaining("must not be shorter than notifier.retry-base");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--kafka-bootstrap", "nohost"}, Map.of()))
                .hasMessageContaining("kafka.bootstrap");
    }

    @Test
    void passwordIsNeverShown() {
        NotifierConfig c = NotifierConfig.load(new String[] {"--clickhouse-password", "s3cret!"}, Map.of());
        assertThat(c.clickhousePassword).isEqualTo("s3cret!");
        assertThat(String.join("\n", c.describe())).doesNotContain("s3cret!").contains("clickhouse.password = ***");
        assertThat(c.with(Map.of(NotifierSetting.MAX_BATCH, "5")).maxBatch).isEqualTo(5);
    }
}

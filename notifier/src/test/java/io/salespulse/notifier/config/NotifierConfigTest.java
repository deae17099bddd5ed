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
    private static final String SECRET = "config-test-secret-0123456789abcdefgh";
    /** notifier.link-secret is required. */
    private static final Map<String, String> ENV = Map.of("SALESPULSE_NOTIFIER_LINK_SECRET", SECRET);


    @Test
    void defaultsAreValid() {
        NotifierConfig c = NotifierConfig.load(new String[0], ENV);
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
                Map.of("SALESPULSE_NOTIFIER_LINK_SECRET", SECRET, "SALESPULSE_KAFKA_BOOTSTRAP", "k:9092",
                        "SALESPULSE_NOTIFIER_MAX_BATCH", "70",
                        "SALESPULSE_NOTIFIER_SECRETS_FILE", "secrets.properties"));
        assertThat(c.kafkaBootstrap).isEqualTo("k:9092");
        assertThat(c.maxBatch).isEqualTo(50);
        assertThat(c.ackBaseUrl).isEqualTo("http://h:1");
        assertThat(c.secretsFile).isEqualTo(Path.of("secrets.properties"));
    }

    @Test
    void runNotifierSkipsTheJobsOtherSettings() {
        NotifierConfig c = NotifierConfig.loadIgnoringOtherFlags(
                new String[] {"--parallelism", "2", "--topic-alerts", "a2", "--sla-needs", "1d"}, ENV);
        assertThat(c.topicAlerts).isEqualTo("a2");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--parallelism", "2"}, ENV))
                .isInstanceOf(SettingsException.class).hasMessageContaining("Unknown setting --parallelism");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> NotifierConfig.load(new String[0], Map.of("SALESPULSE_NOTIFIER_RATE_PER_MINUTE", "30",
                "SALESPULSE_NOTIFIER_LINK_SECRET", SECRET)))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Invalid setting notifier.rate-per-minute (flag --notifier-rate-per-minute, env "
                        + "SALESPULSE_NOTIFIER_RATE_PER_MINUTE) = '30': must be between 1 and 20");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--notifier-wecom-url", "ftp://x/y"}, ENV))
                .hasMessageContaining("notifier.wecom-url").hasMessageContaining("expected an http(s) URL");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--topic-acks", "sales.alerts"}, ENV))
                .hasMessageContaining("topic.acks").hasMessageContaining("must differ from topic.alerts");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--topic-policies", "sales.acks"}, ENV))
                .hasMessageContaining("topic.policies");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--notifier-retry-max", "1s"}, ENV))
                .hasMessageContaining("notifier.retry-max").hasMessageContaining("must not be shorter than notifier.retry-base");
        assertThatThrownBy(() -> NotifierConfig.load(new String[] {"--kafka-bootstrap", "nohost"}, ENV))
                .hasMessageContaining("kafka.bootstrap");
    }

    @Test
    void passwordIsNeverShown() {
        NotifierConfig c = NotifierConfig.load(new String[] {"--clickhouse-password", "s3cret!"}, ENV);
        assertThat(c.clickhousePassword).isEqualTo("s3cret!");
        assertThat(String.join("\n", c.describe())).doesNotContain("s3cret!").contains("clickhouse.password = ***")
                .doesNotContain(SECRET).contains("notifier.link-secret = ***");
        assertThat(c.with(Map.of(NotifierSetting.MAX_BATCH, "5")).maxBatch).isEqualTo(5);
    }
}

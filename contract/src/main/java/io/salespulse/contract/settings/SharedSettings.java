package io.salespulse.contract.settings;

import io.salespulse.contract.Topics;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The settings more than one service reads, declared once so that their key, flag, environment variable,
 * default and check are the same everywhere: one environment configures the jobs, the notifier and the
 * gateway. A service may describe one in its own words ({@link SettingSpec#withDescription}).
 */
public final class SharedSettings {
    public static final SettingSpec<String> KAFKA_BOOTSTRAP = SettingSpec.of("kafka.bootstrap",
            SettingType.hostPortList(), "127.0.0.1:9092", "Kafka bootstrap servers (host:port,...)");

    public static final SettingSpec<String> TOPIC_STAGES = topic("topic.stages", Topics.STAGES, "Input topic of stage cards");
    public static final SettingSpec<String> TOPIC_VISITS =
            topic("topic.visits", Topics.VISITS, "Input topic of visits / check-ins");
    public static final SettingSpec<String> TOPIC_ACKS =
            topic("topic.acks", Topics.ACKS, "Input topic of alert acknowledgements");
    public static final SettingSpec<String> TOPIC_CASH = topic("topic.cash", Topics.CASH,
            "Input topic of lead to cash: contracts, invoices and payments");
    public static final SettingSpec<String> TOPIC_POLICIES = topic("topic.policies", Topics.POLICIES,
            "Compacted input topic of run-time policies (key = scope), read from the beginning on a fresh start");
    public static final SettingSpec<String> TOPIC_IMPORTS = topic("topic.imports", Topics.IMPORTS,
            "Compacted input topic of history import sessions (key = tenant/import_id), read from the beginning on a fresh start");
    public static final SettingSpec<String> TOPIC_ALERTS =
            topic("topic.alerts", Topics.ALERTS, "Output topic of alerts (exactly once)");

    public static final SettingSpec<String> CLICKHOUSE_URL = SettingSpec.of("clickhouse.url",
            SettingType.text("JDBC URL, jdbc:clickhouse:...",
                    u -> u.startsWith("jdbc:clickhouse:") || u.startsWith("jdbc:ch:"),
                    "expected a JDBC URL like jdbc:clickhouse://host:8123/default"),
            "jdbc:clickhouse://127.0.0.1:8123/default?compress=0", "JDBC URL of ClickHouse (clickhouse-jdbc 0.10)");
    public static final SettingSpec<String> CLICKHOUSE_USER =
            SettingSpec.of("clickhouse.user", SettingType.text(), "default", "ClickHouse user");
    public static final SettingSpec<String> CLICKHOUSE_PASSWORD = SettingSpec.of("clickhouse.password",
            SettingType.optionalText(), "", "ClickHouse password (never logged)").asSecret();

    public static final SettingSpec<ZoneId> TIME_ZONE = SettingSpec.of("time-zone", SettingType.timeZone(),
            "Asia/Shanghai", "Time zone of the times written in alert texts");
    public static final SettingSpec<Duration> STATE_TTL = SettingSpec.of("state.ttl",
            SettingType.positiveDuration(), "30d",
            "A customer with no card or visit for this long is forgotten (must exceed the longest SLA)");
    public static final SettingSpec<Duration> EVENT_MAX_FUTURE_SKEW = SettingSpec.of("event.max-future-skew",
            SettingType.duration(), "1h", "occurred_at may lie this far after the record's Kafka timestamp (device clock skew)");

    private SharedSettings() {}

    private static SettingSpec<String> topic(String key, String defaultTopic, String description) {
        return SettingSpec.of(key, SettingType.text(), defaultTopic, description);
    }
}

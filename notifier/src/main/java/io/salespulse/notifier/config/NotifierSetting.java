package io.salespulse.notifier.config;

import io.salespulse.contract.SettingNames;

/**
 * Every setting of the notifier: a flag ({@code --notifier-routes f} or {@code --notifier.routes=f}) or an
 * environment variable ({@code SALESPULSE_NOTIFIER_ROUTES}); a flag wins over the environment, which wins
 * over the default. The first nine share their name (and environment variable) with the monitor job's
 * settings, so one environment configures both. The README's notifier table is this list.
 */
public enum NotifierSetting {
    KAFKA_BOOTSTRAP("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers (host:port,...)"),
    TOPIC_ALERTS("topic.alerts", "sales.alerts", "Topic the notifier delivers (read_committed) and writes escalations to"),
    TOPIC_ACKS("topic.acks", "sales.acks", "Topic the ack endpoint writes to and the notifier reads acks from"),
    CLICKHOUSE_URL("clickhouse.url", "jdbc:clickhouse://127.0.0.1:8123/default?compress=0",
            "JDBC URL of ClickHouse (delivery ledger, acks, dead letters)"),
    CLICKHOUSE_USER("clickhouse.user", "default", "ClickHouse user"),
    CLICKHOUSE_PASSWORD("clickhouse.password", "", "ClickHouse password (never logged)"),
    TIME_ZONE("time-zone", "Asia/Shanghai", "Time zone of the times written in WeCom messages"),
    TOPIC_POLICIES("topic.policies", "sales.policies",
            "Compacted topic of run-time policies (escalation windows, alert_types.escalation), read from the beginning"),
    STATE_TTL("state.ttl", "30d", "The monitor job's state.ttl: policies with an SLA not shorter are invalid, as there"),
    GROUP_ID("notifier.group-id", "salespulse-notifier", "Consumer group of the notifier (one running instance per group)"),
    ROUTES("notifier.routes", "deploy/notifier/routes.yaml", "Routing file (YAML): routes, rules, default route, users, escalation windows"),
    SECRETS_FILE("notifier.secrets-file", "", "Optional properties file route-name=webhook-key (keys may also come from env)"),
    ROUTES_RELOAD_INTERVAL("notifier.routes-reload-interval", "10s", "How often the routing and secrets files are checked for changes"),
    WECOM_URL("notifier.wecom-url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "WeCom group robot endpoint (the key is appended as ?key=...)"),
    REQUEST_TIMEOUT("notifier.request-timeout", "10s", "Timeout of one WeCom request (a timeout is retried)"),
    RATE_PER_MINUTE("notifier.rate-per-minute", "20", "Messages per robot key in any 60 s window (WeCom allows 20)"),
    RATE_MARGIN("notifier.rate-margin", "1s", "Extra wait added to the 60 s window, for clock differences with WeCom"),
    MAX_BATCH("notifier.max-batch", "500", "Alerts read before a delivery round; a backlog beyond the budget becomes a digest"),
    MAX_ATTEMPTS("notifier.max-attempts", "6",
            "Busy answers (45009 / 429 / 5xx / timeouts) are retried until WeCom takes the message; every this many attempts the ledger records progress"),
    RETRY_BASE("notifier.retry-base", "2s", "First retry delay; doubles per attempt, with jitter"),
    RETRY_MAX("notifier.retry-max", "60s", "Longest retry delay"),
    ACK_HOST("notifier.ack-host", "127.0.0.1", "Address the ack endpoint listens on"),
    ACK_PORT("notifier.ack-port", "8085", "Port of the ack endpoint (0 = a free port)"),
    ACK_BASE_URL("notifier.ack-base-url", "http://127.0.0.1:8085", "Public base URL of the ack endpoint, used in message links"),
    WORK_QUEUE_URL("notifier.work-queue-url", "http://127.0.0.1:3000/d/salespulse-work-queue",
            "Grafana work-queue link put into digest messages"),
    ESCALATION_INTERVAL("notifier.escalation-interval", "30s", "How often unacknowledged alerts are checked for escalation");

    private final String key;
    private final String defaultValue;
    private final String description;

    NotifierSetting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String flag() {
        return SettingNames.flag(key);
    }

    public String env() {
        return SettingNames.env(key);
    }

    public boolean secret() {
        return this == CLICKHOUSE_PASSWORD;
    }

    public static NotifierSetting byName(String name) {
        return SettingNames.byName(values(), NotifierSetting::key, name);
    }
}

package io.salespulse.notifier.config;

import static io.salespulse.contract.settings.SettingType.duration;
import static io.salespulse.contract.settings.SettingType.durationBetween;
import static io.salespulse.contract.settings.SettingType.httpUrl;
import static io.salespulse.contract.settings.SettingType.integer;
import static io.salespulse.contract.settings.SettingType.optionalPath;
import static io.salespulse.contract.settings.SettingType.optionalText;
import static io.salespulse.contract.settings.SettingType.path;
import static io.salespulse.contract.settings.SettingType.positiveDuration;
import static io.salespulse.contract.settings.SettingType.text;

import io.salespulse.contract.settings.SettingKey;
import io.salespulse.contract.settings.SettingSpec;
import io.salespulse.contract.settings.SharedSettings;

/**
 * Every setting of the notifier: a flag ({@code --notifier-routes f} or {@code --notifier.routes=f}) or an
 * environment variable ({@code SALESPULSE_NOTIFIER_ROUTES}); a flag wins over the environment, which wins
 * over the default. The first nine are the jobs' settings of the same name ({@link SharedSettings}), so one
 * environment configures both. docs/configuration.md is generated from this list.
 */
public enum NotifierSetting implements SettingKey {
    KAFKA_BOOTSTRAP(SharedSettings.KAFKA_BOOTSTRAP),
    TOPIC_ALERTS(SharedSettings.TOPIC_ALERTS.withDescription(
            "Topic the notifier delivers (read_committed) and writes escalations to")),
    TOPIC_ACKS(SharedSettings.TOPIC_ACKS.withDescription(
            "Topic the ack endpoint writes to and the notifier reads acks from")),
    CLICKHOUSE_URL(SharedSettings.CLICKHOUSE_URL.withDescription(
            "JDBC URL of ClickHouse (delivery ledger, acks, dead letters)")),
    CLICKHOUSE_USER(SharedSettings.CLICKHOUSE_USER),
    CLICKHOUSE_PASSWORD(SharedSettings.CLICKHOUSE_PASSWORD),
    TIME_ZONE(SharedSettings.TIME_ZONE.withDescription("Time zone of the times written in WeCom messages")),
    TOPIC_POLICIES(SharedSettings.TOPIC_POLICIES.withDescription(
            "Compacted topic of run-time policies (escalation windows, alert_types.escalation), read from the beginning")),
    STATE_TTL(SharedSettings.STATE_TTL.withDescription(
            "The monitor job's state.ttl: policies with an SLA not shorter are invalid, as there")),
    GROUP_ID(SettingSpec.of("notifier.group-id", text(), "salespulse-notifier",
            "Consumer group of the notifier (one running instance per group)")),
    ROUTES(SettingSpec.of("notifier.routes", path(), "deploy/notifier/routes.yaml",
            "Routing file (YAML): routes, rules, default route, users, escalation windows")),
    SECRETS_FILE(SettingSpec.of("notifier.secrets-file", optionalPath(), "",
            "Optional properties file route-name=webhook-key (keys may also come from env SALESPULSE_WECOM_KEY_<ROUTE>)")),
    ROUTES_RELOAD_INTERVAL(SettingSpec.of("notifier.routes-reload-interval", positiveDuration(), "10s",
            "How often the routing and secrets files are checked for changes")),
    WECOM_URL(SettingSpec.of("notifier.wecom-url", httpUrl(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "WeCom group robot endpoint (the key is appended as ?key=...)")),
    REQUEST_TIMEOUT(SettingSpec.of("notifier.request-timeout", positiveDuration(), "10s",
            "Timeout of one WeCom request (a timeout is retried)")),
    RATE_PER_MINUTE(SettingSpec.of("notifier.rate-per-minute", integer(1, 20), "20",
            "Messages per robot key in any 60 s window (WeCom allows 20)")),
    RATE_MARGIN(SettingSpec.of("notifier.rate-margin", duration(), "1s",
            "Extra wait added to the 60 s window, for clock differences with WeCom")),
    MAX_BATCH(SettingSpec.of("notifier.max-batch", integer(1, 10_000), "500",
            "Alerts read before a delivery round; a backlog beyond the budget becomes a digest")),
    MAX_ATTEMPTS(SettingSpec.of("notifier.max-attempts", integer(1, 100), "6",
            "Busy answers (45009 / 429 / 5xx / timeouts) are retried until WeCom takes the message; every this many attempts the ledger records progress")),
    RETRY_BASE(SettingSpec.of("notifier.retry-base", positiveDuration(), "2s",
            "First retry delay; doubles per attempt, with jitter")),
    RETRY_MAX(SettingSpec.of("notifier.retry-max", positiveDuration(), "60s", "Longest retry delay")),
    ACK_HOST(SettingSpec.of("notifier.ack-host", text(), "127.0.0.1",
            "Address the ack endpoint, /healthz and /metrics listen on")),
    ACK_PORT(SettingSpec.of("notifier.ack-port", integer(0, 65535), "8085",
            "Port of the ack endpoint, /healthz and /metrics (0 = a free port)")),
    ACK_BASE_URL(SettingSpec.of("notifier.ack-base-url", httpUrl(), "http://127.0.0.1:8085",
            "Public base URL of the alert page, used in message links; the page's POST must come from this origin")),
    LINK_SECRET(SettingSpec.required("notifier.link-secret", text("at least 32 characters",
            t -> t.length() >= 32, "must be at least 32 characters (e.g. the output of: openssl rand -base64 32)"),
            "Secret that signs the alert page's links and form tokens (HMAC-SHA256); changing it voids every link sent")
            .asSecret()),
    LINK_TTL(SettingSpec.of("notifier.link-ttl", durationBetween("1h", "30d"), "7d",
            "How long a link in a message opens the alert page (as long as an alert can escalate, escalation.max_age)")),
    WORK_QUEUE_URL(SettingSpec.of("notifier.work-queue-url", httpUrl(), "http://127.0.0.1:3000/d/salespulse-work-queue",
            "Grafana work-queue link put into digest messages")),
    OPS_ROUTE(SettingSpec.of("notifier.ops-route", optionalText(), "",
            "Route that POST /ops/alertmanager (Alertmanager's webhook: SalesPulse's own alert rules) posts to; empty:"
                    + " the routing file's default_route. A name must be a route of the routing file")),
    ESCALATION_INTERVAL(SettingSpec.of("notifier.escalation-interval", positiveDuration(), "30s",
            "How often unacknowledged alerts are checked for escalation")),
    HEALTH_STALL(SettingSpec.of("notifier.health-stall", positiveDuration(), "2m",
            "/healthz is degraded when the delivery loop has not polled Kafka, has had no partition of topic.alerts, or"
                    + " has sent the group coordinator no heartbeat for this long")),
    HEALTH_FAILED_POSTS(SettingSpec.of("notifier.health-failed-posts", integer(1, 1000), "3",
            "/healthz is degraded while a route's latest this many WeCom posts all failed (until one succeeds)"));

    private final SettingSpec<?> spec;

    NotifierSetting(SettingSpec<?> spec) {
        this.spec = spec;
    }

    @Override
    public SettingSpec<?> spec() {
        return spec;
    }

    public static NotifierSetting byName(String name) {
        return NotifierConfig.SCHEMA.byName(name);
    }
}

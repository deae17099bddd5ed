package io.salespulse.pipeline.config;

import io.salespulse.contract.SettingNames;

/**
 * Every setting of the monitor job. Each can be given as a flag ({@code --kafka-bootstrap host:9092} or
 * {@code --kafka.bootstrap=host:9092}) or as an environment variable ({@code SALESPULSE_KAFKA_BOOTSTRAP});
 * a flag wins over the environment, which wins over the default. The README's configuration table is
 * this list.
 */
public enum Setting {
    KAFKA_BOOTSTRAP("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers (host:port,...)"),
    KAFKA_GROUP_ID("kafka.group-id", "salespulse-monitor", "Consumer group of the monitor job's Kafka source"),
    KAFKA_TRANSACTIONAL_ID_PREFIX("kafka.transactional-id-prefix", "salespulse-monitor",
            "Prefix of the exactly-once Kafka sinks' transactional ids (unique per job)"),
    TOPIC_STAGES("topic.stages", "sales.stages", "Input topic of stage cards"),
    TOPIC_VISITS("topic.visits", "sales.visits", "Input topic of visits / check-ins"),
    TOPIC_ACKS("topic.acks", "sales.acks", "Input topic of alert acknowledgements"),
    TOPIC_POLICIES("topic.policies", "sales.policies",
            "Compacted input topic of run-time policies (key = scope), read from the beginning on a fresh start"),
    TOPIC_IMPORTS("topic.imports", "sales.imports",
            "Compacted input topic of history import sessions (key = tenant/import_id), read from the beginning on a fresh start"),
    TOPIC_ALERTS("topic.alerts", "sales.alerts", "Output topic of alerts (exactly once)"),
    TOPIC_DLQ("topic.dlq", "sales.dlq", "Output topic of rejected input with the reason"),
    CLICKHOUSE_URL("clickhouse.url", "jdbc:clickhouse://127.0.0.1:8123/default?compress=0",
            "JDBC URL of ClickHouse (clickhouse-jdbc 0.10)"),
    CLICKHOUSE_USER("clickhouse.user", "default", "ClickHouse user"),
    CLICKHOUSE_PASSWORD("clickhouse.password", "", "ClickHouse password (never logged)"),
    CLICKHOUSE_BATCH_SIZE("clickhouse.batch-size", "20000", "Rows per ClickHouse insert, at most"),
    CLICKHOUSE_FLUSH_INTERVAL("clickhouse.flush-interval", "2s",
            "Longest time a row waits in the batch (batches are also flushed on every checkpoint)"),
    CLICKHOUSE_MAX_RETRIES("clickhouse.max-retries", "8",
            "Retries of a failed insert (exponential backoff with jitter) before the job fails over"),
    SLA_CONTACT("sla.contact", "48h", "Time after a contact card until the next card is due"),
    SLA_NEEDS("sla.needs", "72h", "Time after a needs card until the next card is due"),
    SLA_PROPOSAL("sla.proposal", "120h", "Time after a proposal card until the next card is due"),
    SLA_OBJECTION("sla.objection", "72h", "Time after an objection card until the next card is due"),
    SLA_CLOSING("sla.closing", "168h", "Time after a closing card with outcome pending until the next card"),
    STATE_TTL("state.ttl", "30d",
            "A customer with no card or visit for this long is forgotten (must exceed the longest SLA)"),
    TIME_ZONE("time-zone", "Asia/Shanghai", "Time zone of the times written in alert texts"),
    CHECKPOINT_DIR("checkpoint.dir", "file:///tmp/salespulse/checkpoints",
            "Where checkpoints go (a URI: file:///..., s3://...)"),
    CHECKPOINT_INTERVAL("checkpoint.interval", "1s",
            "Checkpoint interval: alerts become visible in Kafka (read_committed) at the next checkpoint"),
    PARALLELISM("parallelism", "1", "Parallelism of the job (keep <= partitions of the input topics)"),
    RESTART_ATTEMPTS("restart.attempts", "10",
            "Restarts after a failure before the job gives up (exponential delay); 0 = never restart"),
    WATERMARK_OUT_OF_ORDERNESS("watermark.out-of-orderness", "500ms",
            "How far the arrival times (Kafka timestamps) of one partition's records may be out of order"),
    WATERMARK_DRAIN_CHECK_INTERVAL("watermark.drain-check-interval", "200ms",
            "How often a source asks Kafka whether it has read everything; once it has, the jobs' clock follows the wall clock"),
    ALERTS_OFFLINE_GRACE("alerts.offline-grace", "0s",
            "Default offline_grace: how long an overdue alert waits after its due time for cards uploaded late by offline phones (policies override it per tenant, region, team)"),
    IMPORTS_UNANNOUNCED_TIMEOUT("imports.unannounced-timeout", "15m",
            "A record whose import_id no session on topic.imports announced holds its customer this long (arrival time), then counts as live"),
    EVENT_MAX_FUTURE_SKEW("event.max-future-skew", "1h",
            "occurred_at may lie this far after the record's Kafka timestamp (device clock skew)"),
    FUNNEL_GROUP_ID("funnel.group-id", "salespulse-funnel", "Consumer group of the funnel job's Kafka source"),
    FUNNEL_TRANSACTIONAL_ID_PREFIX("funnel.transactional-id-prefix", "salespulse-funnel",
            "Prefix of the funnel job's exactly-once alert sink transactional ids"),
    FUNNEL_WINDOW("funnel.window", "7d", "Length of the stage-conversion window (a multiple of funnel.slide)"),
    FUNNEL_SLIDE("funnel.slide", "1h", "A conversion window ends every this long (aligned to the epoch)"),
    FUNNEL_ALLOWED_LATENESS("funnel.allowed-lateness", "10m",
            "A window's row is final once event time passes its end plus this; later cards only count in later windows"),
    FUNNEL_BASELINE_WEEKS("funnel.baseline-weeks", "4",
            "Baseline = the same-length windows ending 1..N weeks earlier, pooled"),
    FUNNEL_DROP_THRESHOLD("funnel.drop-threshold", "15",
            "Relative drop of the conversion rate against the baseline, in percent, that can open a drop episode"),
    FUNNEL_MIN_ENTERED("funnel.min-entered", "20", "Fewest customers entered in the window for a drop to count"),
    FUNNEL_DROP_P_VALUE("funnel.drop-p-value", "0.001",
            "One-sided two-proportion z-test: the drop must be significant at this level"),
    FUNNEL_DROP_CONFIRM("funnel.drop-confirm", "48h",
            "A drop must hold at every window end for this long before its episode opens (hourly tests are not independent)"),
    FUNNEL_RECOVERY("funnel.recovery", "24h",
            "A drop episode ends once the rate has stayed recovered (drop below half the threshold) this long"),
    COACHING_REPEATED_OBJECTIONS("coaching.repeated-objections", "3",
            "Same objection tag this many times on one customer within one opportunity -> coaching alert"),
    COACHING_SCRIPT_ADOPTION("coaching.script-adoption", "60",
            "Weekly script adoption (percent of objection cards with script_id) below this two weeks running -> coaching"),
    DIGEST_TIME("digest.time", "08:00", "Local time (time-zone) of the daily forecast digest per team");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
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

    /** The setting a flag or key names, accepting {@code --kafka-bootstrap}, {@code --kafka.bootstrap} and {@code kafka.bootstrap}. */
    public static Setting byName(String name) {
        return SettingNames.byName(values(), Setting::key, name);
    }
}

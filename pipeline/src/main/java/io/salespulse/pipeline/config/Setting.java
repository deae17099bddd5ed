package io.salespulse.pipeline.config;

import static io.salespulse.contract.settings.SettingType.duration;
import static io.salespulse.contract.settings.SettingType.durationAtMost;
import static io.salespulse.contract.settings.SettingType.fraction;
import static io.salespulse.contract.settings.SettingType.integer;
import static io.salespulse.contract.settings.SettingType.localTime;
import static io.salespulse.contract.settings.SettingType.oneOf;
import static io.salespulse.contract.settings.SettingType.percentage;
import static io.salespulse.contract.settings.SettingType.positiveDuration;
import static io.salespulse.contract.settings.SettingType.text;
import static io.salespulse.contract.settings.SettingType.uri;
import static io.salespulse.contract.settings.SettingType.uriOrHomePath;

import io.salespulse.contract.policy.PolicyParser;
import io.salespulse.contract.settings.SettingKey;
import io.salespulse.contract.settings.SettingSpec;
import io.salespulse.contract.settings.SharedSettings;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every setting of the monitor and funnel jobs (both read this one list). Each can be given as a flag
 * ({@code --kafka-bootstrap host:9092} or {@code --kafka.bootstrap=host:9092}) or as an environment variable
 * ({@code SALESPULSE_KAFKA_BOOTSTRAP}); a flag wins over the environment, which wins over the default.
 * docs/configuration.md is generated from this list.
 */
public enum Setting implements SettingKey {
    KAFKA_BOOTSTRAP(SharedSettings.KAFKA_BOOTSTRAP),
    KAFKA_GROUP_ID(SettingSpec.of("kafka.group-id", text(), "salespulse-monitor",
            "Consumer group of the monitor job's Kafka source")),
    KAFKA_TRANSACTIONAL_ID_PREFIX(SettingSpec.of("kafka.transactional-id-prefix", text(), "salespulse-monitor",
            "Prefix of the exactly-once Kafka sinks' transactional ids (unique per job)")),
    TOPIC_STAGES(SharedSettings.TOPIC_STAGES),
    TOPIC_VISITS(SharedSettings.TOPIC_VISITS),
    TOPIC_ACKS(SharedSettings.TOPIC_ACKS),
    TOPIC_CASH(SharedSettings.TOPIC_CASH),
    TOPIC_POLICIES(SharedSettings.TOPIC_POLICIES),
    TOPIC_IMPORTS(SharedSettings.TOPIC_IMPORTS),
    TOPIC_ALERTS(SharedSettings.TOPIC_ALERTS),
    TOPIC_DLQ(SettingSpec.of("topic.dlq", text(), "sales.dlq", "Output topic of rejected input with the reason")),
    CLICKHOUSE_URL(SharedSettings.CLICKHOUSE_URL),
    CLICKHOUSE_USER(SharedSettings.CLICKHOUSE_USER),
    CLICKHOUSE_PASSWORD(SharedSettings.CLICKHOUSE_PASSWORD),
    CLICKHOUSE_BATCH_SIZE(SettingSpec.of("clickhouse.batch-size", integer(1, 1_000_000), "20000",
            "Rows per ClickHouse insert, at most")),
    CLICKHOUSE_FLUSH_INTERVAL(SettingSpec.of("clickhouse.flush-interval", positiveDuration(), "2s",
            "Longest time a row waits in the batch (batches are also flushed on every checkpoint)")),
    CLICKHOUSE_MAX_RETRIES(SettingSpec.of("clickhouse.max-retries", integer(0, 100), "8",
            "Retries of a failed insert (exponential backoff with jitter) before the job fails over")),
    SLA_CONTACT(sla("sla.contact", "48h", "Time after a contact card until the next card is due")),
    SLA_NEEDS(sla("sla.needs", "72h", "Time after a needs card until the next card is due")),
    SLA_PROPOSAL(sla("sla.proposal", "120h", "Time after a proposal card until the next card is due")),
    SLA_OBJECTION(sla("sla.objection", "72h", "Time after an objection card until the next card is due")),
    SLA_CLOSING(sla("sla.closing", "168h", "Time after a closing card with outcome pending until the next card")),
    STATE_TTL(SharedSettings.STATE_TTL),
    TIME_ZONE(SharedSettings.TIME_ZONE),
    CHECKPOINT_DIR(SettingSpec.of("checkpoint.dir", uriOrHomePath(), "~/.local/share/salespulse/checkpoints",
            "Where checkpoints go (a URI: file:///..., s3://...; ~/... is under the user's home). On a cluster, a"
                    + " directory every task manager reaches")),
    CHECKPOINT_INTERVAL(SettingSpec.of("checkpoint.interval", positiveDuration(), "1s",
            "Checkpoint interval: alerts become visible in Kafka (read_committed) at the next checkpoint")),
    PARALLELISM(SettingSpec.of("parallelism", integer(1, 1024), "1",
            "Parallelism of the job (keep <= partitions of the input topics)")),
    RESTART_ATTEMPTS(SettingSpec.of("restart.attempts", integer(0, 1_000_000), "10",
            "Restarts after a failure before the job gives up (exponential delay); 0 = never restart")),
    WATERMARK_OUT_OF_ORDERNESS(SettingSpec.of("watermark.out-of-orderness", duration(), "500ms",
            "How far the arrival times (Kafka timestamps) of one partition's records may be out of order")),
    WATERMARK_DRAIN_CHECK_INTERVAL(SettingSpec.of("watermark.drain-check-interval", positiveDuration(), "200ms",
            "How often a source asks Kafka whether it has read everything; once it has, the jobs' clock follows the wall clock")),
    ALERTS_OFFLINE_GRACE(SettingSpec.of("alerts.offline-grace", durationAtMost(PolicyParser.MAX_OFFLINE_GRACE), "0s",
            "Default offline_grace: how long an overdue alert waits after its due time for cards uploaded late by offline phones (policies override it per tenant, region, team)")),
    IMPORTS_UNANNOUNCED_TIMEOUT(SettingSpec.of("imports.unannounced-timeout", positiveDuration(), "15m",
            "A record whose import_id no session on topic.imports announced holds its customer this long (arrival time), then counts as live")),
    EVENT_MAX_FUTURE_SKEW(SharedSettings.EVENT_MAX_FUTURE_SKEW),
    RECEIVABLES_GRACE(SettingSpec.of("receivables.grace", duration(), "3d",
            "An invoice still not paid in full this long after its due_at -> receivable_overdue alert (payments received by then count)")),
    FUNNEL_GROUP_ID(SettingSpec.of("funnel.group-id", text(), "salespulse-funnel",
            "Consumer group of the funnel job's Kafka source")),
    FUNNEL_TRANSACTIONAL_ID_PREFIX(SettingSpec.of("funnel.transactional-id-prefix", text(), "salespulse-funnel",
            "Prefix of the funnel job's exactly-once alert sink transactional ids")),
    FUNNEL_WINDOW(SettingSpec.of("funnel.window", positiveDuration(), "7d",
            "Length of the stage-conversion window (a multiple of funnel.slide)")),
    FUNNEL_SLIDE(SettingSpec.of("funnel.slide", positiveDuration(), "1h",
            "A conversion window ends every this long (aligned to the epoch)")),
    FUNNEL_ALLOWED_LATENESS(SettingSpec.of("funnel.allowed-lateness", duration(), "10m",
            "A window's row is first computed once the arrival clock passes its end plus this; cards arriving later correct it (within 35 days)")),
    FUNNEL_BASELINE_WEEKS(SettingSpec.of("funnel.baseline-weeks", integer(1, 12), "4",
            "Baseline = the same-length windows ending 1..N weeks earlier, pooled")),
    FUNNEL_DROP_THRESHOLD(SettingSpec.of("funnel.drop-threshold", percentage(), "15",
            "Relative drop of the conversion rate against the baseline, in percent, that can open a drop episode (the sequential test's smallest designed drop)")),
    FUNNEL_MIN_ENTERED(SettingSpec.of("funnel.min-entered", integer(1, 1_000_000), "20",
            "Fewest customers for a drop to count: entered in the window (window test); in the baseline and behind the evidence (sequential test)")),
    FUNNEL_DROP_TEST(SettingSpec.of("funnel.drop-test", oneOf("sequential", "window"), "sequential",
            "How drops are found: sequential (per-entry evidence, censored by the time-to-advance curve; docs/funnel.md) or window (the 7-day rate's z-test, the rule before 2026-12)")),
    FUNNEL_DROP_EVIDENCE(SettingSpec.of("funnel.drop-evidence", integer(2, 50), "10",
            "Sequential test: log-likelihood ratio (natural log) at which a drop episode opens, and at which it recovers")),
    FUNNEL_DROP_P_VALUE(SettingSpec.of("funnel.drop-p-value", fraction("a p-value", 0.5), "0.001",
            "Window test: one-sided two-proportion z-test, the drop must be significant at this level")),
    FUNNEL_DROP_CONFIRM(SettingSpec.of("funnel.drop-confirm", duration(), "48h",
            "Window test: a drop must hold at every window end for this long before its episode opens (hourly tests are not independent)")),
    FUNNEL_RECOVERY(SettingSpec.of("funnel.recovery", duration(), "24h",
            "Window test: a drop episode ends once the rate has stayed recovered (drop below half the threshold) this long")),
    COACHING_REPEATED_OBJECTIONS(SettingSpec.of("coaching.repeated-objections", integer(1, 100), "3",
            "Same objection tag this many times on one customer within one opportunity -> coaching alert")),
    COACHING_SCRIPT_ADOPTION(SettingSpec.of("coaching.script-adoption", percentage(), "60",
            "Weekly script adoption (percent of objection cards with script_id) credibly below this two weeks running -> coaching")),
    DIGEST_TIME(SettingSpec.of("digest.time", localTime(), "08:00",
            "Local time (time-zone) of the daily forecast digest per team"));

    private final SettingSpec<?> spec;

    Setting(SettingSpec<?> spec) {
        this.spec = spec;
    }

    @Override
    public SettingSpec<?> spec() {
        return spec;
    }

    /** The settings only the funnel job reads; it reads the others (Kafka, topics, ClickHouse, SLAs...) like the monitor job. */
    public static Set<Setting> funnelOnly() {
        return EnumSet.range(FUNNEL_GROUP_ID, DIGEST_TIME);
    }

    /** The setting a flag or key names, accepting {@code --kafka-bootstrap}, {@code --kafka.bootstrap} and {@code kafka.bootstrap}. */
    public static Setting byName(String name) {
        return PipelineConfig.SCHEMA.byName(name);
    }

    private static SettingSpec<Duration> sla(String key, String defaultValue, String description) {
        return SettingSpec.of(key, positiveDuration(), defaultValue, description);
    }
}

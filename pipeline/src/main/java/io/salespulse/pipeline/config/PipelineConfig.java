package io.salespulse.pipeline.config;

import io.salespulse.contract.Durations;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.settings.Settings;
import io.salespulse.contract.settings.SettingsSchema;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The monitor and funnel jobs' configuration: one typed object built from flags and environment variables
 * (see {@link Setting}). Every value is checked when it is built, so bad configuration stops the job before
 * it touches any data, with a message naming the key ({@link io.salespulse.contract.settings.SettingsException}).
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The jobs' settings, in the order of {@link Setting}. */
    public static final SettingsSchema<Setting> SCHEMA = SettingsSchema.of(Setting.values());

    private final Settings<Setting> settings;

    public final String kafkaBootstrap;
    public final String groupId;
    public final String transactionalIdPrefix;
    public final String topicStages;
    public final String topicVisits;
    public final String topicAcks;
    public final String topicCash;
    public final String topicPolicies;
    public final String topicImports;
    public final String topicAlerts;
    public final String topicDlq;
    public final String clickhouseUrl;
    public final String clickhouseUser;
    public final String clickhousePassword;
    public final int clickhouseBatchSize;
    public final Duration clickhouseFlushInterval;
    public final int clickhouseMaxRetries;
    public final StageSla sla;
    public final Duration stateTtl;
    public final ZoneId timeZone;
    public final String checkpointDir;
    public final Duration checkpointInterval;
    public final int parallelism;
    public final int restartAttempts;
    public final Duration outOfOrderness;
    public final Duration drainCheckInterval;
    public final Duration offlineGrace;
    public final Duration unannouncedImportTimeout;
    public final Duration maxFutureSkew;
    public final Duration receivablesGrace;
    public final String funnelGroupId;
    public final String funnelTransactionalIdPrefix;
    public final Duration funnelWindow;
    public final Duration funnelSlide;
    public final Duration funnelAllowedLateness;
    public final int funnelBaselineWeeks;
    public final double funnelDropThreshold;
    public final int funnelMinEntered;
    public final boolean funnelSequentialDropTest;
    public final int funnelDropEvidence;
    public final double funnelDropPValue;
    public final Duration funnelDropConfirm;
    public final Duration funnelRecovery;
    public final int coachingRepeatedObjections;
    public final double coachingScriptAdoption;
    public final LocalTime digestTime;

    private PipelineConfig(Settings<Setting> s) {
        this.settings = s;
        kafkaBootstrap = s.get(Setting.KAFKA_BOOTSTRAP);
        groupId = s.get(Setting.KAFKA_GROUP_ID);
        transactionalIdPrefix = s.get(Setting.KAFKA_TRANSACTIONAL_ID_PREFIX);
        topicStages = s.get(Setting.TOPIC_STAGES);
        topicVisits = s.get(Setting.TOPIC_VISITS);
        topicAcks = s.get(Setting.TOPIC_ACKS);
        topicCash = s.get(Setting.TOPIC_CASH);
        topicPolicies = s.get(Setting.TOPIC_POLICIES);
        topicImports = s.get(Setting.TOPIC_IMPORTS);
        topicAlerts = s.get(Setting.TOPIC_ALERTS);
        topicDlq = s.get(Setting.TOPIC_DLQ);
        List<String> inputs = List.of(topicStages, topicVisits, topicAcks, topicCash);
        if (inputs.stream().distinct().count() != 4) {
            throw s.invalid(Setting.TOPIC_STAGES, "the stages, visits, acks and cash topics must be four different topics");
        }
        if (inputs.contains(topicPolicies) || topicPolicies.equals(topicAlerts) || topicPolicies.equals(topicDlq)) {
            throw s.invalid(Setting.TOPIC_POLICIES, "the policies topic must differ from every other topic");
        }
        if (inputs.contains(topicImports) || topicImports.equals(topicPolicies) || topicImports.equals(topicAlerts)
                || topicImports.equals(topicDlq)) {
            throw s.invalid(Setting.TOPIC_IMPORTS, "the imports topic must differ from every other topic");
        }
        if (inputs.contains(topicAlerts) || inputs.contains(topicDlq)) {
            throw s.invalid(Setting.TOPIC_DLQ, "output topics must differ from the input topics");
        }
        clickhouseUrl = s.get(Setting.CLICKHOUSE_URL);
        clickhouseUser = s.get(Setting.CLICKHOUSE_USER);
        clickhousePassword = s.get(Setting.CLICKHOUSE_PASSWORD);
        clickhouseBatchSize = s.get(Setting.CLICKHOUSE_BATCH_SIZE);
        clickhouseFlushInterval = s.get(Setting.CLICKHOUSE_FLUSH_INTERVAL);
        clickhouseMaxRetries = s.get(Setting.CLICKHOUSE_MAX_RETRIES);

        EnumMap<Stage, Setting> slaSettings = new EnumMap<>(Stage.class);
        slaSettings.put(Stage.CONTACT, Setting.SLA_CONTACT);
        slaSettings.put(Stage.NEEDS, Setting.SLA_NEEDS);
        slaSettings.put(Stage.PROPOSAL, Setting.SLA_PROPOSAL);
        slaSettings.put(Stage.OBJECTION, Setting.SLA_OBJECTION);
        slaSettings.put(Stage.CLOSING, Setting.SLA_CLOSING);
        StageSla slas = StageSla.defaults();
        for (Map.Entry<Stage, Setting> e : slaSettings.entrySet()) {
            slas = slas.with(e.getKey(), s.get(e.getValue()));
        }
        sla = slas;
        stateTtl = s.get(Setting.STATE_TTL);
        if (stateTtl.compareTo(sla.longest()) <= 0) {
            throw s.invalid(Setting.STATE_TTL, "must be longer than the longest SLA (" + Durations.format(sla.longest())
                    + "), or customers would be forgotten before they can become overdue");
        }
        timeZone = s.get(Setting.TIME_ZONE);
        checkpointDir = s.<URI>get(Setting.CHECKPOINT_DIR).toString();
        checkpointInterval = s.get(Setting.CHECKPOINT_INTERVAL);
        parallelism = s.get(Setting.PARALLELISM);
        restartAttempts = s.get(Setting.RESTART_ATTEMPTS);
        outOfOrderness = s.get(Setting.WATERMARK_OUT_OF_ORDERNESS);
        drainCheckInterval = s.get(Setting.WATERMARK_DRAIN_CHECK_INTERVAL);
        offlineGrace = s.get(Setting.ALERTS_OFFLINE_GRACE);
        unannouncedImportTimeout = s.get(Setting.IMPORTS_UNANNOUNCED_TIMEOUT);
        maxFutureSkew = s.get(Setting.EVENT_MAX_FUTURE_SKEW);
        receivablesGrace = s.get(Setting.RECEIVABLES_GRACE);
        funnelGroupId = s.get(Setting.FUNNEL_GROUP_ID);
        funnelTransactionalIdPrefix = s.get(Setting.FUNNEL_TRANSACTIONAL_ID_PREFIX);
        funnelWindow = s.get(Setting.FUNNEL_WINDOW);
        funnelSlide = s.get(Setting.FUNNEL_SLIDE);
        if (funnelWindow.toMillis() % funnelSlide.toMillis() != 0) {
            throw s.invalid(Setting.FUNNEL_WINDOW, "must be a whole multiple of " + Setting.FUNNEL_SLIDE.key());
        }
        funnelAllowedLateness = s.get(Setting.FUNNEL_ALLOWED_LATENESS);
        funnelBaselineWeeks = s.get(Setting.FUNNEL_BASELINE_WEEKS);
        funnelDropThreshold = s.get(Setting.FUNNEL_DROP_THRESHOLD);
        funnelMinEntered = s.get(Setting.FUNNEL_MIN_ENTERED);
        funnelSequentialDropTest = s.get(Setting.FUNNEL_DROP_TEST).equals("sequential");
        funnelDropEvidence = s.get(Setting.FUNNEL_DROP_EVIDENCE);
        funnelDropPValue = s.get(Setting.FUNNEL_DROP_P_VALUE);
        funnelDropConfirm = s.get(Setting.FUNNEL_DROP_CONFIRM);
        funnelRecovery = s.get(Setting.FUNNEL_RECOVERY);
        coachingRepeatedObjections = s.get(Setting.COACHING_REPEATED_OBJECTIONS);
        coachingScriptAdoption = s.get(Setting.COACHING_SCRIPT_ADOPTION);
        digestTime = s.get(Setting.DIGEST_TIME);
    }

    /**
     * Builds the configuration from command-line arguments and the environment. Arguments are
     * {@code --flag value} or {@code --flag=value}; an unknown flag is an error.
     */
    public static PipelineConfig load(String[] args, Map<String, String> env) {
        return new PipelineConfig(SCHEMA.load(args, env));
    }

    /** {@code explicit} are values given on the command line or by code: they win over {@code env}. */
    public static PipelineConfig load(Map<Setting, String> explicit, Map<String, String> env) {
        return new PipelineConfig(SCHEMA.load(explicit, env));
    }

    public static PipelineConfig defaults() {
        return load(Map.of(), Map.of());
    }

    /** A copy with some settings replaced (used by the demo and tests). */
    public PipelineConfig with(Map<Setting, String> overrides) {
        return new PipelineConfig(settings.with(overrides));
    }

    /** The text of a setting's value, as given. */
    public String raw(Setting s) {
        return settings.raw(s);
    }

    /** Every setting and its effective value, secrets masked: safe to log. */
    public List<String> describe() {
        return settings.describe();
    }
}

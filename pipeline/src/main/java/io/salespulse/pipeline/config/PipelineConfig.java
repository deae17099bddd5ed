package io.salespulse.pipeline.config;

import io.salespulse.contract.Durations;
import io.salespulse.contract.SettingValues;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The monitor job's configuration: one typed, validated object built from flags and environment
 * variables (see {@link Setting}). Validation happens here, at start-up, so bad configuration stops the
 * job before it touches any data, with a message naming the key.
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern HOST_PORT_LIST =
            Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5})*");

    private final EnumMap<Setting, String> raw;

    public final String kafkaBootstrap;
    public final String groupId;
    public final String transactionalIdPrefix;
    public final String topicStages;
    public final String topicVisits;
    public final String topicAcks;
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
    public final String funnelGroupId;
    public final String funnelTransactionalIdPrefix;
    public final Duration funnelWindow;
    public final Duration funnelSlide;
    public final Duration funnelAllowedLateness;
    public final int funnelBaselineWeeks;
    public final double funnelDropThreshold;
    public final int funnelMinEntered;
    public final double funnelDropPValue;
    public final Duration funnelDropConfirm;
    public final Duration funnelRecovery;
    public final int coachingRepeatedObjections;
    public final double coachingScriptAdoption;
    public final java.time.LocalTime digestTime;

    private PipelineConfig(EnumMap<Setting, String> raw) {
        this.raw = raw;
        kafkaBootstrap = text(Setting.KAFKA_BOOTSTRAP);
        if (!HOST_PORT_LIST.matcher(kafkaBootstrap).matches()) {
            throw ConfigException.invalid(Setting.KAFKA_BOOTSTRAP, kafkaBootstrap,
                    "expected host:port[,host:port...]");
        }
        groupId = text(Setting.KAFKA_GROUP_ID);
        transactionalIdPrefix = text(Setting.KAFKA_TRANSACTIONAL_ID_PREFIX);
        topicStages = text(Setting.TOPIC_STAGES);
        topicVisits = text(Setting.TOPIC_VISITS);
        topicAcks = text(Setting.TOPIC_ACKS);
        topicPolicies = text(Setting.TOPIC_POLICIES);
        topicImports = text(Setting.TOPIC_IMPORTS);
        topicAlerts = text(Setting.TOPIC_ALERTS);
        topicDlq = text(Setting.TOPIC_DLQ);
        List<String> inputs = List.of(topicStages, topicVisits, topicAcks);
        if (inputs.stream().distinct().count() != 3) {
            throw ConfigException.invalid(Setting.TOPIC_STAGES, topicStages,
                    "the stages, visits and acks topics must be three different topics");
        }
        if (inputs.contains(topicPolicies) || topicPolicies.equals(topicAlerts) || topicPolicies.equals(topicDlq)) {
            throw ConfigException.invalid(Setting.TOPIC_POLICIES, topicPolicies,
                    "the policies topic must differ from every other topic");
        }
        if (inputs.contains(topicImports) || topicImports.equals(topicPolicies) || topicImports.equals(topicAlerts)
                || topicImports.equals(topicDlq)) {
            throw ConfigException.invalid(Setting.TOPIC_IMPORTS, topicImports,
                    "the imports topic must differ from every other topic");
        }
        if (inputs.contains(topicAlerts) || inputs.contains(topicDlq)) {
            throw ConfigException.invalid(Setting.TOPIC_DLQ, topicDlq,
                    "output topics must differ from the input topics");
        }
        clickhouseUrl = text(Setting.CLICKHOUSE_URL);
        if (!clickhouseUrl.startsWith("jdbc:clickhouse:") && !clickhouseUrl.startsWith("jdbc:ch:")) {
            throw ConfigException.invalid(Setting.CLICKHOUSE_URL, clickhouseUrl,
                    "expected a JDBC URL like jdbc:clickhouse://host:8123/default");
        }
        clickhouseUser = text(Setting.CLICKHOUSE_USER);
        clickhousePassword = raw.get(Setting.CLICKHOUSE_PASSWORD);
        clickhouseBatchSize = positiveInt(Setting.CLICKHOUSE_BATCH_SIZE, 1_000_000);
        clickhouseFlushInterval = positiveDuration(Setting.CLICKHOUSE_FLUSH_INTERVAL);
        clickhouseMaxRetries = nonNegativeInt(Setting.CLICKHOUSE_MAX_RETRIES, 100);

        EnumMap<Stage, Setting> slaSettings = new EnumMap<>(Stage.class);
        slaSettings.put(Stage.CONTACT, Setting.SLA_CONTACT);
        slaSettings.put(Stage.NEEDS, Setting.SLA_NEEDS);
        slaSettings.put(Stage.PROPOSAL, Setting.SLA_PROPOSAL);
        slaSettings.put(Stage.OBJECTION, Setting.SLA_OBJECTION);
        slaSettings.put(Stage.CLOSING, Setting.SLA_CLOSING);
        StageSla s = StageSla.defaults();
        for (Map.Entry<Stage, Setting> e : slaSettings.entrySet()) {
            s = s.with(e.getKey(), positiveDuration(e.getValue()));
        }
        sla = s;
        stateTtl = positiveDuration(Setting.STATE_TTL);
        if (stateTtl.compareTo(sla.longest()) <= 0) {
            throw ConfigException.invalid(Setting.STATE_TTL, raw.get(Setting.STATE_TTL),
                    "must be longer than the longest SLA (" + Durations.format(sla.longest())
                            + "), or customers would be forgotten before they can become overdue");
        }
        try {
            timeZone = ZoneId.of(text(Setting.TIME_ZONE));
        } catch (RuntimeException e) {
            throw ConfigException.invalid(Setting.TIME_ZONE, raw.get(Setting.TIME_ZONE),
                    "not a time zone id (e.g. Asia/Shanghai)");
        }
        checkpointDir = text(Setting.CHECKPOINT_DIR);
        try {
            URI uri = URI.create(checkpointDir);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            throw ConfigException.invalid(Setting.CHECKPOINT_DIR, checkpointDir,
                    "expected a URI with a scheme, e.g. file:///var/lib/salespulse/checkpoints or s3://bucket/path");
        }
        checkpointInterval = positiveDuration(Setting.CHECKPOINT_INTERVAL);
        parallelism = positiveInt(Setting.PARALLELISM, 1024);
        restartAttempts = nonNegativeInt(Setting.RESTART_ATTEMPTS, 1_000_000);
        outOfOrderness = nonNegativeDuration(Setting.WATERMARK_OUT_OF_ORDERNESS);
        drainCheckInterval = positiveDuration(Setting.WATERMARK_DRAIN_CHECK_INTERVAL);
        offlineGrace = nonNegativeDuration(Setting.ALERTS_OFFLINE_GRACE);
        if (offlineGrace.compareTo(io.salespulse.contract.policy.PolicyParser.MAX_OFFLINE_GRACE) > 0) {
            throw ConfigException.invalid(Setting.ALERTS_OFFLINE_GRACE, raw.get(Setting.ALERTS_OFFLINE_GRACE),
                    "must be at most " + Durations.format(io.salespulse.contract.policy.PolicyParser.MAX_OFFLINE_GRACE));
        }
        unannouncedImportTimeout = positiveDuration(Setting.IMPORTS_UNANNOUNCED_TIMEOUT);
        maxFutureSkew = nonNegativeDuration(Setting.EVENT_MAX_FUTURE_SKEW);
        funnelGroupId = text(Setting.FUNNEL_GROUP_ID);
        funnelTransactionalIdPrefix = text(Setting.FUNNEL_TRANSACTIONAL_ID_PREFIX);
        funnelWindow = positiveDuration(Setting.FUNNEL_WINDOW);
        funnelSlide = positiveDuration(Setting.FUNNEL_SLIDE);
        if (funnelWindow.toMillis() % funnelSlide.toMillis() != 0) {
            throw ConfigException.invalid(Setting.FUNNEL_WINDOW, raw.get(Setting.FUNNEL_WINDOW),
                    "must be a whole multiple of " + Setting.FUNNEL_SLIDE.key());
        }
        funnelAllowedLateness = nonNegativeDuration(Setting.FUNNEL_ALLOWED_LATENESS);
        funnelBaselineWeeks = positiveInt(Setting.FUNNEL_BASELINE_WEEKS, 12);
        funnelDropThreshold = fraction(Setting.FUNNEL_DROP_THRESHOLD, 0, 100, "a percentage between 0 and 100");
        funnelMinEntered = positiveInt(Setting.FUNNEL_MIN_ENTERED, 1_000_000);
        funnelDropPValue = fraction(Setting.FUNNEL_DROP_P_VALUE, 0, 0.5, "a p-value between 0 and 0.5");
        funnelDropConfirm = nonNegativeDuration(Setting.FUNNEL_DROP_CONFIRM);
        funnelRecovery = nonNegativeDuration(Setting.FUNNEL_RECOVERY);
        coachingRepeatedObjections = positiveInt(Setting.COACHING_REPEATED_OBJECTIONS, 100);
        coachingScriptAdoption = fraction(Setting.COACHING_SCRIPT_ADOPTION, 0, 100, "a percentage between 0 and 100");
        try {
            digestTime = java.time.LocalTime.parse(text(Setting.DIGEST_TIME));
        } catch (java.time.format.DateTimeParseException e) {
            throw ConfigException.invalid(Setting.DIGEST_TIME, raw.get(Setting.DIGEST_TIME), "expected a time like 08:00");
        }
    }

    private double fraction(Setting s, double min, double max, String what) {
        double v;
        try {
            v = Double.parseDouble(text(s));
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(s, raw.get(s), "not a number");
        }
        if (!(v > min && v < max)) {
            throw ConfigException.invalid(s, raw.get(s), "must be " + what + " (exclusive)");
        }
        return v;
    }

    /**
     * Builds the configuration from command-line arguments and the environment. Arguments are
     * {@code --flag value} or {@code --flag=value}; an unknown flag is an error.
     */
    public static PipelineConfig load(String[] args, Map<String, String> env) {
        return load(parseArgs(args), env);
    }

    public static PipelineConfig load(Map<Setting, String> explicit, Map<String, String> env) {
        EnumMap<Setting, String> raw = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String v = explicit.get(s);
            if (v == null) {
                v = env.get(s.env());
            }
            raw.put(s, v == null ? s.defaultValue() : v.trim());
        }
        return new PipelineConfig(raw);
    }

    public static PipelineConfig defaults() {
        return load(Map.of(), Map.of());
    }

    public static Map<Setting, String> parseArgs(String[] args) {
        Map<Setting, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new ConfigException("Unexpected argument '" + a + "': settings are given as --name value");
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("Setting " + a + " has no value");
            }
            Setting s = Setting.byName(name);
            if (s == null) {
                throw new ConfigException("Unknown setting " + name + " (see --help for the list)");
            }
            out.put(s, value);
        }
        return out;
    }

    /** A copy with some settings replaced (used by the demo and tests). */
    public PipelineConfig with(Map<Setting, String> overrides) {
        EnumMap<Setting, String> copy = new EnumMap<>(raw);
        copy.putAll(overrides);
        return new PipelineConfig(copy);
    }

    public String raw(Setting s) {
        return raw.get(s);
    }

    /** Every setting and its effective value, secrets masked: safe to log. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Setting s : Setting.values()) {
            String v = raw.get(s);
            lines.add(s.key() + " = " + (s.secret() ? (v.isEmpty() ? "(empty)" : "***") : v));
        }
        return lines;
    }

    private SettingValues.Invalid invalid(Setting s) {
        return (value, why) -> ConfigException.invalid(s, value, why);
    }

    private String text(Setting s) {
        return SettingValues.text(raw.get(s), invalid(s));
    }

    private int positiveInt(Setting s, int max) {
        return SettingValues.integer(raw.get(s), 1, max, invalid(s));
    }

    private int nonNegativeInt(Setting s, int max) {
        return SettingValues.integer(raw.get(s), 0, max, invalid(s));
    }

    private Duration positiveDuration(Setting s) {
        return SettingValues.duration(raw.get(s), false, invalid(s));
    }

    private Duration nonNegativeDuration(Setting s) {
        return SettingValues.duration(raw.get(s), true, invalid(s));
    }
}

package io.salespulse.notifier.config;

import io.salespulse.contract.SettingValues;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifier's configuration: one typed object built from flags and the environment, validated at
 * start-up so a bad value stops the service with a message naming the key.
 */
public final class NotifierConfig {
    private final EnumMap<NotifierSetting, String> raw;

    public final String kafkaBootstrap;
    public final String topicAlerts;
    public final String topicAcks;
    public final String clickhouseUrl;
    public final String clickhouseUser;
    public final String clickhousePassword;
    public final ZoneId timeZone;
    public final String topicPolicies;
    public final Duration stateTtl;
    public final String groupId;
    public final Path routesFile;
    public final Path secretsFile;
    public final Duration routesReloadInterval;
    public final URI wecomUrl;
    public final Duration requestTimeout;
    public final int ratePerMinute;
    public final Duration rateMargin;
    public final int maxBatch;
    public final int maxAttempts;
    public final Duration retryBase;
    public final Duration retryMax;
    public final String ackHost;
    public final int ackPort;
    public final String ackBaseUrl;
    public final String workQueueUrl;
    public final Duration escalationInterval;

    private NotifierConfig(EnumMap<NotifierSetting, String> raw) {
        this.raw = raw;
        kafkaBootstrap = text(NotifierSetting.KAFKA_BOOTSTRAP);
        topicAlerts = text(NotifierSetting.TOPIC_ALERTS);
        topicAcks = text(NotifierSetting.TOPIC_ACKS);
        if (topicAlerts.equals(topicAcks)) {
            throw NotifierConfigException.invalid(NotifierSetting.TOPIC_ACKS, topicAcks, "must differ from topic.alerts");
        }
        clickhouseUrl = text(NotifierSetting.CLICKHOUSE_URL);
        if (!clickhouseUrl.startsWith("jdbc:clickhouse:") && !clickhouseUrl.startsWith("jdbc:ch:")) {
            throw NotifierConfigException.invalid(NotifierSetting.CLICKHOUSE_URL, clickhouseUrl,
                    "expected a JDBC URL like jdbc:clickhouse://host:8123/default");
        }
        clickhouseUser = text(NotifierSetting.CLICKHOUSE_USER);
        clickhousePassword = raw.get(NotifierSetting.CLICKHOUSE_PASSWORD);
        try {
            timeZone = ZoneId.of(text(NotifierSetting.TIME_ZONE));
        } catch (RuntimeException e) {
            throw NotifierConfigException.invalid(NotifierSetting.TIME_ZONE, raw.get(NotifierSetting.TIME_ZONE),
                    "not a time zone id (e.g. Asia/Shanghai)");
        }
        topicPolicies = text(NotifierSetting.TOPIC_POLICIES);
        if (topicPolicies.equals(topicAlerts) || topicPolicies.equals(topicAcks)) {
            throw NotifierConfigException.invalid(NotifierSetting.TOPIC_POLICIES, topicPolicies,
                    "must differ from topic.alerts and topic.acks");
        }
        stateTtl = positiveDuration(NotifierSetting.STATE_TTL);
        groupId = text(NotifierSetting.GROUP_ID);
        routesFile = Path.of(text(NotifierSetting.ROUTES));
        String secrets = raw.get(NotifierSetting.SECRETS_FILE);
        secretsFile = secrets == null || secrets.isBlank() ? null : Path.of(secrets);
        routesReloadInterval = positiveDuration(NotifierSetting.ROUTES_RELOAD_INTERVAL);
        wecomUrl = httpUrl(NotifierSetting.WECOM_URL);
        requestTimeout = positiveDuration(NotifierSetting.REQUEST_TIMEOUT);
        ratePerMinute = positiveInt(NotifierSetting.RATE_PER_MINUTE, 20);
        rateMargin = nonNegativeDuration(NotifierSetting.RATE_MARGIN);
        maxBatch = positiveInt(NotifierSetting.MAX_BATCH, 10_000);
        maxAttempts = positiveInt(NotifierSetting.MAX_ATTEMPTS, 100);
        retryBase = positiveDuration(NotifierSetting.RETRY_BASE);
        retryMax = positiveDuration(NotifierSetting.RETRY_MAX);
        if (retryMax.compareTo(retryBase) < 0) {
            throw NotifierConfigException.invalid(NotifierSetting.RETRY_MAX, raw.get(NotifierSetting.RETRY_MAX),
                    "must not be shorter than " + NotifierSetting.RETRY_BASE.key());
        }
        ackHost = text(NotifierSetting.ACK_HOST);
        ackPort = SettingValues.integer(raw.get(NotifierSetting.ACK_PORT), 0, 65535, invalid(NotifierSetting.ACK_PORT));
        ackBaseUrl = stripSlash(httpUrl(NotifierSetting.ACK_BASE_URL).toString());
        workQueueUrl = httpUrl(NotifierSetting.WORK_QUEUE_URL).toString();
        escalationInterval = positiveDuration(NotifierSetting.ESCALATION_INTERVAL);
    }

    /** Flags ({@code --name value} or {@code --name=value}) over the environment over the defaults. */
    public static NotifierConfig load(String[] args, Map<String, String> env) {
        return load(parseArgs(args, false), env);
    }

    /**
     * As {@link #load(String[], Map)}, but flags that are not notifier settings are skipped: used when
     * {@code bin/salespulse run notifier} hands over the monitor job's whole setting list.
     */
    public static NotifierConfig loadIgnoringOtherFlags(String[] args, Map<String, String> env) {
        return load(parseArgs(args, true), env);
    }

    public static NotifierConfig load(Map<NotifierSetting, String> explicit, Map<String, String> env) {
        EnumMap<NotifierSetting, String> raw = new EnumMap<>(NotifierSetting.class);
        for (NotifierSetting s : NotifierSetting.values()) {
            String v = explicit.get(s);
            if (v == null) {
                v = env.get(s.env());
            }
            raw.put(s, v == null ? s.defaultValue() : v.trim());
        }
        return new NotifierConfig(raw);
    }

    static Map<NotifierSetting, String> parseArgs(String[] args, boolean skipUnknown) {
        Map<NotifierSetting, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new NotifierConfigException("Unexpected argument '" + a + "': settings are given as --name value");
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
                throw new NotifierConfigException("Setting " + a + " has no value");
            }
            NotifierSetting s = NotifierSetting.byName(name);
            if (s == null) {
                if (skipUnknown) {
                    continue;
                }
                throw new NotifierConfigException("Unknown setting " + name + " (see the README's notifier settings)");
            }
            out.put(s, value);
        }
        return out;
    }

    /** A copy with some settings replaced (tests). */
    public NotifierConfig with(Map<NotifierSetting, String> overrides) {
        EnumMap<NotifierSetting, String> copy = new EnumMap<>(raw);
        copy.putAll(overrides);
        return new NotifierConfig(copy);
    }

    /** Every setting and its effective value, secrets masked: safe to log. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (NotifierSetting s : NotifierSetting.values()) {
            String v = raw.get(s);
            lines.add(s.key() + " = " + (s.secret() ? (v.isEmpty() ? "(empty)" : "***") : v));
        }
        return lines;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private URI httpUrl(NotifierSetting s) {
        String v = text(s);
        try {
            URI uri = URI.create(v);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw NotifierConfigException.invalid(s, v, "expected an http(s) URL");
        }
    }

    private SettingValues.Invalid invalid(NotifierSetting s) {
        return (value, why) -> NotifierConfigException.invalid(s, value, why);
    }

    private String text(NotifierSetting s) {
        return SettingValues.text(raw.get(s), invalid(s));
    }

    private int positiveInt(NotifierSetting s, int max) {
        return SettingValues.integer(raw.get(s), 1, max, invalid(s));
    }

    private Duration positiveDuration(NotifierSetting s) {
        return SettingValues.duration(raw.get(s), false, invalid(s));
    }

    private Duration nonNegativeDuration(NotifierSetting s) {
        return SettingValues.duration(raw.get(s), true, invalid(s));
    }
}

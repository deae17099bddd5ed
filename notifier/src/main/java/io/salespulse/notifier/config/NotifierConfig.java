package io.salespulse.notifier.config;

import io.salespulse.contract.settings.Settings;
import io.salespulse.contract.settings.SettingsSchema;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * The notifier's configuration: one typed object built from flags and the environment (see
 * {@link NotifierSetting}), checked at start-up so a bad value stops the service with a message naming the key
 * ({@link io.salespulse.contract.settings.SettingsException}).
 */
public final class NotifierConfig {
    /** The notifier's settings, in the order of {@link NotifierSetting}. */
    public static final SettingsSchema<NotifierSetting> SCHEMA = SettingsSchema.of(NotifierSetting.values());

    private final Settings<NotifierSetting> settings;

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
    /** Null when there is none. */
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
    /** Signs the alert page's links; never logged ({@link #describe()} masks it). */
    public final String linkSecret;
    public final Duration linkTtl;
    public final String workQueueUrl;
    public final String opsRoute;
    public final Duration escalationInterval;
    public final Duration healthStall;
    public final int healthFailedPosts;

    private NotifierConfig(Settings<NotifierSetting> s) {
        this.settings = s;
        kafkaBootstrap = s.get(NotifierSetting.KAFKA_BOOTSTRAP);
        topicAlerts = s.get(NotifierSetting.TOPIC_ALERTS);
        topicAcks = s.get(NotifierSetting.TOPIC_ACKS);
        if (topicAlerts.equals(topicAcks)) {
            throw s.invalid(NotifierSetting.TOPIC_ACKS, "must differ from topic.alerts");
        }
        clickhouseUrl = s.get(NotifierSetting.CLICKHOUSE_URL);
        clickhouseUser = s.get(NotifierSetting.CLICKHOUSE_USER);
        clickhousePassword = s.get(NotifierSetting.CLICKHOUSE_PASSWORD);
        timeZone = s.get(NotifierSetting.TIME_ZONE);
        topicPolicies = s.get(NotifierSetting.TOPIC_POLICIES);
        if (topicPolicies.equals(topicAlerts) || topicPolicies.equals(topicAcks)) {
            throw s.invalid(NotifierSetting.TOPIC_POLICIES, "must differ from topic.alerts and topic.acks");
        }
        stateTtl = s.get(NotifierSetting.STATE_TTL);
        groupId = s.get(NotifierSetting.GROUP_ID);
        routesFile = s.get(NotifierSetting.ROUTES);
        secretsFile = s.get(NotifierSetting.SECRETS_FILE);
        routesReloadInterval = s.get(NotifierSetting.ROUTES_RELOAD_INTERVAL);
        wecomUrl = s.get(NotifierSetting.WECOM_URL);
        requestTimeout = s.get(NotifierSetting.REQUEST_TIMEOUT);
        ratePerMinute = s.get(NotifierSetting.RATE_PER_MINUTE);
        rateMargin = s.get(NotifierSetting.RATE_MARGIN);
        maxBatch = s.get(NotifierSetting.MAX_BATCH);
        maxAttempts = s.get(NotifierSetting.MAX_ATTEMPTS);
        retryBase = s.get(NotifierSetting.RETRY_BASE);
        retryMax = s.get(NotifierSetting.RETRY_MAX);
        if (retryMax.compareTo(retryBase) < 0) {
            throw s.invalid(NotifierSetting.RETRY_MAX, "must not be shorter than " + NotifierSetting.RETRY_BASE.key());
        }
        ackHost = s.get(NotifierSetting.ACK_HOST);
        ackPort = s.get(NotifierSetting.ACK_PORT);
        ackBaseUrl = stripSlash(s.get(NotifierSetting.ACK_BASE_URL).toString());
        linkSecret = s.get(NotifierSetting.LINK_SECRET);
        linkTtl = s.get(NotifierSetting.LINK_TTL);
        workQueueUrl = s.get(NotifierSetting.WORK_QUEUE_URL).toString();
        opsRoute = s.get(NotifierSetting.OPS_ROUTE);
        escalationInterval = s.get(NotifierSetting.ESCALATION_INTERVAL);
        healthStall = s.get(NotifierSetting.HEALTH_STALL);
        healthFailedPosts = s.get(NotifierSetting.HEALTH_FAILED_POSTS);
    }

    /** Flags ({@code --name value} or {@code --name=value}) over the environment over the defaults. */
    public static NotifierConfig load(String[] args, Map<String, String> env) {
        return new NotifierConfig(SCHEMA.load(args, env));
    }

    /**
     * As {@link #load(String[], Map)}, but flags that are not notifier settings are skipped: used when
     * {@code bin/salespulse run notifier} hands over the monitor job's whole setting list.
     */
    public static NotifierConfig loadIgnoringOtherFlags(String[] args, Map<String, String> env) {
        return new NotifierConfig(SCHEMA.loadIgnoringOtherFlags(args, env));
    }

    public static NotifierConfig load(Map<NotifierSetting, String> explicit, Map<String, String> env) {
        return new NotifierConfig(SCHEMA.load(explicit, env));
    }

    /** A copy with some settings replaced (tests). */
    public NotifierConfig with(Map<NotifierSetting, String> overrides) {
        return new NotifierConfig(settings.with(overrides));
    }

    /** Every setting and its effective value, secrets masked: safe to log. */
    public List<String> describe() {
        return settings.describe();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

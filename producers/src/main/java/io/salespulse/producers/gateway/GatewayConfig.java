package io.salespulse.producers.gateway;

import io.salespulse.contract.Durations;
import io.salespulse.contract.settings.Settings;
import io.salespulse.contract.settings.SettingsSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything the ingest gateway reads at start-up ({@link GatewaySetting}), from flags and the environment
 * ({@link #load}) or from code ({@link #builder()}). Every value is checked when it is built and a bad one
 * names the setting by key, flag and environment variable, so a typo stops the gateway with one clear line
 * instead of a half-working service.
 */
public final class GatewayConfig {
    /** The gateway's settings, in the order of {@link GatewaySetting}. */
    public static final SettingsSchema<GatewaySetting> SCHEMA = SettingsSchema.of(GatewaySetting.values());

    private final Settings<GatewaySetting> settings;
    private final String host;
    private final int port;
    private final String kafkaBootstrap;
    private final String topicStages;
    private final String topicVisits;
    private final String topicAcks;
    private final String topicCash;
    private final String topicImports;
    private final Path tokensFile;
    private final int maxBodyBytes;
    private final int maxBatchEvents;
    private final int threads;
    private final int queueCapacity;
    private final Duration publishTimeout;
    private final Duration retryAfter;
    private final Duration requestTimeout;
    private final Duration maxFutureSkew;
    private final Duration importTimeout;

    private GatewayConfig(Settings<GatewaySetting> s) {
        this.settings = s;
        this.host = s.get(GatewaySetting.HOST);
        this.port = s.get(GatewaySetting.PORT);
        this.kafkaBootstrap = s.get(GatewaySetting.KAFKA_BOOTSTRAP);
        this.topicStages = s.get(GatewaySetting.TOPIC_STAGES);
        this.topicVisits = s.get(GatewaySetting.TOPIC_VISITS);
        this.topicAcks = s.get(GatewaySetting.TOPIC_ACKS);
        this.topicCash = s.get(GatewaySetting.TOPIC_CASH);
        this.topicImports = s.get(GatewaySetting.TOPIC_IMPORTS);
        this.tokensFile = s.get(GatewaySetting.TOKENS_FILE);
        this.maxBodyBytes = s.get(GatewaySetting.MAX_BODY_BYTES);
        this.maxBatchEvents = s.get(GatewaySetting.MAX_BATCH_EVENTS);
        this.threads = s.get(GatewaySetting.THREADS);
        this.queueCapacity = s.get(GatewaySetting.QUEUE_CAPACITY);
        this.publishTimeout = s.get(GatewaySetting.PUBLISH_TIMEOUT);
        this.retryAfter = s.get(GatewaySetting.RETRY_AFTER);
        this.requestTimeout = s.get(GatewaySetting.REQUEST_TIMEOUT);
        this.maxFutureSkew = s.get(GatewaySetting.EVENT_MAX_FUTURE_SKEW);
        this.importTimeout = s.get(GatewaySetting.IMPORT_TIMEOUT);
    }

    /** Flags (collected by the command line) over the environment over the defaults. */
    public static GatewayConfig load(Map<GatewaySetting, String> explicit, Map<String, String> env) {
        return new GatewayConfig(SCHEMA.load(explicit, env));
    }

    /** For code and tests: the defaults, changed by the builder's methods; nothing comes from the environment. */
    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    /** 0 = a free port (tests, the benchmark). */
    public int port() {
        return port;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String topicStages() {
        return topicStages;
    }

    public String topicVisits() {
        return topicVisits;
    }

    public String topicAcks() {
        return topicAcks;
    }

    /** Where {@code /v1/contracts}, {@code /v1/invoices} and {@code /v1/payments} write. */
    public String topicCash() {
        return topicCash;
    }

    /** The compacted topic of history-import sessions ({@code sales.imports}). */
    public String topicImports() {
        return topicImports;
    }

    public Path tokensFile() {
        return tokensFile;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public int maxBatchEvents() {
        return maxBatchEvents;
    }

    /** Threads for requests that have arrived whole: JSON, validation, waiting for Kafka's acknowledgement. */
    public int threads() {
        return threads;
    }

    /** Whole requests waiting for one of the {@link #threads()}; beyond that the answer is 503. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** The longest a request waits for Kafka's acknowledgement before it is answered 503. */
    public Duration publishTimeout() {
        return publishTimeout;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * How long a client may take to send a request: its head from the moment its first bytes are seen, its
     * body from the end of the head. Slower ones are cut off (slowloris).
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    /**
     * How long an open import session lasts without being renewed; {@code POST /v1/imports} sets its
     * {@code expires_at} to now plus this and asks the importer to renew within a third of it.
     */
    public Duration importTimeout() {
        return importTimeout;
    }

    /** {@code key=value} pairs for the start-up log line. */
    @Override
    public String toString() {
        return settings.shown().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    /** Sets settings by code; {@link #build()} checks them exactly as if they had been flags. */
    public static final class Builder {
        private final Map<GatewaySetting, String> values = new EnumMap<>(GatewaySetting.class);

        private Builder() {}

        private Builder set(GatewaySetting s, Object value) {
            if (value == null) {
                values.remove(s);
            } else {
                values.put(s, value instanceof Duration d ? Durations.format(d) : value.toString());
            }
            return this;
        }

        public Builder host(String host) {
            return set(GatewaySetting.HOST, host);
        }

        public Builder port(int port) {
            return set(GatewaySetting.PORT, port);
        }

        public Builder kafkaBootstrap(String kafkaBootstrap) {
            return set(GatewaySetting.KAFKA_BOOTSTRAP, kafkaBootstrap);
        }

        public Builder topics(String stages, String visits, String acks) {
            set(GatewaySetting.TOPIC_STAGES, stages);
            set(GatewaySetting.TOPIC_VISITS, visits);
            return set(GatewaySetting.TOPIC_ACKS, acks);
        }

        public Builder topicCash(String cash) {
            return set(GatewaySetting.TOPIC_CASH, cash);
        }

        public Builder topicImports(String imports) {
            return set(GatewaySetting.TOPIC_IMPORTS, imports);
        }

        public Builder tokensFile(Path tokensFile) {
            return set(GatewaySetting.TOKENS_FILE, tokensFile);
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            return set(GatewaySetting.MAX_BODY_BYTES, maxBodyBytes);
        }

        public Builder maxBatchEvents(int maxBatchEvents) {
            return set(GatewaySetting.MAX_BATCH_EVENTS, maxBatchEvents);
        }

        public Builder threads(int threads) {
            return set(GatewaySetting.THREADS, threads);
        }

        public Builder queueCapacity(int queueCapacity) {
            return set(GatewaySetting.QUEUE_CAPACITY, queueCapacity);
        }

        public Builder publishTimeout(Duration publishTimeout) {
            return set(GatewaySetting.PUBLISH_TIMEOUT, publishTimeout);
        }

        public Builder retryAfter(Duration retryAfter) {
            return set(GatewaySetting.RETRY_AFTER, retryAfter);
        }

        public Builder requestTimeout(Duration requestTimeout) {
            return set(GatewaySetting.REQUEST_TIMEOUT, requestTimeout);
        }

        public Builder maxFutureSkew(Duration maxFutureSkew) {
            return set(GatewaySetting.EVENT_MAX_FUTURE_SKEW, maxFutureSkew);
        }

        public Builder importTimeout(Duration importTimeout) {
            return set(GatewaySetting.IMPORT_TIMEOUT, importTimeout);
        }

        /** @throws io.salespulse.contract.settings.SettingsException naming the first bad setting */
        public GatewayConfig build() {
            return new GatewayConfig(SCHEMA.load(values, Map.of()));
        }
    }
}

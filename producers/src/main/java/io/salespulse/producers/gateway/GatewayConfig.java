package io.salespulse.producers.gateway;

import io.salespulse.contract.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the ingest gateway reads at start-up. {@link Builder#build()} validates every value and
 * names the bad setting by key, flag and environment variable, so a typo stops the gateway with one
 * clear line instead of a half-working service.
 */
public final class GatewayConfig {
    private final String host;
    private final int port;
    private final String kafkaBootstrap;
    private final String topicStages;
    private final String topicVisits;
    private final String topicAcks;
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

    private GatewayConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.topicStages = b.topicStages;
        this.topicVisits = b.topicVisits;
        this.topicAcks = b.topicAcks;
        this.topicImports = b.topicImports;
        this.tokensFile = b.tokensFile;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxBatchEvents = b.maxBatchEvents;
        this.threads = b.threads;
        this.queueCapacity = b.queueCapacity;
        this.publishTimeout = b.publishTimeout;
        this.retryAfter = b.retryAfter;
        this.requestTimeout = b.requestTimeout;
        this.maxFutureSkew = b.maxFutureSkew;
        this.importTimeout = b.importTimeout;
    }

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

    @Override
    public String toString() {
        return "host=" + host + " port=" + port + " kafka.bootstrap=" + kafkaBootstrap + " topics=" + topicStages + ","
                + topicVisits + "," + topicAcks + "," + topicImports + " tokens-file=" + tokensFile
                + " max-body-bytes=" + maxBodyBytes + " max-batch-events=" + maxBatchEvents + " threads=" + threads
                + " queue=" + queueCapacity + " publish-timeout=" + publishTimeout.toMillis() + "ms retry-after="
                + retryAfter.toSeconds() + "s request-timeout=" + requestTimeout.toMillis() + "ms import-timeout="
                + importTimeout.toSeconds() + "s";
    }

    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private String kafkaBootstrap = "127.0.0.1:9092";
        private String topicStages = Topics.STAGES;
        private String topicVisits = Topics.VISITS;
        private String topicAcks = Topics.ACKS;
        private String topicImports = Topics.IMPORTS;
        private Path tokensFile;
        private int maxBodyBytes = 1024 * 1024;
        private int maxBatchEvents = 500;
        private int threads = 32;
        private int queueCapacity = 256;
        private Duration publishTimeout = Duration.ofSeconds(5);
        private Duration retryAfter = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration maxFutureSkew = Duration.ofHours(1);
        private Duration importTimeout = Duration.ofMinutes(15);

        private Builder() {}

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder kafkaBootstrap(String kafkaBootstrap) {
            this.kafkaBootstrap = kafkaBootstrap;
            return this;
        }

        public Builder topics(String stages, String visits, String acks) {
            this.topicStages = stages;
            this.topicVisits = visits;
            this.topicAcks = acks;
            return this;
        }

        public Builder topicImports(String imports) {
            this.topicImports = imports;
            return this;
        }

        public Builder tokensFile(Path tokensFile) {
            this.tokensFile = tokensFile;
            return this;
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder maxBatchEvents(int maxBatchEvents) {
            this.maxBatchEvents = maxBatchEvents;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder maxFutureSkew(Duration maxFutureSkew) {
            this.maxFutureSkew = maxFutureSkew;
            return this;
        }

        public Builder importTimeout(Duration importTimeout) {
            this.importTimeout = importTimeout;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad setting (key, flag, environment variable) */
        public GatewayConfig build() {
            require(host != null && !host.isBlank(), "host", String.valueOf(host), "must not be empty");
            require(port >= 0 && port <= 65535, "port", Integer.toString(port), "must be between 0 and 65535");
            require(kafkaBootstrap != null && kafkaBootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*"),
                    "kafka-bootstrap", String.valueOf(kafkaBootstrap), "must be host:port[,host:port...]");
            require(topicStages != null && !topicStages.isBlank(), "topic-stages", String.valueOf(topicStages),
                    "must not be empty");
            require(topicVisits != null && !topicVisits.isBlank(), "topic-visits", String.valueOf(topicVisits),
                    "must not be empty");
            require(topicAcks != null && !topicAcks.isBlank(), "topic-acks", String.valueOf(topicAcks),
                    "must not be empty");
            require(topicImports != null && !topicImports.isBlank(), "topic-imports", String.valueOf(topicImports),
                    "must not be empty");
            require(tokensFile != null, "tokens-file", "(none)",
                    "is required: a JSON file of tenant -> SHA-256 token hashes (see `salespulse gateway hash-token`)");
            require(maxBodyBytes >= 1024 && maxBodyBytes <= 64 * 1024 * 1024, "max-body-bytes",
                    Integer.toString(maxBodyBytes), "must be between 1024 and 67108864");
            require(maxBatchEvents >= 1 && maxBatchEvents <= 10_000, "max-batch-events",
                    Integer.toString(maxBatchEvents), "must be between 1 and 10000");
            require(threads >= 1 && threads <= 1024, "threads", Integer.toString(threads),
                    "must be between 1 and 1024");
            require(queueCapacity >= 0 && queueCapacity <= 100_000, "queue-capacity",
                    Integer.toString(queueCapacity), "must be between 0 and 100000");
            require(publishTimeout != null && publishTimeout.toMillis() >= 1000
                    && publishTimeout.compareTo(Duration.ofMinutes(2)) <= 0, "publish-timeout",
                    String.valueOf(publishTimeout), "must be between 1s and 2m");
            require(retryAfter != null && retryAfter.toSeconds() >= 1 && retryAfter.toSeconds() <= 3600,
                    "retry-after", String.valueOf(retryAfter), "must be between 1s and 1h (whole seconds)");
            require(requestTimeout != null && requestTimeout.toMillis() >= 100
                    && requestTimeout.compareTo(Duration.ofMinutes(5)) <= 0, "request-timeout",
                    String.valueOf(requestTimeout), "must be between 100ms and 5m");
            // At least 3 s so that renewing every third of it leaves the importer a second; at most a day, since
            // the jobs hold the imported customers' alerts while a session is open.
            require(importTimeout != null && importTimeout.toMillis() >= 3000
                    && importTimeout.compareTo(Duration.ofHours(24)) <= 0, "import-timeout",
                    String.valueOf(importTimeout), "must be between 3s and 24h");
            Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
            return new GatewayConfig(this);
        }

        private static void require(boolean ok, String name, String value, String why) {
            if (!ok) {
                throw new IllegalArgumentException("Invalid setting gateway." + name + " (flag --" + name + ", env "
                        + envName(name) + ") = '" + value + "': " + why);
            }
        }
    }

    /** {@code max-body-bytes} -> {@code SALESPULSE_GATEWAY_MAX_BODY_BYTES}; Kafka and topics share the job's names. */
    public static String envName(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        return name.startsWith("kafka-") || name.startsWith("topic-") ? "SALESPULSE_" + upper
                : "SALESPULSE_GATEWAY_" + upper;
    }
}

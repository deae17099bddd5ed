package io.salespulse.pipeline.clickhouse;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link ClickHouseSink} writes: connection, batching and retry settings. Built with
 * {@link #builder(String)}; {@code build()} rejects bad values with a message naming the option.
 */
public final class ClickHouseSinkOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_BATCH_SIZE = 5000;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_RETRIES = 8;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int batchSize;
    private final Duration flushInterval;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private ClickHouseSinkOptions(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.user = b.user;
        this.password = b.password;
        this.batchSize = b.batchSize;
        this.flushInterval = b.flushInterval;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
    }

    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Rows buffered before a flush is forced. */
    public int batchSize() {
        return batchSize;
    }

    /** The longest a row waits in the buffer when the batch does not fill. */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** Retries of one failed batch before the sink fails the job (0 = no retry). */
    public int maxRetries() {
        return maxRetries;
    }

    /** Backoff before the first retry; doubles per retry up to {@link #maxBackoff()}. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ClickHouseSinkOptions{jdbcUrl="
                + ClickHouseConnections.redactUrl(jdbcUrl)
                + ", user="
                + user
                + ", batchSize="
                + batchSize
                + ", flushInterval="
                + flushInterval
                + ", maxRetries="
                + maxRetries
                + ", initialBackoff="
                + initialBackoff
                + ", maxBackoff="
                + maxBackoff
                + "}";
    }

    public static final class Builder {
        private final String jdbcUrl;
        private String user = "default";
        private String password = "";
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;

        private Builder(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad option */
        public ClickHouseSinkOptions build() {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:clickhouse:")) {
                throw new IllegalArgumentException(
                        "clickhouse jdbcUrl must start with jdbc:clickhouse:, got "
                                + (jdbcUrl == null ? "null" : ClickHouseConnections.redactUrl(jdbcUrl)));
            }
            require(user != null && !user.isBlank(), "clickhouse user must not be blank");
            Objects.requireNonNull(password, "clickhouse password must not be null (use \"\")");
            require(batchSize > 0, "clickhouse batchSize must be > 0, got " + batchSize);
            require(
                    isPositive(flushInterval), "clickhouse flushInterval must be > 0, got " + flushInterval);
            require(maxRetries >= 0, "clickhouse maxRetries must be >= 0, got " + maxRetries);
            require(
                    isPositive(initialBackoff),
                    "clickhouse initialBackoff must be > 0, got " + initialBackoff);
            require(
                    maxBackoff != null && maxBackoff.compareTo(initialBackoff) >= 0,
                    "clickhouse maxBackoff must be >= initialBackoff ("
                            + initialBackoff
                            + "), got "
                            + maxBackoff);
            return new ClickHouseSinkOptions(this);
        }

        private static boolean isPositive(Duration duration) {
            return duration != null && !duration.isNegative() && !duration.isZero();
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}

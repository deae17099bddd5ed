package io.salespulse.producers.gateway;

import static io.salespulse.contract.settings.SettingType.durationBetween;
import static io.salespulse.contract.settings.SettingType.integer;

import io.salespulse.contract.settings.SettingKey;
import io.salespulse.contract.settings.SettingSpec;
import io.salespulse.contract.settings.SettingType;
import io.salespulse.contract.settings.SharedSettings;

/**
 * Every setting of the ingest gateway. Its own keys are {@code gateway.*} with the environment variables
 * {@code SALESPULSE_GATEWAY_*}, and keep their short flags ({@code --port}); Kafka, the topics and the future
 * skew are the jobs' settings ({@link SharedSettings}). docs/configuration.md is generated from this list.
 */
public enum GatewaySetting implements SettingKey {
    HOST(gateway("host", SettingType.text(), "0.0.0.0", "Address to listen on")),
    PORT(gateway("port", integer(0, 65535), "8080", "HTTP port (0 = a free port)")),
    TOKENS_FILE(SettingSpec.required("gateway.tokens-file", SettingType.path(),
            "JSON file of tenant -> SHA-256 token hashes (see `salespulse gateway hash-token`); read at start-up")
            .withFlag("--tokens-file")),
    KAFKA_BOOTSTRAP(SharedSettings.KAFKA_BOOTSTRAP),
    TOPIC_STAGES(SharedSettings.TOPIC_STAGES.withDescription("Topic stage cards are written to")),
    TOPIC_VISITS(SharedSettings.TOPIC_VISITS.withDescription("Topic visits are written to")),
    TOPIC_ACKS(SharedSettings.TOPIC_ACKS.withDescription("Topic alert acks are written to")),
    TOPIC_CASH(SharedSettings.TOPIC_CASH.withDescription("Topic contracts, invoices and payments are written to")),
    TOPIC_IMPORTS(SharedSettings.TOPIC_IMPORTS.withDescription("Compacted topic of history-import sessions")),
    // At least 3 s so that renewing every third of it leaves the importer a second; at most a day, since the
    // jobs hold the imported customers' alerts while a session is open.
    IMPORT_TIMEOUT(gateway("import-timeout", durationBetween("3s", "24h"), "15m",
            "An open import session not renewed for this long counts as abandoned; importers renew every third of it")),
    MAX_BODY_BYTES(gateway("max-body-bytes", integer(1024, 64 * 1024 * 1024), "1048576",
            "Largest request body; larger ones get 413")),
    MAX_BATCH_EVENTS(gateway("max-batch-events", integer(1, 10_000), "500", "Most events per request; more get 413")),
    THREADS(gateway("threads", integer(1, 1024), "32",
            "Threads for requests that have arrived whole (JSON, validation, waiting for Kafka)")),
    QUEUE_CAPACITY(gateway("queue-capacity", integer(0, 100_000), "256",
            "Whole requests waiting for a thread; beyond that 503 overloaded + Retry-After")),
    REQUEST_TIMEOUT(gateway("request-timeout", durationBetween("100ms", "5m"), "10s",
            "A request's head, and then its body, must arrive within this; slower clients are cut off (408)")),
    PUBLISH_TIMEOUT(gateway("publish-timeout", durationBetween("1s", "2m"), "5s",
            "Longest wait for Kafka's acknowledgement (producer delivery.timeout.ms and max.block.ms); then 503")),
    RETRY_AFTER(gateway("retry-after", durationBetween("1s", "1h"), "5s",
            "Retry-After of a 503, in whole seconds")),
    EVENT_MAX_FUTURE_SKEW(SharedSettings.EVENT_MAX_FUTURE_SKEW);

    private final SettingSpec<?> spec;

    GatewaySetting(SettingSpec<?> spec) {
        this.spec = spec;
    }

    @Override
    public SettingSpec<?> spec() {
        return spec;
    }

    /** {@code gateway.<name>} with the flag {@code --<name>}. */
    private static <T> SettingSpec<T> gateway(String name, SettingType<T> type, String defaultValue, String description) {
        return SettingSpec.of("gateway." + name, type, defaultValue, description).withFlag("--" + name);
    }
}

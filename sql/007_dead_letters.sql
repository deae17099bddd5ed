-- Input records the pipeline rejected, with the reason, so nothing disappears silently.
-- Keyed by the record's Kafka coordinates: a replay of the same record collapses with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.dead_letters
(
    topic        LowCardinality(String),
    `partition`  Int32,
    `offset`     Int64,
    key          Nullable(String),
    raw          String COMMENT 'the record value as text, or base64 when it is not valid UTF-8',
    raw_encoding LowCardinality(String) COMMENT 'utf8 | base64',
    error_code   LowCardinality(String) COMMENT 'machine-readable reason',
    error        String COMMENT 'human-readable reason',
    tenant       String COMMENT 'empty when it could not be read from the record',
    received_at  DateTime64(3, 'UTC') COMMENT 'when the pipeline read the record',
    ingested_at  DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (topic, `partition`, `offset`)
COMMENT 'Rejected input records (see sales.dlq), one row per topic/partition/offset when read with FINAL'

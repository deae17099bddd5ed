-- History imports as published on sales.imports: one row per (tenant, import_id), the latest record wins.
-- Written by the monitor job; answers "is the import of tenant T complete, and how much did it hold".
CREATE TABLE IF NOT EXISTS salespulse.import_sessions
(
    tenant       LowCardinality(String),
    import_id    String,
    status       LowCardinality(String) COMMENT 'open | complete',
    expires_at   DateTime64(3, 'UTC') COMMENT 'an open import not renewed by then counts as abandoned',
    cards        UInt64 COMMENT 'stage cards the importer sent (set on completion)',
    visits       UInt64,
    acks         UInt64,
    description  String,
    published_at DateTime64(3, 'UTC') COMMENT 'Kafka timestamp of the sales.imports record; the latest wins',
    ingested_at  DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree(published_at)
ORDER BY (tenant, import_id)
COMMENT 'History imports (read with FINAL)'

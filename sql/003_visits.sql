-- Every visit / check-in from sales.visits (times in UTC).
-- ReplacingMergeTree on (tenant, event_id) collapses replays; read with FINAL.
-- No PARTITION BY, so FINAL sees every copy of a key.
CREATE TABLE IF NOT EXISTS salespulse.visits
(
    event_id    String COMMENT 'producer idempotency key',
    tenant      LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    rep_id      String,
    customer_id String,
    store_id    Nullable(String),
    region      LowCardinality(String),
    team        LowCardinality(String),
    channel     LowCardinality(String) COMMENT 'store_scan | online | phone | video',
    lat         Nullable(Float64),
    lon         Nullable(Float64),
    photo       Nullable(String) COMMENT 'object-store URL of the check-in photo',
    ingested_at DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, event_id)
COMMENT 'Visits and check-ins from sales.visits, one row per event_id when read with FINAL'

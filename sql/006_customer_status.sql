-- Where each customer stands now. The pipeline writes a new row on every change with a
-- growing version; ReplacingMergeTree(version) keeps the highest, so FINAL gives the latest
-- status per customer however often the rows were replayed.
CREATE TABLE IF NOT EXISTS salespulse.customer_status
(
    tenant           LowCardinality(String),
    customer_id      String,
    rep_id           String,
    region           LowCardinality(String),
    team             LowCardinality(String),
    stage            LowCardinality(String) COMMENT 'latest stage card',
    status           LowCardinality(String) COMMENT 'active | overdue | won | lost',
    high_potential   Bool,
    deal_value       Nullable(Float64),
    stage_entered_at DateTime64(3, 'UTC'),
    last_event_at    DateTime64(3, 'UTC'),
    due_at           Nullable(DateTime64(3, 'UTC')) COMMENT 'when the next stage card is due (null once won or lost)',
    updated_at       DateTime64(3, 'UTC'),
    version          UInt64 COMMENT 'grows with every change of the customer; the highest wins',
    ingested_at      DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, customer_id)
COMMENT 'Latest status per customer (read with FINAL)'

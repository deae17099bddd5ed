-- Every stage card from sales.stages, as received (times in UTC).
-- Flink delivers at least once; ReplacingMergeTree on (tenant, event_id) collapses replays,
-- so read it with FINAL. No PARTITION BY: FINAL only merges within a partition, and a
-- replayed event must meet its first copy whatever its occurred_at.
CREATE TABLE IF NOT EXISTS salespulse.stage_events
(
    event_id       String COMMENT 'producer idempotency key',
    tenant         LowCardinality(String),
    occurred_at    DateTime64(3, 'UTC') COMMENT 'when the rep submitted the card',
    customer_id    String,
    rep_id         String,
    region         LowCardinality(String),
    team           LowCardinality(String),
    stage          LowCardinality(String) COMMENT 'contact | needs | proposal | objection | closing',
    need           Nullable(String),
    proposal       Nullable(String) COMMENT 'code of the proposal or SKU shown',
    objection_tag  LowCardinality(Nullable(String)) COMMENT 'one of the six objection tags',
    script_id      Nullable(String) COMMENT 'knowledge-base answer card the rep quoted',
    outcome        LowCardinality(Nullable(String)) COMMENT 'won | lost | pending (closing only)',
    high_potential Bool,
    deal_value     Nullable(Float64),
    ingested_at    DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, event_id)
COMMENT 'Stage cards from sales.stages, one row per event_id when read with FINAL'

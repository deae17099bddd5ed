-- PLACEHOLDER (issue-18-forecast branch): replaced by the event path's migration on merge.
CREATE TABLE IF NOT EXISTS salespulse.contracts
(
    event_id         String,
    tenant           LowCardinality(String),
    occurred_at      DateTime64(3, 'UTC'),
    contract_id      String,
    customer_id      String,
    rep_id           String,
    region           LowCardinality(String),
    team             LowCardinality(String),
    amount           Float64,
    terms_days       UInt16,
    schedule_dates   Array(Date),
    schedule_amounts Array(Float64),
    import_id        String,
    ingested_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, contract_id)

-- Signed contracts from sales.cash (kind = 'contract'), lead to cash (docs/contract.md#salescash).
-- One row per contract: ReplacingMergeTree on (tenant, contract_id) collapses replays and
-- re-sent contracts; read with FINAL. No PARTITION BY, so FINAL sees every copy of a key.
CREATE TABLE IF NOT EXISTS salespulse.contracts
(
    event_id         String COMMENT 'producer idempotency key',
    tenant           LowCardinality(String),
    occurred_at      DateTime64(3, 'UTC') COMMENT 'when the contract was signed',
    contract_id      String,
    customer_id      String,
    rep_id           String,
    region           LowCardinality(String),
    team             LowCardinality(String),
    amount           Float64 COMMENT 'contract value, CNY',
    terms_days       UInt16 COMMENT 'days from an invoice to its due date',
    schedule_dates   Array(Date) COMMENT 'planned invoice days, in the order sent',
    schedule_amounts Array(Float64) COMMENT 'planned invoice amounts (CNY), one per schedule_dates entry',
    import_id        String COMMENT 'import_id of a history import, empty for live records',
    ingested_at      DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, contract_id)
COMMENT 'Contracts from sales.cash, one row per contract_id when read with FINAL'

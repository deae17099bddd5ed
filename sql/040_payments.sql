-- Payments received from sales.cash (kind = 'payment'): an invoice may be paid in several parts,
-- so one row per payment event: ReplacingMergeTree on (tenant, event_id); read with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.payments
(
    event_id    String COMMENT 'producer idempotency key',
    tenant      LowCardinality(String),
    occurred_at DateTime64(3, 'UTC') COMMENT 'when the money was received',
    invoice_id  String,
    contract_id String,
    customer_id String,
    rep_id      String,
    region      LowCardinality(String),
    team        LowCardinality(String),
    amount      Float64 COMMENT 'received, CNY',
    import_id   String COMMENT 'import_id of a history import, empty for live records',
    ingested_at DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, event_id)
COMMENT 'Payments from sales.cash, one row per event_id when read with FINAL'

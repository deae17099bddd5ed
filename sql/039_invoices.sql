-- Invoices from sales.cash (kind = 'invoice'): what the customer owes and by when. One row per
-- invoice: ReplacingMergeTree on (tenant, invoice_id); read with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.invoices
(
    event_id    String COMMENT 'producer idempotency key',
    tenant      LowCardinality(String),
    occurred_at DateTime64(3, 'UTC') COMMENT 'when the invoice was issued',
    invoice_id  String,
    contract_id String,
    customer_id String,
    rep_id      String,
    region      LowCardinality(String),
    team        LowCardinality(String),
    amount      Float64 COMMENT 'invoiced, CNY',
    due_at      DateTime64(3, 'UTC') COMMENT 'when payment is due',
    import_id   String COMMENT 'import_id of a history import, empty for live records',
    ingested_at DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, invoice_id)
COMMENT 'Invoices from sales.cash, one row per invoice_id when read with FINAL'

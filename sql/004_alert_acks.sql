-- Responders acting on alerts (sales.acks). Response time = first ack or resolve minus the
-- alert's fired_at (join on alert_id). Deduplicated on the ack's own event_id; read with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.alert_acks
(
    event_id    String COMMENT 'producer idempotency key of the ack',
    alert_id    String COMMENT 'salespulse.alerts.alert_id',
    tenant      LowCardinality(String),
    responder   String,
    action      LowCardinality(String) COMMENT 'ack | resolve',
    occurred_at DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, event_id)
COMMENT 'Acks and resolves from sales.acks, one row per event_id when read with FINAL'

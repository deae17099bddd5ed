-- Alerts emitted by the pipeline (the same records as sales.alerts). alert_id is
-- deterministic, so an alert computed twice (replay, retry) collapses to one row with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.alerts
(
    alert_id    String COMMENT 'deterministic id, e.g. stage_overdue:tenant:customer:stage:due_at',
    type        LowCardinality(String) COMMENT 'stage_overdue | escalation | funnel_drop | coaching',
    severity    LowCardinality(String) COMMENT 'high when the customer is high_potential',
    tenant      LowCardinality(String),
    region      LowCardinality(String),
    team        LowCardinality(String),
    rep_id      String,
    customer_id String,
    stage       LowCardinality(String) COMMENT 'for stage_overdue: the stage whose next card is late',
    due_at      Nullable(DateTime64(3, 'UTC')) COMMENT 'SLA deadline that was missed, if any',
    fired_at    DateTime64(3, 'UTC') COMMENT 'event time the alert is about',
    emitted_at  DateTime64(3, 'UTC') COMMENT 'wall-clock time the pipeline emitted it',
    title       String,
    message     String,
    suggestion  String,
    ingested_at DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant, alert_id)
COMMENT 'Alerts from the pipeline, one row per alert_id when read with FINAL'

-- The notifier's delivery ledger: one row per (alert, route) when read with FINAL, the latest
-- state winning (version grows with every write). Written as 'sending' BEFORE the post to WeCom
-- and as delivered / digested / failed AFTER it; a 'sending' row found at start-up is the crash
-- window and becomes 'uncertain' (not resent). Stores the route's name, never its webhook key.
-- No PARTITION BY: FINAL must see every version of a key.
CREATE TABLE IF NOT EXISTS salespulse.alert_deliveries
(
    alert_id         String COMMENT 'salespulse.alerts.alert_id (or escalation:<origin>:<level>)',
    route            LowCardinality(String) COMMENT 'name of the WeCom robot route (never the key)',
    status           LowCardinality(String) COMMENT 'sending | delivered | digested | failed | uncertain',
    tenant           LowCardinality(String),
    region           LowCardinality(String),
    team             LowCardinality(String),
    type             LowCardinality(String),
    severity         LowCardinality(String),
    rep_id           String,
    customer_id      String,
    title            String,
    fired_at         DateTime64(3, 'UTC'),
    origin_alert_id  String COMMENT 'the alert an escalation is about; = alert_id otherwise',
    escalation_level UInt8 COMMENT '0 team, 1 region, 2 director',
    attempts         UInt16 COMMENT 'posts made for this delivery (retries included)',
    digest_id        String COMMENT 'set when the alert went out inside a digest message',
    error_code       LowCardinality(String) COMMENT 'ok, wecom_<errcode>, http_<status>, timeout, ...',
    error            String,
    received_at      DateTime64(3, 'UTC') COMMENT 'Kafka timestamp of the alert record',
    first_attempt_at Nullable(DateTime64(3, 'UTC')),
    delivered_at     Nullable(DateTime64(3, 'UTC')),
    latency_ms       Nullable(Int64) COMMENT 'delivered_at - received_at',
    updated_at       DateTime64(3, 'UTC'),
    version          UInt64 COMMENT 'grows with every write of the notifier; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (alert_id, route)
COMMENT 'WeCom delivery state per alert and route (read with FINAL)'

-- Silences: while one is active (starts_at <= now < ends_at), alerts it matches are not escalated or reminded.
-- Written by the notifier (the alert page's 暂停提醒) and by `bin/salespulse silence`. Every non-empty matcher
-- column must equal the alert's value; an empty one matches anything. One row per silence_id, the highest
-- version winning (a silence ended early is written again with the new ends_at). Read with FINAL.
CREATE TABLE IF NOT EXISTS salespulse.alert_silences
(
    silence_id  String COMMENT 'deterministic per request, so a replayed POST writes the same row',
    tenant      LowCardinality(String),
    alert_id    String COMMENT 'matcher: one alert (the page snoozes one alert); empty = any',
    region      String COMMENT 'matcher; empty = any',
    team        String COMMENT 'matcher; empty = any',
    rep_id      String COMMENT 'matcher; empty = any',
    customer_id String COMMENT 'matcher; empty = any',
    type        String COMMENT 'matcher: alert type; empty = any',
    starts_at   DateTime64(3, 'UTC'),
    ends_at     DateTime64(3, 'UTC'),
    author      String COMMENT 'who created it: the page link recipient, or the CLI user',
    reason      String,
    source      LowCardinality(String) COMMENT 'page | cli',
    created_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, silence_id)
COMMENT 'Silences and snoozes of alerts (read with FINAL)'

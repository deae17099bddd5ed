-- The funnel job's daily forecast digest per team: one row per stage and one with stage = 'all'
-- (which carries the message sent as the `digest` alert). Recomputed rows (replay) collapse with
-- FINAL: ReplacingMergeTree(computed_at) keeps the latest.
CREATE TABLE IF NOT EXISTS salespulse.forecast_digests
(
    tenant           LowCardinality(String),
    region           LowCardinality(String),
    team             LowCardinality(String),
    digest_at        DateTime64(3, 'UTC') COMMENT 'digest time (digest.time, local) in UTC',
    stage            LowCardinality(String) COMMENT 'stage code, or all',
    customers        UInt32 COMMENT 'open customers in the stage at digest_at',
    overdue          UInt32 COMMENT 'of those, past the stage SLA',
    at_risk          UInt32 COMMENT 'of those, overdue and high potential',
    expected_wins_7d Float64 COMMENT 'forecast of customers won in [digest_at, digest_at + 7 days)',
    message          String COMMENT 'the digest text (stage = all only)',
    computed_at      DateTime64(3, 'UTC') COMMENT 'when this row was computed; the latest wins'
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (tenant, team, digest_at, stage)
COMMENT 'Daily forecast digest per team (read with FINAL)'

-- Conversion from one stage to the next per tenant/region/team and window, compared with a
-- baseline. A window may be recomputed (late events, replay): ReplacingMergeTree(computed_at)
-- keeps the latest computation, so FINAL gives one row per window.
CREATE TABLE IF NOT EXISTS salespulse.stage_conversion
(
    tenant        LowCardinality(String),
    region        LowCardinality(String),
    team          LowCardinality(String),
    from_stage    LowCardinality(String),
    window_start  DateTime64(3, 'UTC'),
    window_end    DateTime64(3, 'UTC'),
    entered       UInt32 COMMENT 'customers that entered from_stage in the window',
    advanced      UInt32 COMMENT 'of those, customers that reached a later stage',
    rate          Float64 COMMENT 'advanced / entered',
    baseline_rate Nullable(Float64) COMMENT 'rate of the comparison period; null until known',
    change_pct    Nullable(Float64) COMMENT 'change of rate against baseline_rate, in percent',
    flagged       Bool COMMENT 'the drop crossed the funnel_drop threshold',
    computed_at   DateTime64(3, 'UTC') COMMENT 'when this row was computed; the latest wins'
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (tenant, region, team, from_stage, window_end)
COMMENT 'Stage conversion per window (read with FINAL)'

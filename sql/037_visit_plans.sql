-- Tomorrow's route per rep (docs/places.md), written by `bin/salespulse routes plan`: one row per stop, seq the
-- visiting order. Planning a day again writes every stop with a higher version, which replaces the earlier rows of
-- the same seq; a new plan with fewer stops leaves the old tail behind at its old version, so readers keep only the
-- rows of the rep's latest version of the day.
CREATE TABLE IF NOT EXISTS salespulse.visit_plans
(
    tenant        LowCardinality(String),
    day           Date COMMENT 'the day the route is for (Asia/Shanghai)',
    rep_id        String,
    seq           UInt16 COMMENT 'the stop''s place in the day, from 1',
    customer_id   String,
    lat           Float64 COMMENT 'the customer''s outlet, WGS-84 degrees',
    lon           Float64 COMMENT 'the customer''s outlet, WGS-84 degrees',
    reason        LowCardinality(String) COMMENT 'overdue | high_potential | due_for_visit',
    overdue_hours Float64 COMMENT 'hours past due when planned, 0 unless overdue',
    leg_km        Float64 COMMENT 'great-circle km from the previous stop (from the usual start for seq 1)',
    planned_at    DateTime64(3, 'UTC'),
    version       UInt64 COMMENT 'microseconds of the planning run; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, day, rep_id, seq)
COMMENT 'Planned visiting order per rep and day (read with FINAL, latest version per rep and day)'

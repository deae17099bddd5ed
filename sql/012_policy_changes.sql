-- One row per accepted policy change (sales.policies): a new version of a scope, or a scope removed.
-- Written by the monitor job; a replay writes the same (scope, version, change) again, so FINAL shows
-- each change once. Lets dashboards and the funnel diagnosis say "since the SLA change on 3 March".
CREATE TABLE IF NOT EXISTS salespulse.policy_changes
(
    scope          String COMMENT 'tenant, tenant/region or tenant/region/team',
    tenant         LowCardinality(String),
    version        UInt64 COMMENT 'the new version; for a removal, the version removed',
    change         LowCardinality(String) COMMENT 'set | removed',
    fields_changed String COMMENT 'dotted names of the changed fields, comma separated, e.g. sla.needs,calendar',
    old_policy     Nullable(String) COMMENT 'previous JSON document of the scope',
    new_policy     Nullable(String) COMMENT 'new JSON document; null for a removal',
    effective_at   DateTime64(3, 'UTC') COMMENT 'when the job applied it (policies apply in processing order)',
    updated_at     Nullable(DateTime64(3, 'UTC')) COMMENT 'updated_at of the document',
    updated_by     String,
    received_at    DateTime64(3, 'UTC') COMMENT 'Kafka timestamp of the policy record',
    ingested_at    DateTime64(3, 'UTC') COMMENT 'when the pipeline wrote the row'
)
ENGINE = ReplacingMergeTree
ORDER BY (scope, version, change)
COMMENT 'Accepted policy changes, one row per (scope, version, change) when read with FINAL'

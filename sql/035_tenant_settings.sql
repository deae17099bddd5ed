-- A tenant's own values of settings that queries read (the far check-in distance of the map). Written by
-- `bin/salespulse outlets far-distance`; the latest version per tenant wins with FINAL; a tenant without a row
-- gets the defaults the views name.
CREATE TABLE IF NOT EXISTS salespulse.tenant_settings
(
    tenant           LowCardinality(String),
    far_check_in_m   UInt32 COMMENT 'a check-in further than this from its outlet is flagged (default 500)',
    updated_by       String,
    updated_at       DateTime64(3, 'UTC'),
    version          UInt64 COMMENT 'microseconds of the change; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant
COMMENT 'Per-tenant settings read by views (read with FINAL)'

-- The industry's collection cycle a tenant compares itself with (docs/cash.md): days from signing a contract to
-- having its whole amount. Written by `bin/salespulse cash benchmark`; 0 means the default the views name (45).
ALTER TABLE salespulse.tenant_settings
    ADD COLUMN IF NOT EXISTS collection_benchmark_days UInt16 DEFAULT 0 COMMENT 'the industry collection cycle in days (0: default 45)'

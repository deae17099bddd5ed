-- The forecast's 80% interval (docs/funnel.md, "Daily digest"): the lowest and highest count of wins in
-- [digest_at, digest_at + 7 days) it holds. Rows written before have 0 and 0.
ALTER TABLE salespulse.forecast_digests
    ADD COLUMN IF NOT EXISTS wins_7d_low UInt32 DEFAULT 0 COMMENT 'lowest count in the 80% interval of the wins in 7 days',
    ADD COLUMN IF NOT EXISTS wins_7d_high UInt32 DEFAULT 0 COMMENT 'highest count in the 80% interval of the wins in 7 days'

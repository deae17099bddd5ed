-- How far the phone's position may be off, as the phone reports it (metres); null without a position.
ALTER TABLE salespulse.visits
    ADD COLUMN IF NOT EXISTS accuracy Nullable(Float64) COMMENT 'radius in metres of the position''s uncertainty, 0..10000'

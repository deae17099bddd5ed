-- The history import a visit came with ('' for live visits).
ALTER TABLE salespulse.visits
    ADD COLUMN IF NOT EXISTS import_id String DEFAULT '' COMMENT 'import_id of a history import, empty for live visits'

-- The history import a card came with ('' for live cards), so an import can be counted and checked.
ALTER TABLE salespulse.stage_events
    ADD COLUMN IF NOT EXISTS import_id String DEFAULT '' COMMENT 'import_id of a history import, empty for live cards'

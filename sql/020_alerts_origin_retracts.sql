-- Alerts about the past and withdrawn alerts. origin = 'history' for alerts that an imported history
-- produced about the past (kept for the record, never posted); a row with type = 'retraction' withdraws
-- the alert named in retracts (a card uploaded late proved it wrong). Existing rows are live alerts.
ALTER TABLE salespulse.alerts
    ADD COLUMN IF NOT EXISTS origin LowCardinality(String) DEFAULT 'live'
        COMMENT 'live | history (produced by a history import about the past)',
    ADD COLUMN IF NOT EXISTS retracts String DEFAULT ''
        COMMENT 'for type = retraction: the alert_id it withdraws'

-- Messages held instead of posted: outside the tenant's working hours (quiet hours), under a silence, or grouped
-- by an inhibition rule. The row keeps the alert record while held, and why and until when; when the hold ends and
-- the alert is still open the notifier posts it (one grouped message per route) and the row becomes delivered or
-- digested, keeping held_reason so every suppressed message stays auditable.
ALTER TABLE salespulse.alert_deliveries
    ADD COLUMN IF NOT EXISTS held_reason LowCardinality(String) DEFAULT ''
        COMMENT 'quiet_hours | silenced | inhibited when the message was held; empty when it went out at once',
    ADD COLUMN IF NOT EXISTS held_until Nullable(DateTime64(3, 'UTC'))
        COMMENT 'when the hold ends (next opening, silence end, group time); the alert is posted then if still open',
    ADD COLUMN IF NOT EXISTS held_alert String DEFAULT ''
        COMMENT 'the alert record (JSON) while held, to post it from; emptied once it went out'

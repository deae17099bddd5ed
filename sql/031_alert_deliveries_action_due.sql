-- A diagnosis that asks for an action (funnel_drop, coaching) gets a deadline when its message goes out: the
-- notifier writes it here with the delivery. Resolving the alert on its page completes the action; a missed deadline
-- escalates.
ALTER TABLE salespulse.alert_deliveries
    ADD COLUMN IF NOT EXISTS action_due_at Nullable(DateTime64(3, 'UTC'))
        COMMENT 'deadline of the action the alert asks for (told + escalation.instruction_within, moved into working hours)'

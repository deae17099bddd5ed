-- The delivery ledger: one row per post attempt, read back at start-up, for retractions and escalations.
GRANT SELECT, INSERT ON salespulse.alert_deliveries TO salespulse_notifier

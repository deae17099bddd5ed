-- Escalations are alerts the notifier raises itself.
GRANT INSERT ON salespulse.alerts TO salespulse_notifier

-- The alert page shows the alert it links to (title, message, customer, due time).
GRANT SELECT ON salespulse.alerts TO salespulse_notifier

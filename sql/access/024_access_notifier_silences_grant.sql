-- Snoozes from the alert page and silences by matchers: written by the page, read before every post.
GRANT SELECT, INSERT ON salespulse.alert_silences TO salespulse_notifier

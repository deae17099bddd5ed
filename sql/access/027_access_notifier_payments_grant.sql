-- The notifier stops escalating a receivable_overdue alert once its invoice is paid in full.
GRANT SELECT ON salespulse.payments TO salespulse_notifier

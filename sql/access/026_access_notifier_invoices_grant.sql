-- The notifier stops escalating a receivable_overdue alert once its invoice is paid in full.
GRANT SELECT ON salespulse.invoices TO salespulse_notifier

-- Every invoice with what has been paid against it (docs/cash.md). status:
--   paid     the payments reach the invoice's amount (a cent short counts as paid)
--   not_due  a balance is open and the due time has not passed
--   overdue  a balance is open past the due time; aging buckets its days past due: 1-30, 31-60, 61-90, 90+
-- The receivable_overdue alert fires later, at due_at plus the monitor job's receivables.grace.
CREATE OR REPLACE VIEW salespulse.receivables AS
SELECT
    i.tenant AS tenant,
    i.invoice_id AS invoice_id,
    i.contract_id AS contract_id,
    i.customer_id AS customer_id,
    i.rep_id AS rep_id,
    i.region AS region,
    i.team AS team,
    i.occurred_at AS issued_at,
    i.due_at AS due_at,
    i.amount AS amount,
    ifNull(p.paid, 0) AS paid,
    greatest(i.amount - paid, 0) AS balance,
    p.last_paid_at AS last_paid_at,
    if(balance <= 0.01, p.last_paid_at, NULL) AS paid_in_full_at,
    multiIf(balance <= 0.01, 'paid', now64(3) <= i.due_at, 'not_due', 'overdue') AS status,
    if(status = 'overdue', toUInt32(dateDiff('day', i.due_at, now64(3))), 0) AS days_past_due,
    multiIf(status != 'overdue', '', days_past_due <= 30, '1-30', days_past_due <= 60, '31-60',
            days_past_due <= 90, '61-90', '90+') AS aging
FROM (SELECT * FROM salespulse.invoices FINAL) AS i
LEFT JOIN
(
    SELECT tenant, invoice_id, sum(amount) AS paid, max(occurred_at) AS last_paid_at
    FROM salespulse.payments FINAL
    GROUP BY tenant, invoice_id
) AS p ON p.tenant = i.tenant AND p.invoice_id = i.invoice_id
SETTINGS join_use_nulls = 1

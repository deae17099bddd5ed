-- Every signed contract with how much of it is invoiced and collected (docs/cash.md). cycle_days: days from signing to
-- the payment that completed the contract's amount (NULL while a balance is open); open_days: days since signing while
-- it is open. benchmark_days: the tenant's industry cycle (tenant_settings.collection_benchmark_days, default 45).
CREATE OR REPLACE VIEW salespulse.collection_cycles AS
SELECT
    c.tenant AS tenant,
    c.contract_id AS contract_id,
    c.customer_id AS customer_id,
    c.rep_id AS rep_id,
    c.region AS region,
    c.team AS team,
    c.occurred_at AS signed_at,
    c.amount AS amount,
    c.terms_days AS terms_days,
    ifNull(i.invoiced, 0) AS invoiced,
    ifNull(p.collected, 0) AS collected,
    if(collected >= c.amount - 0.01, p.last_paid_at, NULL) AS collected_at,
    if(collected_at IS NULL, NULL, dateDiff('day', c.occurred_at, collected_at)) AS cycle_days,
    if(collected_at IS NULL, toUInt32(greatest(dateDiff('day', c.occurred_at, now64(3)), 0)), 0) AS open_days,
    if(ifNull(s.collection_benchmark_days, 0) = 0, 45, s.collection_benchmark_days) AS benchmark_days
FROM (SELECT * FROM salespulse.contracts FINAL) AS c
LEFT JOIN
(
    SELECT tenant, contract_id, sum(amount) AS invoiced FROM salespulse.invoices FINAL GROUP BY tenant, contract_id
) AS i ON i.tenant = c.tenant AND i.contract_id = c.contract_id
LEFT JOIN
(
    SELECT tenant, contract_id, sum(amount) AS collected, max(occurred_at) AS last_paid_at
    FROM salespulse.payments FINAL
    GROUP BY tenant, contract_id
) AS p ON p.tenant = c.tenant AND p.contract_id = c.contract_id
LEFT JOIN (SELECT tenant, collection_benchmark_days FROM salespulse.tenant_settings FINAL) AS s ON s.tenant = c.tenant
SETTINGS join_use_nulls = 1

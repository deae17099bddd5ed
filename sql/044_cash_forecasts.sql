-- The monthly cash-flow forecast (docs/cash.md), written by `bin/salespulse cash forecast`: per tenant, the day it was
-- made, region ('' for the whole tenant) and calendar month (Asia/Shanghai; the current month counts from the day it
-- was made), the expected collections by source and the 80% interval of the total. Forecasting the same day again
-- replaces that day's rows.
CREATE TABLE IF NOT EXISTS salespulse.cash_forecasts
(
    tenant      LowCardinality(String),
    made_on     Date COMMENT 'the day of the forecast (Asia/Shanghai)',
    region      LowCardinality(String) COMMENT 'the region; empty for the whole tenant',
    month       Date COMMENT 'first day of the forecast month',
    invoiced    Float64 COMMENT 'expected from open invoices (CNY)',
    scheduled   Float64 COMMENT 'expected from signed contracts'' installments not invoiced yet',
    pipeline    Float64 COMMENT 'expected from open opportunities (win chance x value x timing)',
    expected    Float64 COMMENT 'invoiced + scheduled + pipeline',
    low         Float64 COMMENT '10th percentile of the month''s collections',
    high        Float64 COMMENT '90th percentile of the month''s collections',
    made_at     DateTime64(3, 'UTC'),
    version     UInt64 COMMENT 'microseconds of the forecast run; the highest wins'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, made_on, region, month)
COMMENT 'Monthly cash-flow forecasts (read with FINAL)'

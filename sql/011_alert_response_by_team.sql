-- Response times per tenant / region / team, with region and tenant totals (WITH ROLLUP: a row
-- with team = '' is the whole region, region = '' the whole tenant). Quantiles are computed
-- from the alerts themselves, never averaged from team rows.
CREATE VIEW IF NOT EXISTS salespulse.alert_response_by_team AS
SELECT
    tenant,
    region,
    team,
    count() AS alerts,
    countIf(responded) AS answered,
    countIf(NOT responded) AS unanswered,
    quantileExactInclusiveIf(0.5)(response_seconds, responded) AS median_response_seconds,
    quantileExactInclusiveIf(0.9)(response_seconds, responded) AS p90_response_seconds,
    countIf(responded AND response_seconds <= 4 * 3600) / count() AS share_within_4h
FROM salespulse.alert_response_times
GROUP BY tenant, region, team WITH ROLLUP
HAVING tenant != ''

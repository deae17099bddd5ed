-- The closed loop per tenant / region / team, with region and tenant totals (WITH ROLLUP: team = '' is the region,
-- region = '' the tenant), from alert_follow_up: one row per customer alert, escalations not counted again.
-- share_handled_within_4h is the seed's "handled effectively within 4 h": answered and the customer's next card
-- within 4 h of the group being told. share_acked_never_handled: answered, no card since (as of now).
CREATE OR REPLACE VIEW salespulse.alert_follow_up_by_team AS
SELECT
    tenant,
    region,
    team,
    count() AS alerts,
    countIf(first_response_at IS NOT NULL) AS answered,
    countIf(handled_at IS NOT NULL) AS handled,
    quantileExactInclusiveIf(0.5)(response_seconds, first_response_at IS NOT NULL) AS median_response_seconds,
    quantileExactInclusiveIf(0.5)(handled_seconds, handled_at IS NOT NULL) AS median_handled_seconds,
    countIf(handled_at IS NOT NULL AND handled_seconds <= 4 * 3600) / count() AS share_handled_within_4h,
    countIf(acked_not_handled) / count() AS share_acked_never_handled
FROM salespulse.alert_follow_up
GROUP BY tenant, region, team WITH ROLLUP
HAVING tenant != ''

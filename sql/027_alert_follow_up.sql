-- The closed loop per stage_overdue alert that counts (valid_alerts), on people's clocks: from when the group was
-- told (told_at: the first delivery of the alert in alert_deliveries; fired_at when it was never posted) to the first
-- ack or resolve (response_seconds), and to handled: answered, and the customer's next stage card arrived
-- (handled_at = the first card with occurred_at at or after fired_at, taken only when the alert was answered).
-- next_card_at is that card whether or not anyone answered. Escalations and follow-up reminders are no rows here:
-- one row per customer alert. acked_not_handled: answered, and no card of the customer since the alert (yet).
CREATE OR REPLACE VIEW salespulse.alert_follow_up AS
SELECT
    a.tenant AS tenant,
    a.alert_id AS alert_id,
    a.region AS region,
    a.team AS team,
    a.rep_id AS rep_id,
    a.customer_id AS customer_id,
    a.fired_at AS fired_at,
    coalesce(t.told_at, a.fired_at) AS told_at,
    r.first_response_at AS first_response_at,
    r.first_responder AS first_responder,
    if(r.first_response_at IS NULL, NULL,
       greatest(0, dateDiff('millisecond', coalesce(t.told_at, a.fired_at), r.first_response_at)) / 1000.0)
        AS response_seconds,
    c.next_card_at AS next_card_at,
    if(r.first_response_at IS NOT NULL, c.next_card_at, NULL) AS handled_at,
    if(handled_at IS NULL, NULL,
       greatest(0, dateDiff('millisecond', coalesce(t.told_at, a.fired_at), handled_at)) / 1000.0) AS handled_seconds,
    r.first_response_at IS NOT NULL AND c.next_card_at IS NULL AS acked_not_handled
FROM (SELECT tenant, alert_id, region, team, rep_id, customer_id, fired_at
      FROM salespulse.valid_alerts
      WHERE type = 'stage_overdue') AS a
LEFT JOIN (SELECT alert_id, toNullable(min(coalesce(delivered_at, first_attempt_at))) AS told_at
           FROM salespulse.alert_deliveries FINAL
           WHERE escalation_level = 0 AND status IN ('delivered', 'digested', 'uncertain')
           GROUP BY alert_id) AS t
    ON a.alert_id = t.alert_id
LEFT JOIN (SELECT tenant, alert_id, toNullable(min(occurred_at)) AS first_response_at,
                  toNullable(argMin(responder, occurred_at)) AS first_responder
           FROM salespulse.alert_acks FINAL
           WHERE action IN ('ack', 'resolve')
           GROUP BY tenant, alert_id) AS r
    ON a.tenant = r.tenant AND a.alert_id = r.alert_id
LEFT JOIN (SELECT x.alert_id AS alert_id, toNullable(min(s.occurred_at)) AS next_card_at
           FROM (SELECT tenant, alert_id, customer_id, fired_at
                 FROM salespulse.valid_alerts
                 WHERE type = 'stage_overdue') AS x
           INNER JOIN (SELECT tenant, customer_id, occurred_at FROM salespulse.stage_events FINAL) AS s
               ON s.tenant = x.tenant AND s.customer_id = x.customer_id
           WHERE s.occurred_at >= x.fired_at
           GROUP BY x.alert_id) AS c
    ON a.alert_id = c.alert_id

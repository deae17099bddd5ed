-- First response per alert, as in 010, over the alerts that count (valid_alerts): no history alerts, no
-- retractions, no withdrawn alerts or their escalations, so an ack clicked on a withdrawn alert is kept in
-- alert_acks but is no response here. Forecast digests (type = 'digest') are left out as on the
-- response-time dashboard: nobody is asked to answer them. alert_response_by_team (011) reads this view,
-- so its counts and quantiles leave out the same alerts.
CREATE OR REPLACE VIEW salespulse.alert_response_times AS
SELECT
    a.tenant AS tenant,
    a.alert_id AS alert_id,
    a.type AS type,
    a.severity AS severity,
    a.region AS region,
    a.team AS team,
    a.rep_id AS rep_id,
    a.customer_id AS customer_id,
    a.fired_at AS fired_at,
    r.alert_id != '' AS responded,
    if(r.alert_id != '', r.first_response_at, NULL) AS first_response_at,
    if(r.alert_id != '', r.first_responder, NULL) AS first_responder,
    if(r.alert_id != '', greatest(0, dateDiff('millisecond', a.fired_at, r.first_response_at)) / 1000.0, NULL)
        AS response_seconds
FROM (SELECT tenant, alert_id, type, severity, region, team, rep_id, customer_id, fired_at
      FROM salespulse.valid_alerts
      WHERE type != 'digest') AS a
LEFT JOIN (SELECT tenant, alert_id, min(occurred_at) AS first_response_at,
                  argMin(responder, occurred_at) AS first_responder
           FROM salespulse.alert_acks FINAL
           WHERE action IN ('ack', 'resolve')
           GROUP BY tenant, alert_id) AS r
    ON a.tenant = r.tenant AND a.alert_id = r.alert_id

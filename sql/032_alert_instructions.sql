-- Diagnoses that ask for an action (funnel_drop, coaching alerts), one row per alert that went out with a deadline
-- (alert_deliveries.action_due_at, set by the notifier when the group was told): when the group was told, the
-- deadline, when and by whom the alert was marked resolved on its page (the action is done), when a missed deadline
-- escalated, and the state: open (before the deadline), overdue (past it, not done), done_on_time, done_late.
-- Withdrawn alerts are no rows (valid_alerts).
CREATE OR REPLACE VIEW salespulse.alert_instructions AS
SELECT
    a.tenant AS tenant,
    a.alert_id AS alert_id,
    a.type AS type,
    a.region AS region,
    a.team AS team,
    a.title AS title,
    d.told_at AS told_at,
    d.due_at AS due_at,
    r.resolved_at AS resolved_at,
    r.resolved_by AS resolved_by,
    e.escalated_at AS escalated_at,
    multiIf(r.resolved_at IS NULL AND e.escalated_at IS NOT NULL, 'overdue',
            r.resolved_at IS NULL AND now64(3) < d.due_at, 'open',
            r.resolved_at IS NULL, 'overdue',
            r.resolved_at <= d.due_at, 'done_on_time', 'done_late') AS state
FROM (SELECT tenant, alert_id, type, region, team, title FROM salespulse.valid_alerts) AS a
INNER JOIN (SELECT alert_id, min(coalesce(delivered_at, first_attempt_at)) AS told_at, min(action_due_at) AS due_at
            FROM salespulse.alert_deliveries FINAL
            WHERE escalation_level = 0 AND action_due_at IS NOT NULL
            GROUP BY alert_id) AS d
    ON a.alert_id = d.alert_id
LEFT JOIN (SELECT tenant, alert_id, toNullable(min(occurred_at)) AS resolved_at,
                  toNullable(argMin(responder, occurred_at)) AS resolved_by
           FROM salespulse.alert_acks FINAL
           WHERE action = 'resolve'
           GROUP BY tenant, alert_id) AS r
    ON a.tenant = r.tenant AND a.alert_id = r.alert_id
LEFT JOIN (SELECT origin_alert_id, toNullable(min(fired_at)) AS escalated_at
           FROM salespulse.alert_deliveries FINAL
           WHERE escalation_level = 1
           GROUP BY origin_alert_id) AS e
    ON a.alert_id = e.origin_alert_id

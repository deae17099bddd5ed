-- The alerts that count, for people and for figures: live alerts that stand. Leaves out
--   * alerts an imported history produced about the past (origin = 'history'),
--   * the retraction notices themselves (type = 'retraction'),
--   * every alert a retraction withdrew (a card uploaded late by an offline phone proved it wrong),
--   * the escalations of such an alert (escalation:<alert_id>:<level>).
-- Read with FINAL inside, so each alert_id appears once. The work queue, the response-time views and the
-- response dashboards read alerts through this view.
CREATE OR REPLACE VIEW salespulse.valid_alerts AS
SELECT
    alert_id,
    type,
    severity,
    tenant,
    region,
    team,
    rep_id,
    customer_id,
    stage,
    due_at,
    fired_at,
    emitted_at,
    title,
    message,
    suggestion,
    ingested_at
FROM salespulse.alerts FINAL
WHERE origin = 'live'
  AND type != 'retraction'
  AND replaceRegexpOne(alert_id, '^escalation:(.*):[0-9]+$', '\\1') NOT IN
      (
          SELECT retracts
          FROM salespulse.alerts FINAL
          WHERE type = 'retraction'
      )

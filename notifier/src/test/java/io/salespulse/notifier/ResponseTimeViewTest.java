package io.salespulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The response-time views (sql/010, sql/011, replaced by sql/025 over valid_alerts of sql/024) on the engine,
 * against numbers worked out by hand.
 */
class ResponseTimeViewTest extends SharedStackTest {

    private static void alert(String id, String region, String team) throws Exception {
        alert("w", id, "stage_overdue", "live", "", region, team);
    }

    private static void alert(String tenant, String id, String type, String origin, String retracts, String region,
            String team) throws Exception {
        stack.execute("INSERT INTO salespulse.alerts (alert_id, type, severity, tenant, region, team, rep_id, customer_id,"
                + " stage, due_at, fired_at, emitted_at, title, message, suggestion, ingested_at, origin, retracts) VALUES"
                + " ('" + id + "', '" + type + "', 'normal', '" + tenant + "', '" + region + "', '" + team + "', 'r', 'c',"
                + " 'needs', NULL, '2030-01-01 00:00:00', now64(3), 't', 'm', 's', now64(3), '" + origin + "', '"
                + retracts + "')");
    }

    private static void ack(String eventId, String id, String action, String at) throws Exception {
        ack("w", eventId, id, action, at);
    }

    private static void ack(String tenant, String eventId, String id, String action, String at) throws Exception {
        stack.execute("INSERT INTO salespulse.alert_acks (event_id, alert_id, tenant, responder, action, occurred_at,"
                + " ingested_at) VALUES ('" + eventId + "', '" + id + "', '" + tenant + "', 'u-" + eventId + "', '" + action
                + "', '" + at + "', now64(3))");
    }

    /**
     * Tenant x: in team t-1 one alert answered after 1 h and one unanswered count; a withdrawn alert (acked after
     * 30 min: the ack is kept, but is no response), its retraction, its escalation, a history alert (acked) and a
     * forecast digest do not. Team t-2 has only a withdrawn alert and a history alert: no row at all.
     */
    @Test
    void withdrawnAlertsRetractionsHistoryAlertsAndDigestsAreNotCounted() throws Exception {
        alert("x", "x-ok", "stage_overdue", "live", "", "sh", "t-1");
        alert("x", "x-open", "stage_overdue", "live", "", "sh", "t-1");
        alert("x", "x-gone", "stage_overdue", "live", "", "sh", "t-1");
        alert("x", "retraction:x-gone", "retraction", "live", "x-gone", "sh", "t-1");
        alert("x", "escalation:x-gone:1", "escalation", "live", "", "sh", "t-1");
        alert("x", "x-old", "stage_overdue", "history", "", "sh", "t-1");
        alert("x", "digest:x:t-1", "digest", "live", "", "sh", "t-1");
        alert("x", "x-gone-2", "funnel_drop", "live", "", "sh", "t-2");
        alert("x", "retraction:x-gone-2", "retraction", "history", "x-gone-2", "sh", "t-2");
        alert("x", "x-old-2", "coaching", "history", "", "sh", "t-2");
        ack("x", "g1", "x-ok", "ack", "2030-01-01 01:00:00");
        ack("x", "g2", "x-gone", "ack", "2030-01-01 00:30:00");
        ack("x", "g3", "x-old", "resolve", "2030-01-01 00:10:00");

        assertThat(stack.query("SELECT alert_id FROM salespulse.valid_alerts WHERE tenant = 'x' ORDER BY alert_id"))
                .containsExactly("digest:x:t-1", "x-ok", "x-open");
        assertThat(stack.query("SELECT alert_id, responded, response_seconds FROM salespulse.alert_response_times"
                + " WHERE tenant = 'x' ORDER BY alert_id")).containsExactly("x-ok|1|3600.0", "x-open|0|null");
        assertThat(stack.query("SELECT region, team, alerts, answered, unanswered, median_response_seconds,"
                + " share_within_4h FROM salespulse.alert_response_by_team WHERE tenant = 'x' ORDER BY region, team"))
                .containsExactly("||2|1|1|3600.0|0.5", "sh||2|1|1|3600.0|0.5", "sh|t-1|2|1|1|3600.0|0.5");
        assertThat(stack.count("SELECT count() FROM salespulse.alert_acks FINAL WHERE tenant = 'x'"))
                .as("acks on withdrawn and history alerts are kept").isEqualTo(3);
    }

    @Test
    void medianP90ShareWithinFourHoursAndUnansweredPerTeamAndRegion() throws Exception {
        // Team t-1: responses after 1 h, 2 h, 3 h, 5 h; one unanswered. Team t-2: 10 h; one unanswered.
        for (String id : new String[] {"a1", "a2", "a3", "a4", "a5"}) {
            alert(id, "hz", "t-1");
        }
        alert("b1", "hz", "t-2");
        alert("b2", "hz", "t-2");
        ack("e1", "a1", "ack", "2030-01-01 01:00:00");
        ack("e1b", "a1", "resolve", "2030-01-01 06:00:00"); // a later resolve does not change the first response
        ack("e2", "a2", "resolve", "2030-01-01 02:00:00");
        ack("e3", "a3", "ack", "2030-01-01 03:00:00");
        ack("e4", "a4", "ack", "2030-01-01 05:00:00");
        ack("e4", "a4", "ack", "2030-01-01 05:00:00"); // the same event twice: FINAL keeps one
        ack("f1", "b1", "ack", "2030-01-01 10:00:00");

        assertThat(stack.query("SELECT alert_id, responded, response_seconds, first_responder FROM"
                + " salespulse.alert_response_times WHERE team = 't-1' ORDER BY alert_id")).containsExactly(
                "a1|1|3600.0|u-e1", "a2|1|7200.0|u-e2", "a3|1|10800.0|u-e3", "a4|1|18000.0|u-e4",
                "a5|0|null|null");
        // t-1: answered 1,2,3,5 h -> median 2.5 h = 9000 s; p90 (inclusive) = 3 + 0.7 * (5 - 3) = 4.4 h = 15840 s;
        // within 4 h: 3 of 5 alerts = 0.6. t-2: one answer (10 h), one unanswered; within 4 h 0.
        // Region hz (team '') and tenant w (region ''): answered 1,2,3,5,10 h -> median 3 h; p90 = 5 + 0.6 * 5 = 8 h = 28800 s; 3 of 7.
        assertThat(stack.query("SELECT region, team, alerts, answered, unanswered, round(median_response_seconds, 3),"
                + " round(p90_response_seconds, 3), round(share_within_4h, 4) FROM salespulse.alert_response_by_team"
                + " WHERE tenant = 'w' ORDER BY region, team")).containsExactly(
                "||7|5|2|10800.0|28800.0|0.4286",
                "hz||7|5|2|10800.0|28800.0|0.4286",
                "hz|t-1|5|4|1|9000.0|15840.0|0.6",
                "hz|t-2|2|1|1|36000.0|36000.0|0.0");
    }
}

package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The closed loop after an ack, with the real notifier, broker, ClickHouse engine and WeCom stand-in: an answered
 * overdue alert whose customer sends no stage card within verify_within gets one reminder "已确认但客户仍未推进" in the
 * same group; one whose customer moved does not; the alert_follow_up views count response and handling from when
 * the group was told.
 */
class FollowUpTest extends SharedStackTest {

    private static String ts(Instant t) {
        return "toDateTime64('" + t.toString().replace("T", " ").replace("Z", "") + "', 3, 'UTC')";
    }

    @Test
    void anAnsweredAlertWithoutTheNextCardIsRemindedOnceAndTheViewsCountTheLoop() throws Exception {
        Instant t0 = Instant.parse("2033-03-01T01:00:00Z");
        ManualTime time = new ManualTime(t0);
        String team = "key-fu-team-" + Long.toHexString(System.nanoTime());
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team), time)) {
            Path routes = stack.writeRoutes("followup",
                    "default_route: team\nroutes: {team: {}}\nescalation: {window: 72h}\n");
            NotifierConfig config = stack.config("followup", stub.url(), routes, Map.of());
            NotifierAlert stuck = alert("fu-stuck", "high", "hz-fu", "t-1", t0);
            NotifierAlert moved = alert("fu-moved", "normal", "hz-fu", "t-1", t0);
            NotifierAlert ignored = alert("fu-ignored", "normal", "hz-fu", "t-2", t0);
            for (NotifierAlert a : List.of(stuck, moved, ignored)) {
                // What the monitor's sink writes: the views read alerts from valid_alerts.
                stack.execute("INSERT INTO salespulse.alerts (alert_id, type, severity, tenant, region, team, rep_id,"
                        + " customer_id, stage, due_at, fired_at, emitted_at, title, message, suggestion, ingested_at)"
                        + " VALUES ('" + a.alertId() + "', 'stage_overdue', '" + a.severity() + "', 'weijiang', 'hz-fu', '"
                        + a.team() + "', 'r-007', '" + a.customerId() + "', 'needs', " + ts(t0) + ", " + ts(t0) + ", "
                        + ts(t0) + ", 't', 'm', 's', " + ts(t0) + ")");
            }
            stack.produce(config.topicAlerts, List.of(stuck, moved, ignored), t0);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_TEAM", team)), time, RobotDispatcher.PostObserver.NONE)) {
                await("three posted", Duration.ofSeconds(30), () -> stub.received(team).size() == 3);
                for (NotifierAlert a : List.of(stuck, moved, ignored)) {
                    stack.awaitDelivered(a.alertId());
                }
                time.advance(Duration.ofMinutes(10));
                for (NotifierAlert a : List.of(stuck, moved)) {
                    HttpResponse<String> r = NotifierTestStack.actOnPage(n.ackPort(), a.alertId(), "r-007", "ack",
                            time.now());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                await("both acks in ClickHouse", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_acks FINAL WHERE alert_id IN ('fu-stuck', 'fu-moved')") == 2);
                // fu-moved's customer sends the next card 30 min after the alert.
                stack.execute("INSERT INTO salespulse.stage_events (event_id, tenant, occurred_at, customer_id, rep_id,"
                        + " region, team, stage, high_potential, ingested_at) VALUES ('fu-card', 'weijiang', "
                        + ts(t0.plus(Duration.ofMinutes(30))) + ", '" + moved.customerId() + "', 'r-007', 'hz-fu', 't-1',"
                        + " 'proposal', false, " + ts(t0.plus(Duration.ofMinutes(30))) + ")");

                time.advance(Duration.ofHours(23).plusMinutes(58));
                Thread.sleep(2000);
                assertThat(stub.received(team)).as("23 h 58 min after the acks: no reminder yet").hasSize(3);
                time.advance(Duration.ofMinutes(3));
                await("the reminder", Duration.ofSeconds(30), () -> stub.received(team).size() == 4);
                String reminder = stub.received(team).get(3).content();
                assertThat(reminder).contains("已确认但客户仍未推进").contains("fu-stuck").contains("r-007 于")
                        .contains("/alert?a=fu-stuck&to=");
                time.advance(Duration.ofHours(30));
                Thread.sleep(2000);
                assertThat(stub.received(team)).as("one reminder only, none for the customer that moved").hasSize(4);
                assertThat(n.failure()).isNull();
            }
            assertThat(stack.query("SELECT alert_id, response_seconds, handled_seconds, acked_not_handled FROM"
                    + " salespulse.alert_follow_up WHERE region = 'hz-fu' ORDER BY alert_id")).containsExactly(
                    "fu-ignored|null|null|0", "fu-moved|600.0|1800.0|0", "fu-stuck|600.0|null|1");
            assertThat(stack.query("SELECT team, alerts, answered, handled, if(answered > 0, median_response_seconds, -1),"
                    + " round(share_handled_within_4h, 3), round(share_acked_never_handled, 3) FROM"
                    + " salespulse.alert_follow_up_by_team WHERE region = 'hz-fu' ORDER BY team")).containsExactly(
                    "|3|2|1|600.0|0.333|0.333", "t-1|2|2|1|600.0|0.5|0.5", "t-2|1|0|0|-1.0|0.0|0.0");
        }
    }
}

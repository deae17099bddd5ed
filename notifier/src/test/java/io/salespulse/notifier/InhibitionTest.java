package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An inhibition rule with the real notifier, broker, ClickHouse engine and WeCom stand-in: while a region has an open
 * funnel-drop episode for a stage (its {@code funnel_drop} alert in {@code salespulse.alerts}, no retraction, no
 * {@code funnel_recovery}), the region's overdue alerts of that stage are held and go out together at the next group
 * interval, one message; other stages and other regions are posted at once; once the episode has recovered, overdue
 * alerts of the stage are posted one by one again.
 */
class InhibitionTest extends SharedStackTest {

    private static String ts(Instant t) {
        return "toDateTime64('" + t.toString().replace("T", " ").replace("Z", "") + "', 3, 'UTC')";
    }

    private static NotifierAlert overdue(String id, String region, String stage, Instant t) {
        return new NotifierAlert(id, "stage_overdue", "normal", "weijiang", region, "t-1", "r-1", "c-" + id, stage, t, t,
                "【客户待激活】客户 c-" + id, "m", "s", 0, id);
    }

    private void writeAlert(String id, String type, String region, String stage, Instant t) throws Exception {
        stack.execute("INSERT INTO salespulse.alerts (alert_id, type, severity, tenant, region, team, rep_id, customer_id,"
                + " stage, fired_at, emitted_at, title, message, suggestion, ingested_at, origin) VALUES ('" + id + "', '"
                + type + "', 'high', 'weijiang', '" + region + "', '', '', '', '" + stage + "', " + ts(t) + ", " + ts(t)
                + ", 't', 'm', 's', " + ts(t) + ", 'live')");
    }

    @Test
    void overdueAlertsOfADroppingStageGoOutAsOneGroupedMessage() throws Exception {
        Instant t0 = Instant.parse("2034-06-05T02:10:00Z");
        ManualTime time = new ManualTime(t0);
        String run = Long.toHexString(System.nanoTime());
        String region = "hz-in-" + run;
        String team = "key-in-team-" + run;
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team), time)) {
            Path routes = stack.writeRoutes("inhibit", """
                    default_route: in-team
                    routes: {in-team: {}}
                    inhibit:
                      - name: 转化下降期间的逾期预警合并
                        source: {type: funnel_drop}
                        ended_by: funnel_recovery
                        target: {type: stage_overdue, level: team}
                        equal: [tenant, region, stage]
                        group_interval: 1h
                    """);
            NotifierConfig config = stack.config("inhibit", stub.url(), routes, Map.of());
            String drop = "funnel_drop:weijiang:" + region + ":*:proposal:2034-06-04T16:00:00Z";
            writeAlert(drop, "funnel_drop", region, "proposal", t0.minus(Duration.ofHours(3)));
            stack.produce(config.topicAlerts, List.of(overdue("in-p1-" + run, region, "proposal", t0),
                    overdue("in-p2-" + run, region, "proposal", t0), overdue("in-p3-" + run, region, "proposal", t0),
                    overdue("in-needs-" + run, region, "needs", t0),
                    overdue("in-other-" + run, "hz-other-" + run, "proposal", t0)), t0);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_IN_TEAM", team)), time, RobotDispatcher.PostObserver.NONE)) {
                await("another stage and another region posted", Duration.ofSeconds(30),
                        () -> stub.received(team).size() == 2);
                await("three held by the drop", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'in-p%" + run + "' AND status = 'held'"
                        + " AND held_reason = 'inhibited' AND held_until = " + ts(Instant.parse("2034-06-05T03:00:00Z"))
                        + " AND error LIKE 'inhibited by " + drop + "%'") == 3);
                time.advance(Duration.ofMinutes(49)); // 02:59
                Thread.sleep(1500);
                assertThat(stub.received(team)).hasSize(2);
                time.advance(Duration.ofMinutes(2)); // 03:01
                await("one grouped message", Duration.ofSeconds(30), () -> stub.received(team).size() == 3);
                assertThat(stub.received(team).get(2).content()).contains("【合并通知】3 条相关预警")
                        .contains("c-in-p1-").contains("c-in-p2-").contains("c-in-p3-");

                // The episode recovers: the stage's overdue alerts go out one by one again.
                writeAlert(drop.replace("funnel_drop:", "funnel_recovery:"), "funnel_recovery", region, "proposal",
                        time.now());
                stack.produce(config.topicAlerts, List.of(overdue("in-after-" + run, region, "proposal", time.now())),
                        time.now());
                await("posted at once after the recovery", Duration.ofSeconds(30), () -> stub.received(team).size() == 4);
                assertThat(stub.received(team).get(3).content()).contains("c-in-after-");
                assertThat(n.failure()).isNull();
            }
        }
    }
}

package io.salespulse.notifier;

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
 * Diagnoses that ask for an action, with the real notifier, broker, ClickHouse engine and WeCom stand-in, for a tenant
 * with working hours (Mon-Fri 09:00-18:00): a funnel drop told Friday 16:00 is due Monday 09:00 (24 h later is a
 * Saturday), the message says so; an ack does not stop the clock, and at the deadline the region manager gets
 * 「指令逾期」; a drop resolved on its page before its deadline never escalates. The view {@code alert_instructions}
 * shows one overdue (with its escalation) and one done on time.
 */
class InstructionTest extends SharedStackTest {
    private static final String CALENDAR = "{\"version\":1,\"updated_at\":\"2035-01-01T09:00:00+08:00\","
            + "\"updated_by\":\"u-chen\",\"calendar\":{\"time_zone\":\"Asia/Shanghai\",\"working_hours\":{"
            + "\"mon\":\"09:00-18:00\",\"tue\":\"09:00-18:00\",\"wed\":\"09:00-18:00\",\"thu\":\"09:00-18:00\","
            + "\"fri\":\"09:00-18:00\"}}}";

    private static String ts(Instant t) {
        return "toDateTime64('" + t.toString().replace("T", " ").replace("Z", "") + "', 3, 'UTC')";
    }

    private NotifierAlert drop(String id, String region, Instant t) throws Exception {
        stack.execute("INSERT INTO salespulse.alerts (alert_id, type, severity, tenant, region, team, rep_id, customer_id,"
                + " stage, fired_at, emitted_at, title, message, suggestion, ingested_at) VALUES ('" + id + "',"
                + " 'funnel_drop', 'normal', 'weijiang', '" + region + "', '', '', '', 'proposal', " + ts(t) + ", " + ts(t)
                + ", '【转化下降】', 'm', '建议区域经理 24 小时内复盘', " + ts(t) + ")");
        return new NotifierAlert(id, "funnel_drop", "normal", "weijiang", region, "", "", "", "proposal", null, t,
                "【转化下降】" + region + " 区域「方案呈现」转化率从 62% 降至 40%", "m", "建议区域经理 24 小时内与 t-1 组复盘「方案呈现」后未推进的客户",
                0, id);
    }

    @Test
    void aMissedDeadlineEscalatesAndAResolvedOneDoesNot() throws Exception {
        Instant friday1600 = Instant.parse("2035-03-16T08:00:00Z");
        Instant monday0900 = Instant.parse("2035-03-19T01:00:00Z");
        ManualTime time = new ManualTime(friday1600);
        String run = Long.toHexString(System.nanoTime());
        String managers = "key-ins-managers-" + run;
        String region = "key-ins-region-" + run;
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_INS_MANAGERS", managers,
                "SALESPULSE_WECOM_KEY_INS_REGION", region);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(managers, region), time)) {
            Path routes = stack.writeRoutes("instructions", """
                    default_route: ins-managers
                    routes: {ins-managers: {}, ins-region: {}}
                    rules:
                      - match: {level: region}
                        routes: [ins-region]
                    escalation: {window: 4h}
                    """);
            NotifierConfig config = stack.config("instructions", stub.url(), routes, Map.of());
            stack.kafka.createTopics(1, config.topicPolicies);
            stack.publishPolicy(config.topicPolicies, "weijiang", CALENDAR);
            String late = "funnel_drop:weijiang:hz-ins-" + run + ":*:proposal:a";
            String done = "funnel_drop:weijiang:hz-ins2-" + run + ":*:proposal:b";
            stack.produce(config.topicAlerts, List.of(drop(late, "hz-ins-" + run, friday1600)), friday1600);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("the drop posted", Duration.ofSeconds(30), () -> stub.received(managers).size() == 1);
                assertThat(stub.received(managers).get(0).content()).contains("完成期限：3月19日 09:00");
                stack.awaitDelivered(late);
                assertThat(stack.query("SELECT action_due_at FROM salespulse.alert_deliveries FINAL WHERE alert_id = '"
                        + late + "'")).containsExactly("2035-03-19 01:00:00");
                // Someone looked (ack) but did not do it: the clock keeps running, and no 4 h escalation either.
                time.advance(Duration.ofMinutes(30));
                HttpResponse<String> ack = NotifierTestStack.actOnPage(n.ackPort(), late, "group:ins-managers", "ack",
                        time.now());
                assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
                time.advance(Duration.between(time.now(), monday0900.minusSeconds(60)));
                Thread.sleep(1500);
                assertThat(stub.received(region)).isEmpty();
                time.advance(Duration.ofMinutes(2));
                await("the missed deadline escalated", Duration.ofSeconds(30), () -> stub.received(region).size() == 1);
                assertThat(stub.received(region).get(0).content()).contains("【指令逾期·升级至区域经理】")
                        .contains("3月19日 09:00 前完成");

                // Monday 10:00: another drop, resolved at 15:00, before its deadline (Tuesday 10:00).
                time.advance(Duration.between(time.now(), monday0900.plus(Duration.ofHours(1))));
                stack.produce(config.topicAlerts, List.of(drop(done, "hz-ins2-" + run, time.now())), time.now());
                await("the second drop posted", Duration.ofSeconds(30), () -> stub.received(managers).size() == 2);
                stack.awaitDelivered(done);
                time.advance(Duration.ofHours(5));
                HttpResponse<String> resolve = NotifierTestStack.actOnPage(n.ackPort(), done, "group:ins-managers",
                        "resolve", time.now());
                assertThat(resolve.statusCode()).as(resolve.body()).isEqualTo(200);
                await("resolved in ClickHouse", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_acks FINAL WHERE alert_id = '" + done + "' AND action = 'resolve'") == 1);
                time.advance(Duration.ofDays(1));
                Thread.sleep(1500);
                assertThat(stub.received(region).stream().filter(r -> r.content().contains("hz-ins2-"))).isEmpty();
                assertThat(n.failure()).isNull();
            }
            assertThat(stack.query("SELECT region, state, escalated_at IS NOT NULL FROM salespulse.alert_instructions"
                    + " WHERE alert_id IN ('" + late + "', '" + done + "') ORDER BY region")).containsExactly(
                    "hz-ins-" + run + "|overdue|1", "hz-ins2-" + run + "|done_on_time|0");
        }
    }
}

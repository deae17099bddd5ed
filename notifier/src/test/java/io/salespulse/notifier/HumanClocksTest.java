package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Clocks that follow people, with the real notifier against the broker, the ClickHouse engine and the WeCom
 * stand-in (which enforces 20 messages per key in any 60 s and answers 45009 beyond): escalation waits start when a
 * group was told (the ledger's delivered_at), not when the alert fired; the per-robot rate budget survives a
 * graceful restart.
 */
class HumanClocksTest extends SharedStackTest {

    @Test
    void escalationWaitsStartWhenTheGroupWasToldNotWhenTheAlertFired() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2032-01-01T01:00:00Z"));
        String team = "key-hc-team-" + Long.toHexString(System.nanoTime());
        String region = "key-hc-region-" + Long.toHexString(System.nanoTime());
        String director = "key-hc-director-" + Long.toHexString(System.nanoTime());
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_TEAM", team, "SALESPULSE_WECOM_KEY_REGION", region,
                "SALESPULSE_WECOM_KEY_DIRECTOR", director);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team, region, director), time)) {
            Path routes = stack.writeRoutes("clocks", """
                    default_route: team
                    routes: {team: {}, region: {}, director: {}}
                    rules:
                      - match: {level: region}
                        routes: [region]
                      - match: {level: director}
                        routes: [director]
                    escalation:
                      window: 4h
                    """);
            NotifierConfig config = stack.config("clocks", stub.url(), routes, Map.of());
            // Fired 10 h ago (a late card, a restart, a backlog): counted from firing, both levels would be due at once.
            NotifierAlert old = alert("hc-old", "normal", "hz-west", "t-3", time.now().minus(Duration.ofHours(10)));
            stack.produce(config.topicAlerts, List.of(old), time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("posted to the team", Duration.ofSeconds(30), () -> stub.received(team).size() == 1);
                stack.awaitDelivered("hc-old");
                Instant told = Instant.ofEpochMilli(stack.count("SELECT toUnixTimestamp64Milli(delivered_at) FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id = 'hc-old'"));
                time.advance(Duration.ofMinutes(1));
                Thread.sleep(1500);
                assertThat(stub.received(region)).as("not escalated a minute after the team was told").isEmpty();

                time.advance(Duration.ofHours(3).plusMinutes(57));
                Thread.sleep(1500);
                assertThat(stub.received(region)).as("3 h 58 min after the team was told").isEmpty();

                time.advance(Duration.ofMinutes(3));
                await("level 1 once the team had 4 h", Duration.ofSeconds(30), () -> stub.received(region).size() == 1);
                String level1 = stub.received(region).get(0).content();
                assertThat(level1).contains("该预警通知团队已 4 小时").contains("to=group%3Aregion").doesNotContain("to=r-007");
                stack.awaitDelivered("escalation:hc-old:1");
                Instant regionTold = Instant.ofEpochMilli(stack.count("SELECT toUnixTimestamp64Milli(delivered_at) FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id = 'escalation:hc-old:1'"));
                assertThat(stack.query("SELECT toUnixTimestamp64Milli(fired_at) FROM salespulse.alert_deliveries FINAL"
                        + " WHERE alert_id = 'escalation:hc-old:1'"))
                        .containsExactly(Long.toString(told.plus(Duration.ofHours(4)).toEpochMilli()));

                time.advance(Duration.ofHours(3).plusMinutes(58));
                Thread.sleep(1500);
                assertThat(stub.received(director)).as("the region has had 3 h 58 min").isEmpty();
                time.advance(Duration.ofMinutes(3));
                await("level 2 once the region had 4 h", Duration.ofSeconds(30), () -> stub.received(director).size() == 1);
                assertThat(Duration.between(regionTold, time.now())).isGreaterThanOrEqualTo(Duration.ofHours(4));
                assertThat(n.failure()).isNull();
            }
        }
    }

    @Test
    void theRateBudgetSurvivesAGracefulRestart() throws Exception {
        // The stand-in and the notifier share a clock that stands still: every post falls into one 60 s window.
        ManualTime time = new ManualTime(Instant.parse("2032-02-01T01:00:00Z"));
        String k = "key-hc-rate-" + Long.toHexString(System.nanoTime());
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("rate", "default_route: hz\nroutes:\n  hz: {}\n");
            NotifierConfig config = stack.config("rate", stub.url(), routes, Map.of(NotifierSetting.MAX_BATCH, "500"));
            Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_HZ", k);
            List<NotifierAlert> first = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                first.add(alert("hc-rate-a" + i, "normal", "hz-west", "t-3", time.now()));
            }
            stack.produce(config.topicAlerts, first, time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("15 single posts", Duration.ofSeconds(60), () -> stub.received(k).size() == 15);
            }
            // A graceful restart within the same minute, and 10 more alerts.
            List<NotifierAlert> second = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                second.add(alert("hc-rate-b" + i, "normal", "hz-west", "t-3", time.now()));
            }
            stack.produce(config.topicAlerts, second, time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("the 10 settled", Duration.ofSeconds(60), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'hc-rate-b%'"
                        + " AND status IN ('delivered', 'digested')") == 10);
                assertThat(n.failure()).isNull();
            }
            // 5 tokens were left: 10 waiting alerts went out as one digest, and WeCom never said 45009.
            assertThat(stub.rejectedForRate()).isZero();
            assertThat(stub.maxInAnyWindow(k, Duration.ofMinutes(1))).isLessThanOrEqualTo(20);
            assertThat(stub.received(k)).hasSize(16);
            assertThat(stub.received(k).get(15).content()).contains("共 10 条待处理预警");
        }
    }
}

package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * History alerts and retractions through the real broker, ClickHouse engine and WeCom stub. Each test has its own
 * topics, consumer group, robot keys and a manual clock in its own month, so one test's alerts are too old or too
 * young to escalate in another (escalation.max_age 7d, shared ledger).
 */
class RetractionDeliveryTest extends SharedStackTest {
    /** Escalations go to region and director; a rule on type sends stage_overdue to the team, anything else to other. */
    private static final String ROUTES = """
            default_route: other
            escalation:
              window: 4h
            routes: {team: {}, other: {}, region: {}, director: {}}
            rules:
              - match: {type: stage_overdue}
                routes: [team]
              - match: {level: region}
                routes: [region]
              - match: {level: director}
                routes: [director]
            """;

    /** One test's setting: a robot key per route, the stub that knows them, its routing file, topics and clock. */
    private record Run(WeComStub stub, Map<String, String> keys, Path routes, NotifierConfig config, ManualTime time)
            implements AutoCloseable {
        static Run start(String name, ManualTime time) throws Exception {
            Map<String, String> keys = new TreeMap<>();
            for (String route : List.of("team", "other", "region", "director")) {
                keys.put(route, "key-" + name + "-" + route + "-" + Long.toHexString(System.nanoTime()));
            }
            WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.copyOf(keys.values()), time);
            Path routes = stack.writeRoutes(name, ROUTES);
            return new Run(stub, keys, routes, stack.config(name, stub.url(), routes, Map.of()), time);
        }

        WeComNotifier notifier(NotifierConfig with) throws Exception {
            Map<String, String> env = new HashMap<>();
            keys.forEach((route, key) -> env.put("SALESPULSE_WECOM_KEY_" + route.toUpperCase(Locale.ROOT), key));
            return WeComNotifier.start(with, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE);
        }

        WeComNotifier notifier() throws Exception {
            return notifier(config);
        }

        void produce(NotifierAlert... alerts) throws Exception {
            produce(List.of(alerts));
        }

        void produce(List<NotifierAlert> alerts) throws Exception {
            stack.produce(config.topicAlerts, alerts, time.now());
        }

        List<String> got(String route) {
            return stub.received(keys.get(route)).stream().map(WeComStub.Received::content).toList();
        }

        @Override
        public void close() {
            stub.close();
        }
    }

    /** The pipeline's withdrawal of {@code original}: same people and place, its own Chinese text. */
    static NotifierAlert retraction(NotifierAlert original, String origin) {
        return new NotifierAlert(Alert.retractionId(original.alertId()), Alert.RETRACTION, original.severity(),
                original.tenant(), original.region(), original.team(), original.repId(), original.customerId(),
                original.stage(), null, original.firedAt().plus(Duration.ofMinutes(30)),
                "【预警撤回】客户 " + original.customerId() + "「需求确认」超时预警撤回",
                "「方案呈现」卡已于 11月23日 17:20 离线提交，稍后才上传，客户并未超时。", "无需处理。", 0, original.alertId(),
                origin, original.alertId());
    }

    static NotifierAlert history(NotifierAlert a) {
        return new NotifierAlert(a.alertId(), a.type(), a.severity(), a.tenant(), a.region(), a.team(), a.repId(),
                a.customerId(), a.stage(), a.dueAt(), a.firedAt(), a.title(), a.message(), a.suggestion(), 0,
                a.alertId(), Alert.HISTORY, null);
    }

    private static List<String> ledger(String alertIdLike) throws Exception {
        return stack.query("SELECT alert_id, route, status, error_code FROM salespulse.alert_deliveries FINAL"
                + " WHERE alert_id LIKE '" + alertIdLike + "' ORDER BY alert_id, route");
    }

    @Test
    void historyAlertsAreRecordedButNeverPostedDigestedOrEscalated() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-01T01:00:00Z"));
        try (Run run = Run.start("hist", time)) {
            List<NotifierAlert> alerts = new ArrayList<>();
            for (int i = 0; i < 22; i++) {
                alerts.add(alert("live-" + i, "normal", "hz-west", "t-3", time.now()));
            }
            NotifierAlert old = history(alert("hist-0", "high", "hz-west", "t-3", time.now()));
            alerts.add(old);
            alerts.add(history(alert("hist-1", "normal", "hz-west", "t-3", time.now())));
            alerts.add(retraction(old, Alert.HISTORY));
            run.produce(alerts);
            try (WeComNotifier n = run.notifier()) {
                // 22 live alerts and a budget of 20: one digest, which must count the live ones only.
                await("the live alerts digested", Duration.ofSeconds(60), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'live-%' AND status = 'digested'") == 22);
                time.advance(Duration.ofHours(4).plusMinutes(1));
                await("level 1 of the live alerts", Duration.ofSeconds(60), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE origin_alert_id LIKE 'live-%' AND escalation_level = 1"
                        + " AND status IN ('delivered', 'digested')") == 22);
                assertThat(n.failure()).isNull();
            }
            assertThat(run.got("team")).hasSize(1);
            assertThat(run.got("team").get(0)).contains("共 22 条待处理预警").doesNotContain("hist-");
            assertThat(run.got("other")).isEmpty();
            assertThat(String.join("\n", run.got("region"))).doesNotContain("hist-");
            assertThat(ledger("%hist-%")).containsExactly(
                    "hist-0|team|skipped_history|history",
                    "hist-1|team|skipped_history|history",
                    "retraction:hist-0|other|skipped_history|history");
        }
    }

    @Test
    void aRetractionGoesToTheGroupThatGotItsOriginalNotWhereTheRulesWouldSendIt() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-02-01T01:00:00Z"));
        try (Run run = Run.start("same", time)) {
            NotifierAlert original = alert("same-a", "high", "hz-west", "t-3", time.now());
            try (WeComNotifier n = run.notifier()) {
                run.produce(original);
                await("the original posted", Duration.ofSeconds(30), () -> run.got("team").size() == 1);
                time.advance(Duration.ofMinutes(30));
                run.produce(retraction(original, Alert.LIVE));
                await("the retraction posted", Duration.ofSeconds(30), () -> run.got("team").size() == 2);
                assertThat(n.failure()).isNull();
            }
            String posted = run.got("team").get(1);
            assertThat(posted).contains("【预警撤回】客户 " + original.customerId() + "「需求确认」超时预警撤回")
                    .contains("离线提交，稍后才上传").contains("无需处理").contains("same-a")
                    .doesNotContain("/alert?").doesNotContain("已超时");
            assertThat(run.got("other")).isEmpty();
            assertThat(ledger("%same-a")).containsExactly(
                    "retraction:same-a|team|delivered|ok", "same-a|team|delivered|ok");
        }
    }

    @Test
    void aRetractionWhileItsOriginalWaitsForTheRateLimitDropsBothUnposted() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-03-01T01:00:00Z"));
        time.freeze(true);
        try (Run run = Run.start("wait", time)) {
            List<NotifierAlert> fillers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fillers.add(alert("wait-filler-" + i, "normal", "hz-west", "t-3", time.now()));
            }
            NotifierAlert original = alert("wait-a", "high", "hz-west", "t-3", time.now());
            try (WeComNotifier n = run.notifier()) {
                run.produce(fillers);
                await("the robot's minute spent", Duration.ofSeconds(30), () -> run.got("team").size() == 20);
                run.produce(original);
                await("the original waits for a token", Duration.ofSeconds(30), () -> n.waitingDeliveries() == 1);
                run.produce(retraction(original, Alert.LIVE));
                await("both decided", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE '%wait-a'") == 2);
                assertThat(n.waitingDeliveries()).isZero();
                // Tokens come back; a later alert goes out, and nothing of the withdrawn one.
                time.freeze(false);
                time.advance(Duration.ofMinutes(2));
                run.produce(alert("wait-later", "normal", "hz-west", "t-3", time.now()));
                await("the later alert posted", Duration.ofSeconds(30), () -> run.got("team").size() == 21);
                assertThat(n.failure()).isNull();
            }
            assertThat(run.got("team").get(20)).contains("wait-later");
            assertThat(String.join("\n", run.got("team"))).doesNotContain("wait-a").doesNotContain("预警撤回");
            assertThat(run.got("other")).isEmpty();
            assertThat(ledger("%wait-a")).containsExactly(
                    "retraction:wait-a||nothing_to_retract|original_dropped",
                    "wait-a|team|retracted_before_delivery|retracted");
        }
    }

    @Test
    void anAlertReadAfterItsRetractionIsNeverPosted() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-04-01T01:00:00Z"));
        try (Run run = Run.start("late", time)) {
            NotifierAlert original = alert("late-a", "normal", "hz-west", "t-3", time.now());
            try (WeComNotifier n = run.notifier()) {
                // As when the two records sit in different partitions and the retraction's is read first.
                run.produce(retraction(original, Alert.LIVE));
                await("the retraction recorded", Duration.ofSeconds(30), () -> !ledgerUnchecked("%late-a").isEmpty());
                run.produce(original, alert("late-b", "normal", "hz-west", "t-3",
                        time.now()));
                await("the next alert posted", Duration.ofSeconds(30), () -> run.got("team").size() == 1);
                time.advance(Duration.ofHours(9));
                await("late-b escalated", Duration.ofSeconds(30), () -> run.got("region").size() == 1);
                assertThat(n.failure()).isNull();
            }
            assertThat(run.got("team").get(0)).contains("late-b");
            assertThat(String.join("\n", run.got("region"))).contains("late-b").doesNotContain("late-a");
            assertThat(ledger("%late-a")).containsExactly(
                    "late-a|team|retracted_before_delivery|retracted",
                    "retraction:late-a||nothing_to_retract|original_unknown");
        }
    }

    @Test
    void aRetractedAlertNeverEscalatesAndItsPostedEscalationIsWithdrawnToo() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-05-01T01:00:00Z"));
        try (Run run = Run.start("esc", time)) {
            NotifierAlert early = alert("esc-early", "normal", "hz-west", "t-3", time.now());
            NotifierAlert late = alert("esc-late", "high", "hz-west", "t-3", time.now());
            try (WeComNotifier n = run.notifier()) {
                run.produce(early, late);
                await("both posted to the team", Duration.ofSeconds(30), () -> run.got("team").size() == 2);
                // esc-early is withdrawn before its escalation is due, esc-late only after level 1 reached the region.
                run.produce(retraction(early, Alert.LIVE));
                await("the first retraction posted", Duration.ofSeconds(30), () -> run.got("team").size() == 3);
                time.advance(Duration.ofHours(4).plusMinutes(1));
                await("level 1 of esc-late", Duration.ofSeconds(30), () -> run.got("region").size() == 1);
                run.produce(retraction(late, Alert.LIVE));
                await("the second retraction in both groups", Duration.ofSeconds(30),
                        () -> run.got("team").size() == 4 && run.got("region").size() == 2);

                HttpResponse<String> ack = NotifierTestStack.actOnPage(n.ackPort(), late.alertId(), "u-chen", "ack",
                        time.now());
                assertThat(ack.statusCode()).isEqualTo(200);
                assertThat(ack.body()).contains("已撤回").contains("无需处理");
                await("the ack stored", Duration.ofSeconds(30), () -> stack.count(
                        "SELECT count() FROM salespulse.alert_acks FINAL WHERE alert_id = 'esc-late'") == 1);

                time.advance(Duration.ofHours(8));
                Thread.sleep(1500);
                time.advance(Duration.ofHours(8));
                Thread.sleep(1500);
                assertThat(n.failure()).isNull();
            }
            assertThat(run.got("team").get(2)).contains("【预警撤回】").contains("esc-early");
            assertThat(run.got("region").get(0)).contains("升级至区域经理").contains("esc-late");
            assertThat(run.got("region").get(1)).contains("【预警撤回】").contains("esc-late");
            assertThat(run.got("region")).hasSize(2);
            assertThat(run.got("director")).isEmpty();
            assertThat(stack.query("SELECT alert_id FROM salespulse.alert_deliveries FINAL WHERE origin_alert_id LIKE"
                    + " 'esc-%' AND escalation_level > 0")).containsExactly("escalation:esc-late:1");
            assertThat(ledger("retraction:esc-%")).containsExactly(
                    "retraction:esc-early|team|delivered|ok",
                    "retraction:esc-late|region|delivered|ok",
                    "retraction:esc-late|team|delivered|ok");
        }
    }

    @Test
    void aRetractionReadAgainIsPostedOnce() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-06-01T01:00:00Z"));
        try (Run run = Run.start("again", time)) {
            NotifierAlert original = alert("again-a", "normal", "hz-west", "t-3", time.now());
            NotifierAlert withdrawal = retraction(original, Alert.LIVE);
            try (WeComNotifier n = run.notifier()) {
                run.produce(original);
                await("the original posted", Duration.ofSeconds(30), () -> run.got("team").size() == 1);
                run.produce(withdrawal);
                await("the retraction posted", Duration.ofSeconds(30), () -> run.got("team").size() == 2);
                // The same retraction again (a replay of the pipeline), then a marker: once the marker is posted,
                // the repeat before it has been read.
                run.produce(withdrawal, alert("again-m1", "normal", "hz-west", "t-3",
                        time.now()));
                await("marker 1 posted", Duration.ofSeconds(30), () -> run.got("team").size() == 3);
                assertThat(n.failure()).isNull();
            }
            // A restart on a new consumer group reads the whole topic again.
            NotifierConfig replay = stack.config("again", run.stub().url(), run.routes(),
                    Map.of(NotifierSetting.GROUP_ID, "notifier-again-replay"));
            try (WeComNotifier n = run.notifier(replay)) {
                run.produce(alert("again-m2", "normal", "hz-west", "t-3", time.now()));
                await("marker 2 posted", Duration.ofSeconds(30), () -> run.got("team").size() == 4);
                assertThat(n.failure()).isNull();
            }
            List<String> team = run.got("team");
            assertThat(team.get(0)).contains("again-a").contains("/alert?a=again-a&to=");
            assertThat(team.get(1)).contains("【预警撤回】");
            assertThat(team.get(2)).contains("again-m1");
            assertThat(team.get(3)).contains("again-m2");
            assertThat(team.stream().filter(m -> m.contains("【预警撤回】"))).hasSize(1);
            assertThat(ledger("retraction:again-a")).containsExactly("retraction:again-a|team|delivered|ok");
        }
    }

    private static List<String> ledgerUnchecked(String alertIdLike) {
        try {
            return ledger(alertIdLike);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

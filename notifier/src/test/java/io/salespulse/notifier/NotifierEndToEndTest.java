package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComResult;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier through the real broker and ClickHouse engine, with the WeCom stub on loopback. Each
 * test has its own topics, consumer group, robot keys and a manual clock starting in its own week, so
 * escalation candidates of one test are too old for another's (escalation.max_age 7d).
 */
class NotifierEndToEndTest {
    private static final Pattern ACK_ID = Pattern.compile("/alert\\?a=([^&)]+)&to=[^&)]+&exp=");
    private static final Pattern DIGEST_COUNT = Pattern.compile("共 (\\d+) 条待处理预警");

    @TempDir
    static Path dir;
    static NotifierTestStack stack;
    static CapturedLogs logs;
    /** Every webhook key any test used: none may appear in logs or ClickHouse. */
    static final List<String> KEYS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        stack = NotifierTestStack.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            String captured = logs.text();
            assertThat(captured).as("captured logs").isNotBlank();
            for (String key : KEYS) {
                assertThat(captured).as("logs must not contain a webhook key").doesNotContain(key);
                assertThat(stack.count("SELECT count() FROM salespulse.alert_deliveries WHERE position(concat(route, error,"
                        + " error_code, digest_id), '" + key + "') > 0")).isZero();
                assertThat(stack.count("SELECT count() FROM salespulse.dead_letters WHERE position(concat(error, raw), '"
                        + key + "') > 0")).isZero();
            }
        } finally {
            logs.close();
            stack.close();
        }
    }

    private static String key(String name) {
        String k = "key-" + name + "-" + Long.toHexString(System.nanoTime());
        KEYS.add(k);
        return k;
    }

    @Test
    void burstOf500ToOneGroupStaysWithinTheLimitAndLosesNothing() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2030-01-01T01:00:00Z"));
        String k = key("burst");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("burst", "default_route: hz\nroutes:\n  hz: {}\n");
            NotifierConfig config = stack.config("burst", stub.url(), routes,
                    Map.of(NotifierSetting.MAX_BATCH, "15"));
            List<NotifierAlert> alerts = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                alerts.add(alert("burst-" + i, i % 7 == 0 ? "high" : "normal", "hz-west", "t-3",
                        time.now().minusSeconds(500 - i)));
            }
            stack.produce(config.topicAlerts, alerts, time.now());
            try (WeComNotifier n = WeComNotifier.start(config,
                    NotifierTestStack.routing(routes, Map.of("SALESPULSE_WECOM_KEY_HZ", k)), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("500 alerts settled", Duration.ofSeconds(90), () -> stack.count(
                        "SELECT count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'burst-%'"
                                + " AND status IN ('delivered', 'digested')") == 500);
                assertThat(n.failure()).isNull();
            }
            List<WeComStub.Received> got = stub.received(k);
            int singles = 0;
            int inDigests = 0;
            for (WeComStub.Received r : got) {
                Matcher m = DIGEST_COUNT.matcher(r.content());
                if (m.find()) {
                    inDigests += Integer.parseInt(m.group(1));
                } else {
                    singles++;
                }
                assertThat(r.content().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
            }
            System.out.printf("burst: 500 alerts -> %d messages (%d single, %d digests holding %d), max %d in any 60 s,"
                    + " %s of stub time%n", got.size(), singles, got.size() - singles, inDigests,
                    stub.maxInAnyWindow(k, Duration.ofMinutes(1)),
                    Duration.between(Instant.parse("2030-01-01T01:00:00Z"), time.now()));
            assertThat(singles + inDigests).as("every alert in exactly one message").isEqualTo(500);
            assertThat(stub.maxInAnyWindow(k, Duration.ofMinutes(1))).isLessThanOrEqualTo(20);
            assertThat(stub.rejectedForRate()).isZero();
            assertThat(got.size() - singles).isPositive();
            assertThat(stack.count("SELECT count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'burst-%'"
                    + " AND status = 'digested'")).isEqualTo(inDigests);
        }
    }

    @Test
    void notifierKilledMidBurstAndRestartedDeliversEachAlertOnce() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2030-02-01T01:00:00Z"));
        Map<String, String> env = new HashMap<>();
        List<String> keys = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("default_route: g0\nroutes:\n");
        for (int g = 0; g < 3; g++) {
            String k = key("crash" + g);
            keys.add(k);
            env.put("SALESPULSE_WECOM_KEY_G" + g, k);
            yaml.append("  g").append(g).append(": {}\n");
        }
        yaml.append("rules:\n");
        for (int g = 0; g < 3; g++) {
            yaml.append("  - match: {team: t-").append(g).append("}\n    routes: [g").append(g).append("]\n");
        }
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.copyOf(keys), time)) {
            Path routes = stack.writeRoutes("crash", yaml.toString());
            NotifierConfig config = stack.config("crash", stub.url(), routes, Map.of());
            List<NotifierAlert> alerts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                alerts.add(alert("crash-" + i, "normal", "hz-west", "t-" + (i % 3), time.now().minusSeconds(60)));
            }
            stack.produce(config.topicAlerts, alerts, time.now());
            AtomicInteger posts = new AtomicInteger();
            // The crash lands after WeCom took the 12th message and before the ledger recorded it: the worst moment.
            RobotDispatcher.PostObserver crashAfter12 = (route, result, ids) -> {
                if (result.kind() == WeComResult.Kind.DELIVERED && posts.incrementAndGet() == 12) {
                    throw new SimulatedCrash();
                }
            };
            WeComNotifier first = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time, crashAfter12);
            first.awaitStopped();
            assertThat(first.failure()).isInstanceOf(SimulatedCrash.class);
            first.close();
            assertThat(stub.received()).hasSize(12);

            try (WeComNotifier second = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("30 alerts settled", Duration.ofSeconds(60), () -> stack.count(
                        "SELECT count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'crash-%'"
                                + " AND status != 'sending'") == 30);
                assertThat(second.uncertainAtStart()).isEqualTo(1);
            }
            Map<String, Integer> perAlert = new HashMap<>();
            for (WeComStub.Received r : stub.received()) {
                Matcher m = ACK_ID.matcher(r.content());
                assertThat(m.find()).isTrue();
                perAlert.merge(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            System.out.printf("crash: 30 alerts, crash after post 12 -> %d messages, %d alert ids, max %d per id,"
                    + " uncertain %s%n", stub.received().size(), perAlert.size(),
                    perAlert.values().stream().mapToInt(x -> x).max().orElse(0),
                    stack.query("SELECT alert_id FROM salespulse.alert_deliveries FINAL WHERE status = 'uncertain'"
                            + " AND alert_id LIKE 'crash-%'"));
            assertThat(perAlert).hasSize(30);
            assertThat(perAlert.values()).allMatch(c -> c == 1);
            assertThat(stack.query("SELECT status, count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE"
                    + " 'crash-%' GROUP BY status ORDER BY status")).containsExactly("delivered|29", "uncertain|1");
        }
    }

    @Test
    void unackedAlertEscalatesOncePerLevelAndAnAckStopsTheChain() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2030-03-01T01:00:00Z"));
        String team = key("team");
        String region = key("region");
        String director = key("director");
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_TEAM", team, "SALESPULSE_WECOM_KEY_REGION", region,
                "SALESPULSE_WECOM_KEY_DIRECTOR", director);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team, region, director), time)) {
            Path routes = stack.writeRoutes("escalation", """
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
            NotifierConfig config = stack.config("escalation", stub.url(), routes, Map.of());
            NotifierAlert unacked = alert("esc-unacked", "high", "hz-west", "t-3", time.now());
            NotifierAlert acked = alert("esc-acked", "normal", "hz-west", "t-3", time.now());
            stack.produce(config.topicAlerts, List.of(unacked, acked), time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("both delivered to the team", Duration.ofSeconds(30), () -> stub.received(team).size() == 2);
                HttpResponse<String> ack = NotifierTestStack.actOnPage(n.ackPort(), acked.alertId(), "u-chen", "ack", time.now());
                assertThat(ack.statusCode()).isEqualTo(200);
                assertThat(ack.body()).contains("u-chen 已确认处理");
                HttpResponse<String> again = NotifierTestStack.actOnPage(n.ackPort(), acked.alertId(), "u-chen", "ack", time.now());
                assertThat(again.statusCode()).isEqualTo(200);
                assertThat(again.body()).contains("\"result\":\"already_recorded\"");
                assertThat(NotifierTestStack.actOnPage(n.ackPort(), "nope", "u-chen", "ack", time.now()).statusCode()).isEqualTo(404);
                assertThat(NotifierTestStack.actOnPage(n.ackPort(), acked.alertId(), "u-chen", "maybe", time.now()).statusCode())
                        .isEqualTo(400);
                await("the ack reached alert_acks", Duration.ofSeconds(30), () -> stack.count(
                        "SELECT count() FROM salespulse.alert_acks FINAL WHERE alert_id = 'esc-acked'") == 1);

                time.advance(Duration.ofHours(3).plusMinutes(59));
                Thread.sleep(1500);
                assertThat(stub.received(region)).isEmpty();

                time.advance(Duration.ofMinutes(2));
                await("level 1 at the region", Duration.ofSeconds(30), () -> stub.received(region).size() == 1);
                assertThat(stub.received(region).get(0).content()).contains("升级至区域经理").contains("esc-unacked");
                stack.awaitDelivered("escalation:esc-unacked:1");
                time.advance(Duration.ofHours(4));
                await("level 2 at the director", Duration.ofSeconds(30), () -> stub.received(director).size() == 1);
                time.advance(Duration.ofHours(8));
                Thread.sleep(1500);
            }
            // A restart replays nothing new: the ledger knows both levels.
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                time.advance(Duration.ofHours(1));
                Thread.sleep(2000);
                assertThat(n.failure()).isNull();
            }
            assertThat(stub.received(region)).hasSize(1);
            assertThat(stub.received(director)).hasSize(1);
            assertThat(stub.received(team)).hasSize(2);
            assertThat(stub.received(region).get(0).content()).doesNotContain("esc-acked");
            assertThat(stack.query("SELECT alert_id, route, escalation_level FROM salespulse.alert_deliveries FINAL"
                    + " WHERE origin_alert_id LIKE 'esc-%' AND escalation_level > 0 ORDER BY alert_id")).containsExactly(
                    "escalation:esc-unacked:1|region|1", "escalation:esc-unacked:2|director|2");
            assertThat(stack.count("SELECT count() FROM salespulse.alert_acks FINAL WHERE alert_id = 'esc-acked'")).isEqualTo(1);
            // Escalations are alerts like the monitor's: stored once each in the alerts table.
            assertThat(stack.query("SELECT alert_id, type FROM salespulse.alerts FINAL WHERE type = 'escalation'"
                    + " ORDER BY alert_id")).containsExactly(
                    "escalation:esc-unacked:1|escalation", "escalation:esc-unacked:2|escalation");
        }
    }

    /**
     * Run-time policies from the policies topic: one published before the start (read from the beginning) shortens
     * hz-west's level-1 window to 1 h (level 2 then at 2 h); one published while running switches escalation off for
     * team t-9; hz-east keeps the routing file's 4 h.
     */
    @Test
    void aPolicysShorterWindowEscalatesEarlierAndASwitchedOffScopeNeverEscalates() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2030-06-01T01:00:00Z"));
        String team = key("team");
        String region = key("region");
        String director = key("director");
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_TEAM", team, "SALESPULSE_WECOM_KEY_REGION", region,
                "SALESPULSE_WECOM_KEY_DIRECTOR", director);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team, region, director), time)) {
            Path routes = stack.writeRoutes("policy", """
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
            NotifierConfig config = stack.config("policy", stub.url(), routes, Map.of());
            stack.kafka.createTopics(1, config.topicPolicies);
            stack.publishPolicy(config.topicPolicies, "weijiang/hz-west",
                    policy(1, "\"escalation\":{\"region_manager\":\"1h\"}"));
            stack.publishPolicy(config.topicPolicies, "weijiang/hz-east", "{\"version\":1}"); // invalid: skipped
            stack.produce(config.topicAlerts, List.of(alert("pol-short", "high", "hz-west", "t-3", time.now()),
                    alert("pol-off", "high", "hz-west", "t-9", time.now()),
                    alert("pol-routed", "high", "hz-east", "t-1", time.now())), time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("all three delivered to the team", Duration.ofSeconds(30), () -> stub.received(team).size() == 3);
                stack.publishPolicy(config.topicPolicies, "weijiang/hz-west/t-9",
                        policy(1, "\"alert_types\":{\"escalation\":false}"));
                await("the policy published while running is read", Duration.ofSeconds(30),
                        () -> n.policyRecordsRead() == 3);

                time.advance(Duration.ofMinutes(59));
                Thread.sleep(1500);
                assertThat(stub.received(region)).isEmpty();
                time.advance(Duration.ofMinutes(2));
                await("level 1 of pol-short after 1 h", Duration.ofSeconds(30), () -> stub.received(region).size() == 1);
                // Level 2 waits from when the region was told: the ledger's delivered_at.
                stack.awaitDelivered("escalation:pol-short:1");
                assertThat(stub.received(region).get(0).content()).contains("pol-short").contains("已 1 小时");
                time.advance(Duration.ofHours(1));
                await("level 2 of pol-short after 2 h", Duration.ofSeconds(30), () -> stub.received(director).size() == 1);
                assertThat(stub.received(region)).hasSize(1);
                time.advance(Duration.ofHours(2));
                await("level 1 of pol-routed after 4 h", Duration.ofSeconds(30), () -> stub.received(region).size() == 2);
                time.advance(Duration.ofHours(4));
                await("level 2 of pol-routed after 8 h", Duration.ofSeconds(30), () -> stub.received(director).size() == 2);
                time.advance(Duration.ofDays(2));
                Thread.sleep(1500);
                assertThat(n.failure()).isNull();
            }
            assertThat(stub.received(region)).extracting(m -> m.content()).noneMatch(c -> c.contains("pol-off"));
            assertThat(stub.received(director)).extracting(m -> m.content()).noneMatch(c -> c.contains("pol-off"));
            assertThat(stack.query("SELECT alert_id FROM salespulse.alert_deliveries FINAL WHERE origin_alert_id LIKE"
                    + " 'pol-%' AND escalation_level > 0 ORDER BY alert_id")).containsExactly(
                    "escalation:pol-routed:1", "escalation:pol-routed:2", "escalation:pol-short:1",
                    "escalation:pol-short:2");
        }
    }

    private static String policy(long version, String fields) {
        return "{\"version\":" + version + ",\"updated_at\":\"2030-05-01T09:00:00+08:00\",\"updated_by\":\"u-chen\","
                + fields + "}";
    }

    @Test
    void retriesBusyAnswersAndDeadLettersPermanentFailures() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2030-04-01T01:00:00Z"));
        String good = key("good");
        String revoked = key("revoked");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(good), time)) {
            Path routes = stack.writeRoutes("faults", """
                    default_route: good
                    routes: {good: {}, revoked: {key_env: REVOKED_KEY}}
                    rules:
                      - match: {team: t-gone}
                        routes: [revoked]
                    """);
            NotifierConfig config = stack.config("faults", stub.url(), routes, Map.of());
            stub.failNext(good, WeComStub.Fault.RATE_LIMITED, 2);
            stub.failNext(good, WeComStub.Fault.SERVER_ERROR, 1);
            NotifierAlert busy = alert("fault-busy", "high", "hz-west", "t-3", time.now());
            NotifierAlert lost = alert("fault-revoked", "normal", "hz-west", "t-gone", time.now());
            NotifierAlert longOne = new NotifierAlert("fault-long", "stage_overdue", "normal", "weijiang", "hz-west", "t-3",
                    "r-1", "c-1", "needs", time.now(), time.now(), "很长的预警", "超长说明。".repeat(1500), "建议。".repeat(300),
                    0, "fault-long");
            stack.produce(config.topicAlerts, List.of(busy, lost, longOne), time.now());
            try (WeComNotifier n = WeComNotifier.start(config,
                    NotifierTestStack.routing(routes, Map.of("SALESPULSE_WECOM_KEY_GOOD", good, "REVOKED_KEY", revoked)),
                    time, RobotDispatcher.PostObserver.NONE)) {
                await("three settled", Duration.ofSeconds(60), () -> stack.count(
                        "SELECT count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'fault-%'"
                                + " AND status != 'sending'") == 3);
            }
            assertThat(stack.query("SELECT alert_id, status, attempts, error_code FROM salespulse.alert_deliveries FINAL"
                    + " WHERE alert_id LIKE 'fault-%' ORDER BY alert_id")).containsExactly(
                    "fault-busy|delivered|4|ok", "fault-long|delivered|1|ok", "fault-revoked|failed|1|wecom_93000");
            assertThat(stack.query("SELECT error_code, key FROM salespulse.dead_letters FINAL WHERE topic = 'alerts-faults'"))
                    .containsExactly("delivery_wecom_93000|fault-revoked");
            String longContent = stub.received(good).stream().map(WeComStub.Received::content)
                    .filter(c -> c.contains("很长的预警")).findFirst().orElseThrow();
            assertThat(longContent.getBytes(StandardCharsets.UTF_8).length).isBetween(3800, 4096);
            assertThat(longContent).contains("内容过长已截断").contains("/alert?a=fault-long&to=");
        }
    }

    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash between the post and the ledger write");
        }
    }
}

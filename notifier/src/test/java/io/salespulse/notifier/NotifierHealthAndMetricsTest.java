package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static io.salespulse.notifier.NotifierTestStack.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} and {@code GET /healthz} of a real notifier (real broker, ClickHouse engine, the WeCom
 * stand-in): what they count, and how health follows WeCom errors, a ClickHouse outage and a second notifier in the
 * consumer group, each turning it degraded with the reason and ok again when it ends.
 */
class NotifierHealthAndMetricsTest extends SharedStackTest {
    private static final String ROUTES = "default_route: hz\nroutes:\n  hz: {}\n";
    /** One sample line of the text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)"
            + "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\")*\\})?"
            + " (-?[0-9][0-9.]*(?:E-?[0-9]+)?|\\+Inf|-Inf|NaN)");

    private static String key(String name) {
        return "key-" + name + "-" + Long.toHexString(System.nanoTime());
    }

    private static WeComNotifier start(NotifierConfig config, Path routes, String key, ManualTime time) throws Exception {
        return WeComNotifier.start(config, NotifierTestStack.routing(routes, Map.of("SALESPULSE_WECOM_KEY_HZ", key)), time,
                RobotDispatcher.PostObserver.NONE);
    }

    private static String metrics(WeComNotifier n) throws Exception {
        HttpResponse<String> r = get(n.ackPort(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return r.body();
    }

    /** The value of one series ({@code name{labels}} as rendered), or -1 when it is not there. */
    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return -1;
    }

    private static double value(WeComNotifier n, String series) {
        try {
            return value(metrics(n), series);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> healthz(WeComNotifier n) {
        try {
            return get(n.ackPort(), "/healthz");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line is a HELP, a TYPE or a sample of a metric whose TYPE came before it. */
    private static void assertTextFormat(String metrics) {
        Set<String> typed = new HashSet<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts[3]).isIn("counter", "gauge", "histogram");
                typed.add(parts[2]);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            String name = m.group(1).replaceAll("_(bucket|sum|count)$", "");
            assertThat(typed.contains(m.group(1)) || typed.contains(name)).as("TYPE before " + line).isTrue();
        }
    }

    @Test
    void metricsCountWhatWasDeliveredAndHealthzIsOk() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-06T01:00:00Z"));
        String k = key("ops-metrics");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("ops-metrics", ROUTES);
            NotifierConfig config = stack.config("ops-metrics", stub.url(), routes, Map.of());
            List<NotifierAlert> alerts = List.of(alert("om-1", "high", "hz-west", "t-3", time.now().minusSeconds(30)),
                    alert("om-2", "normal", "hz-west", "t-3", time.now().minusSeconds(30)),
                    alert("om-3", "normal", "hz-west", "t-3", time.now().minusSeconds(30)));
            stack.produce(config.topicAlerts, alerts, time.now());
            try (WeComNotifier n = start(config, routes, k, time)) {
                await("3 posts counted", Duration.ofSeconds(60), () -> value(n,
                        "salespulse_notifier_deliveries_total{route=\"hz\",status=\"delivered\"}") == 3);
                HttpResponse<String> ack = NotifierTestStack.actOnPage(n.ackPort(), "om-1", "u-chen", "ack", time.now());
                assertThat(ack.statusCode()).isEqualTo(200);
                await("the ack read back from the topic", Duration.ofSeconds(30),
                        () -> value(n, "salespulse_notifier_acks_consumed_total") == 1);

                String m = metrics(n);
                System.out.println("/metrics after 3 alerts and an ack:\n" + m);
                assertTextFormat(m);
                assertThat(m).contains("salespulse_notifier_posts_total{route=\"hz\",result=\"ok\"} 3\n")
                        .contains("salespulse_notifier_alerts_consumed_total{type=\"stage_overdue\",origin=\"live\"} 3\n")
                        .contains("salespulse_notifier_deliveries_total{route=\"hz\",status=\"delivered\"} 3\n")
                        .contains("salespulse_notifier_acks_recorded_total{action=\"ack\"} 1\n")
                        .contains("salespulse_notifier_ack_requests_total{result=\"recorded\"} 1\n")
                        .contains("salespulse_notifier_alerts_invalid_total 0\n")
                        .contains("salespulse_notifier_assigned_partitions 1\n")
                        .contains("salespulse_notifier_robot_waiting{route=\"hz\"} 0\n")
                        .doesNotContain("salespulse_notifier_ledger_failures_total{")
                        .contains("salespulse_notifier_healthy 1\n")
                        .doesNotContain("salespulse_notifier_posts_total{route=\"hz\",result=\"http_error\"}")
                        .doesNotContain(k);
                // fired 30 s before the stand-in took them, on the test's clock
                assertThat(value(m, "salespulse_notifier_delivery_latency_seconds_count")).isEqualTo(3);
                assertThat(value(m, "salespulse_notifier_delivery_latency_seconds_bucket{le=\"10.0\"}")).isZero();
                assertThat(value(m, "salespulse_notifier_delivery_latency_seconds_bucket{le=\"60.0\"}")).isEqualTo(3);
                assertThat(value(m, "salespulse_notifier_kafka_to_wecom_seconds_count")).isEqualTo(3);
                assertThat(value(m, "salespulse_notifier_consumer_lag{topic=\"alerts-ops-metrics\",partition=\"0\"}"))
                        .isZero();
                assertThat(value(m, "salespulse_notifier_last_poll_timestamp_seconds") * 1000)
                        .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000.0));

                HttpResponse<String> health = healthz(n);
                System.out.println("/healthz: " + health.statusCode() + " " + health.body());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).startsWith("{\"status\":\"ok\",\"delivery\":\"ok\",\"clickhouse\":\"ok\","
                        + "\"kafka\":\"ok\",\"wecom\":\"ok\",\"last_poll_at\":");
            }
        }
    }

    @Test
    void weComErrorsTurnHealthzDegradedUntilAPostSucceeds() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-13T01:00:00Z"));
        String k = key("ops-wecom");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("ops-wecom", ROUTES);
            NotifierConfig config = stack.config("ops-wecom", stub.url(), routes, Map.of());
            stub.failAlways(k, WeComStub.Fault.SERVER_ERROR);
            stack.produce(config.topicAlerts, List.of(alert("ow-1", "high", "hz-west", "t-3", time.now())), time.now());
            try (WeComNotifier n = start(config, routes, k, time)) {
                // Busy answers: retried with backoff (on the test's clock), every one a failed post.
                await("503 naming the route", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 503);
                HttpResponse<String> degraded = healthz(n);
                System.out.println("/healthz while WeCom answers HTTP 500: " + degraded.body());
                assertThat(degraded.body()).contains("\"status\":\"degraded\"").contains("\"wecom\":\"route hz: the latest ")
                        .contains("posts failed (latest http_500").contains("\"kafka\":\"ok\"").doesNotContain(k);
                String m = metrics(n);
                assertThat(value(m, "salespulse_notifier_posts_total{route=\"hz\",result=\"http_error\"}"))
                        .isGreaterThanOrEqualTo(3);
                assertThat(value(m, "salespulse_notifier_retries_total{route=\"hz\"}")).isGreaterThanOrEqualTo(3);
                assertThat(value(m, "salespulse_notifier_route_failed_posts{route=\"hz\"}")).isGreaterThanOrEqualTo(3);
                assertThat(value(m, "salespulse_notifier_robot_waiting{route=\"hz\"}")).isEqualTo(1);
                assertThat(value(m, "salespulse_notifier_healthy")).isZero();

                stub.recover(k);
                await("200 once a post succeeds", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 200);
                assertThat(stub.received(k)).hasSize(1);
                assertThat(value(n, "salespulse_notifier_posts_total{route=\"hz\",result=\"ok\"}")).isEqualTo(1);
                assertThat(value(n, "salespulse_notifier_route_failed_posts{route=\"hz\"}")).isEqualTo(-1.0);

                // Permanent failures count too: three alerts refused with 93000 (bad key), then one taken.
                stub.failNext(k, WeComStub.Fault.INVALID_KEY, 3);
                stack.produce(config.topicAlerts, List.of(alert("ow-2", "normal", "hz-west", "t-3", time.now()),
                        alert("ow-3", "normal", "hz-west", "t-3", time.now()),
                        alert("ow-4", "normal", "hz-west", "t-3", time.now())), time.now());
                await("503 after three refused posts", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 503);
                assertThat(healthz(n).body()).contains("route hz: the latest 3 posts failed (latest wecom_93000");
                assertThat(value(n, "salespulse_notifier_posts_total{route=\"hz\",result=\"bad_key\"}")).isEqualTo(3);
                // The third refusal turns health at once; its ledger row is written just after the post.
                await("3 deliveries settled as failed", Duration.ofSeconds(30),
                        () -> value(n, "salespulse_notifier_deliveries_total{route=\"hz\",status=\"failed\"}") >= 3);
                assertThat(value(n, "salespulse_notifier_deliveries_total{route=\"hz\",status=\"failed\"}")).isEqualTo(3);
                stack.produce(config.topicAlerts, List.of(alert("ow-5", "normal", "hz-west", "t-3", time.now())),
                        time.now());
                await("200 after the next post is taken", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 200);
                assertThat(n.failure()).isNull();
            }
        }
    }

    @Test
    void aClickHouseOutageTurnsHealthzDegradedAndDeliveryGoesOnAfterIt() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-20T01:00:00Z"));
        String k = key("ops-ch");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("ops-ch", ROUTES);
            NotifierConfig config = stack.config("ops-ch", stub.url(), routes, Map.of());
            stack.produce(config.topicAlerts, List.of(alert("oc-1", "high", "hz-west", "t-3", time.now()),
                    alert("oc-2", "normal", "hz-west", "t-3", time.now())), time.now());
            try (WeComNotifier n = start(config, routes, k, time)) {
                await("2 posted", Duration.ofSeconds(60), () -> stub.received(k).size() == 2);
                await("ok", Duration.ofSeconds(30), () -> healthz(n).statusCode() == 200);
                stack.stopClickHouse();
                try {
                    stack.produce(config.topicAlerts, List.of(alert("oc-3", "high", "hz-west", "t-3", time.now()),
                            alert("oc-4", "normal", "hz-west", "t-3", time.now())), time.now());
                    await("503 naming ClickHouse", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 503);
                    HttpResponse<String> degraded = healthz(n);
                    System.out.println("/healthz while ClickHouse is down: " + degraded.body());
                    assertThat(degraded.body()).contains("\"clickhouse\":\"ledger calls failing since ")
                            .contains("\"kafka\":\"not checked while the delivery loop is not running\"");
                    assertThat(value(n, "salespulse_notifier_ledger_failures_total{operation=\"read\"}"))
                            .isGreaterThanOrEqualTo(1);
                    // The ack page answers too: it cannot look the alert up, so it asks to try later.
                    HttpResponse<String> ack = NotifierTestStack.actOnPage(n.ackPort(), "oc-1", "u-chen", "ack", time.now());
                    assertThat(ack.statusCode()).isEqualTo(503);
                    assertThat(n.isRunning()).isTrue();
                } finally {
                    stack.startClickHouseAgain();
                }
                await("200 once ClickHouse answers", Duration.ofSeconds(90), () -> healthz(n).statusCode() == 200);
                await("the alerts read during the outage posted", Duration.ofSeconds(60),
                        () -> stub.received(k).size() == 4);
                Thread.sleep(1000);
                assertThat(n.failure()).isNull();
            }
            assertThat(stub.received(k)).hasSize(4);
            assertThat(stack.query("SELECT alert_id, status FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE"
                    + " 'oc-%' ORDER BY alert_id")).containsExactly("oc-1|delivered", "oc-2|delivered", "oc-3|delivered",
                    "oc-4|delivered");
        }
    }

    @Test
    void aSecondNotifierInTheGroupGetsNoPartitionAndSaysSo() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-27T01:00:00Z"));
        String k = key("ops-group");
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("ops-group", ROUTES);
            NotifierConfig config = stack.config("ops-group", stub.url(), routes,
                    Map.of(NotifierSetting.HEALTH_STALL, "3s"));
            try (WeComNotifier first = start(config, routes, k, time)) {
                await("the first notifier ok", Duration.ofSeconds(60), () -> healthz(first).statusCode() == 200);
                // Its own port: the alert page of the first one holds the configured one.
                try (WeComNotifier second = start(config.with(Map.of(NotifierSetting.ACK_PORT, "0")), routes, k, time)) {
                    await("one of the two without a partition", Duration.ofSeconds(90),
                            () -> healthz(first).statusCode() + healthz(second).statusCode() == 200 + 503);
                    WeComNotifier idle = healthz(first).statusCode() == 503 ? first : second;
                    String body = healthz(idle).body();
                    System.out.println("/healthz of the notifier without a partition: " + body);
                    assertThat(body).contains("\"kafka\":\"no partition of alerts-ops-group assigned for ")
                            .contains("another notifier in the same consumer group");
                    assertThat(value(idle, "salespulse_notifier_assigned_partitions")).isZero();
                }
            }
        }
    }
}

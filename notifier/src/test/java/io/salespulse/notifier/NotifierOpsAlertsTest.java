package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.await;
import static io.salespulse.notifier.NotifierTestStack.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierConfigException;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SalesPulse watching itself, the notifier's part: Alertmanager's webhook ({@code POST /ops/alertmanager}) reaches the
 * ops route's WeCom robot (here the WeCom stand-in; the routing file's default route unless notifier.ops-route names
 * one), a refused post answers 502 so that Alertmanager sends it again,
 * an ops route missing from the routing file stops start-up naming the setting; and every notifier metric that the
 * Prometheus alert rules (deploy/prometheus/rules) use is in the real /metrics.
 */
class NotifierOpsAlertsTest extends SharedStackTest {
    static final Path ALERT_RULES = Path.of("..", "deploy", "prometheus", "rules", "salespulse.yml");
    private static final String ROUTES = "default_route: hz\nroutes:\n  hz: {}\n  ops: {}\n";

    /** Alertmanager's webhook body (version 4) as it sends one group: one alert firing, one resolved. */
    private static final String PAYLOAD = """
            {"receiver":"ops-wecom","status":"firing","version":"4","groupKey":"{}:{alertname=\\"SalesPulseJobNotRunning\\"}",
             "externalURL":"http://alertmanager:9093","groupLabels":{"alertname":"SalesPulseJobNotRunning"},
             "commonLabels":{"alertname":"SalesPulseJobNotRunning"},"commonAnnotations":{},
             "alerts":[
              {"status":"firing","labels":{"alertname":"SalesPulseJobNotRunning","severity":"critical","job_name":"salespulse_monitor"},
               "annotations":{"summary":"Flink job salespulse-monitor has not been RUNNING for 5 minutes"},
               "startsAt":"2031-01-06T01:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"a1"},
              {"status":"resolved","labels":{"alertname":"SalesPulseCheckpointsFailing","severity":"critical","job_name":"salespulse_funnel"},
               "annotations":{"summary":"Checkpoints of salespulse_funnel are failing"},
               "startsAt":"2031-01-06T00:40:00Z","endsAt":"2031-01-06T00:55:00Z","fingerprint":"b2"}]}
            """;

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ops/alertmanager"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void alertmanagersWebhookIsPostedToTheOpsRouteAndARefusalAsksForARetry() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-06T01:00:00Z"));
        String hz = "key-hz-" + Long.toHexString(System.nanoTime());
        String ops = "key-ops-" + Long.toHexString(System.nanoTime());
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(hz, ops), time)) {
            Path routes = stack.writeRoutes("ops-alerts", ROUTES);
            // Named: not the routing file's default route (hz).
            NotifierConfig config = stack.config("ops-alerts", stub.url(), routes, Map.of(NotifierSetting.OPS_ROUTE, "ops"));
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_HZ", hz, "SALESPULSE_WECOM_KEY_OPS", ops)), time,
                    RobotDispatcher.PostObserver.NONE)) {
                HttpResponse<String> r = post(n.ackPort(), PAYLOAD);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(stub.received(hz)).isEmpty();
                assertThat(stub.received(ops)).hasSize(1);
                WeComStub.Received m = stub.received(ops).get(0);
                System.out.println("ops message:\n" + m.content());
                assertThat(m.msgtype()).isEqualTo("markdown");
                assertThat(m.content()).contains("SalesPulse 运维", "触发中 1 条，已恢复 1 条", "SalesPulseJobNotRunning",
                        "job_name=salespulse_monitor", "Flink job salespulse-monitor has not been RUNNING for 5 minutes",
                        "SalesPulseCheckpointsFailing", "已恢复", "http://alertmanager:9093");
                // The times in the notifier's time zone (Asia/Shanghai in the test config).
                assertThat(m.content()).contains("开始 01-06 09:00");

                assertThat(post(n.ackPort(), "{\"not\":\"alertmanager\"}").statusCode()).isEqualTo(400);
                assertThat(get(n.ackPort(), "/ops/alertmanager").statusCode()).isEqualTo(405);

                stub.failAlways(ops, WeComStub.Fault.INVALID_KEY);
                HttpResponse<String> refused = post(n.ackPort(), PAYLOAD);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
                assertThat(refused.body()).contains("wecom_93000");
                await("the refused post counted", Duration.ofSeconds(10), () -> metrics(n).contains(
                        "salespulse_notifier_posts_total{route=\"ops\",result=\"bad_key\"} 1"));
            }
        }
    }

    @Test
    void anOpsRouteMissingFromTheRoutingFileStopsStartUpNamingTheSetting() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-01-06T01:00:00Z"));
        Path routes = stack.writeRoutes("ops-missing", "default_route: hz\nroutes:\n  hz: {}\n");
        NotifierConfig config = stack.config("ops-missing", URI.create("http://127.0.0.1:9/cgi-bin/webhook/send"), routes,
                Map.of(NotifierSetting.OPS_ROUTE, "ops"));
        assertThatThrownBy(() -> WeComNotifier.start(config, NotifierTestStack.routing(routes,
                Map.of("SALESPULSE_WECOM_KEY_HZ", "key-hz-missing-ops")), time, RobotDispatcher.PostObserver.NONE))
                .isInstanceOf(NotifierConfigException.class)
                .hasMessageContaining("notifier.ops-route")
                .hasMessageContaining("'ops'");
        NotifierConfig other = stack.config("ops-other", URI.create("http://127.0.0.1:9/cgi-bin/webhook/send"), routes,
                Map.of(NotifierSetting.OPS_ROUTE, "hz"));
        assertThat(other.opsRoute).isEqualTo("hz");
    }

    @Test
    void everyNotifierMetricTheAlertRulesUseIsServed() throws Exception {
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(salespulse_notifier_[a-z0-9_]+)").matcher(Files.readString(ALERT_RULES));
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).as("notifier metrics in " + ALERT_RULES).contains("salespulse_notifier_posts_total");
        ManualTime time = new ManualTime(Instant.parse("2031-01-06T01:00:00Z"));
        String hz = "key-hz-" + Long.toHexString(System.nanoTime());
        String ops = "key-ops-" + Long.toHexString(System.nanoTime());
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(hz, ops), time)) {
            Path routes = stack.writeRoutes("ops-names", ROUTES);
            NotifierConfig config = stack.config("ops-names", stub.url(), routes, Map.of());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_HZ", hz, "SALESPULSE_WECOM_KEY_OPS", ops)), time,
                    RobotDispatcher.PostObserver.NONE)) {
                // A post, so that the per-route series exist; then every name must be there. No ops route named:
                // the routing file's default route takes it.
                assertThat(post(n.ackPort(), PAYLOAD).statusCode()).isEqualTo(200);
                assertThat(stub.received(hz)).hasSize(1);
                assertThat(stub.received(ops)).isEmpty();
                await("every rule metric served", Duration.ofSeconds(60), () -> {
                    String body = metrics(n);
                    return named.stream().allMatch(name -> Pattern.compile("(?m)^" + name + "[{ ]").matcher(body).find());
                });
            }
        }
    }

    private static String metrics(WeComNotifier n) {
        try {
            return get(n.ackPort(), "/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

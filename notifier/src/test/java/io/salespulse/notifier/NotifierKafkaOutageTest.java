package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static io.salespulse.notifier.NotifierTestStack.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops under an idle notifier (its own stack: the broker is restarted): {@code /healthz} turns degraded
 * once the consumer has sent the group coordinator no heartbeat for {@code notifier.health-stall}, and ok again when
 * the broker is back; the notifier never stops and delivers what was written after the outage.
 */
class NotifierKafkaOutageTest {
    @TempDir
    Path dir;

    private static HttpResponse<String> healthz(WeComNotifier n) {
        try {
            return get(n.ackPort(), "/healthz");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void brokerDownTurnsHealthzDegradedAndBackWhenItReturns() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2031-02-03T01:00:00Z"));
        String k = "key-ops-kafka-" + Long.toHexString(System.nanoTime());
        try (NotifierTestStack stack = NotifierTestStack.start(dir);
                WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(k), time)) {
            Path routes = stack.writeRoutes("ops-kafka", "default_route: hz\nroutes:\n  hz: {}\n");
            NotifierConfig config = stack.config("ops-kafka", stub.url(), routes, Map.of(NotifierSetting.HEALTH_STALL, "6s"));
            try (WeComNotifier n = WeComNotifier.start(config,
                    NotifierTestStack.routing(routes, Map.of("SALESPULSE_WECOM_KEY_HZ", k)), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("ok", Duration.ofSeconds(60), () -> healthz(n).statusCode() == 200);
                Thread.sleep(8_000); // assigned for longer than the limit: the heartbeat rule applies
                assertThat(healthz(n).statusCode()).isEqualTo(200);
                stack.stopKafka();
                try {
                    await("503 naming Kafka", Duration.ofSeconds(90), () -> healthz(n).statusCode() == 503);
                    String body = healthz(n).body();
                    System.out.println("/healthz while the broker is down: " + body);
                    assertThat(body).contains("\"kafka\":\"").contains("broker unreachable")
                            .contains("\"clickhouse\":\"ok\"");
                } finally {
                    stack.startKafkaAgain();
                }
                await("200 once the broker is back", Duration.ofSeconds(120), () -> healthz(n).statusCode() == 200);
                stack.produce(config.topicAlerts, List.of(alert("ok-1", "high", "hz-west", "t-3", time.now())),
                        time.now());
                await("the alert written after the outage posted", Duration.ofSeconds(90),
                        () -> stub.received(k).size() == 1);
                assertThat(n.failure()).isNull();
            }
        }
    }
}

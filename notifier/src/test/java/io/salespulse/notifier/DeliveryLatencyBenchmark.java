package io.salespulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery latency at a small steady rate: alert written to Kafka -> received by the WeCom stub, on the
 * wall clock. Prints p50/p99; asserts only that everything arrived once (no speed assertions). Run with
 * {@code mvn -B -pl notifier test -Dtest=DeliveryLatencyBenchmark -Dsalespulse.benchmark=true}.
 */
@EnabledIfSystemProperty(named = "salespulse.benchmark", matches = "true")
class DeliveryLatencyBenchmark {
    private static final Pattern ACK_ID = Pattern.compile("/alert\\?a=([^&)]+)&to=");

    @TempDir
    Path dir;

    @Test
    void steadyOneAlertPerSecondOverFourGroups() throws Exception {
        int alerts = 80;
        try (NotifierTestStack stack = NotifierTestStack.start(dir);
                WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(), NotifierTime.SYSTEM)) {
            StringBuilder yaml = new StringBuilder("default_route: g0\nroutes: {g0: {}, g1: {}, g2: {}, g3: {}}\nrules:\n");
            Map<String, String> env = new HashMap<>();
            for (int g = 0; g < 4; g++) {
                yaml.append("  - match: {team: t-").append(g).append("}\n    routes: [g").append(g).append("]\n");
                env.put("SALESPULSE_WECOM_KEY_G" + g, "bench-key-" + g);
            }
            Path routes = stack.writeRoutes("bench", yaml.toString());
            NotifierConfig config = stack.config("bench", stub.url(), routes, Map.of());
            Map<String, Instant> sentAt = new HashMap<>();
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), NotifierTime.SYSTEM,
                    RobotDispatcher.PostObserver.NONE)) {
                Thread.sleep(2000);
                for (int i = 0; i < alerts; i++) {
                    NotifierAlert a = NotifierTestStack.alert("bench-" + i, "normal", "hz", "t-" + (i % 4), Instant.now());
                    sentAt.put(a.alertId(), Instant.now());
                    stack.produce(config.topicAlerts, List.of(a), Instant.now());
                    Thread.sleep(1000);
                }
                NotifierTestStack.await("all received", Duration.ofSeconds(30), () -> stub.received().size() >= alerts);
            }
            List<Long> latencies = new ArrayList<>();
            for (WeComStub.Received r : stub.received()) {
                Matcher m = ACK_ID.matcher(r.content());
                assertThat(m.find()).isTrue();
                Instant sent = sentAt.get(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
                latencies.add(Duration.between(sent, r.at()).toMillis());
            }
            assertThat(latencies).hasSize(alerts);
            latencies.sort(Long::compare);
            System.out.printf("delivery latency (Kafka -> WeCom stub), %d alerts at 1/s over 4 robots (15 per robot per minute): p50 %d ms,"
                    + " p99 %d ms, max %d ms%n", alerts, latencies.get(alerts / 2), latencies.get((int) Math.ceil(alerts * 0.99) - 1),
                    latencies.get(alerts - 1));
        }
    }
}

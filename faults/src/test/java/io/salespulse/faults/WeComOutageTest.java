package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.WeComNotifier;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.wecom.WeComStub;
import io.salespulse.pipeline.testing.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 4, WeCom outage and throttling, end to end: a simulated history through the monitor job into
 * sales.alerts, the notifier delivering to the WeCom stand-in ({@link WeComStub}), which first answers
 * HTTP 500 and then 45009 (rate limited). The notifier runs on an injected clock, so its backoff waits and
 * the minute windows of the rate limit pass instantly while the stand-in counts them on the same clock.
 * Every alert of the ground truth is delivered once (ledger and messages), later than without the outage,
 * and no 60 s window holds more than 20 messages.
 */
class WeComOutageTest {
    private static final Pattern DIGEST_COUNT = Pattern.compile("共 (\\d+) 条待处理预警");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    /**
     * Within the notifier's retry budget (6 attempts per message): 3 × HTTP 500, then 2 × 45009, each
     * 45009 waiting out the robot's minute window: minutes of outage on the notifier's clock.
     */
    @Test
    void outageAndThrottlingDelayAlertsWithoutLosingOrDoublingThem() throws Exception {
        Outcome o = run(3, 2);
        assertThat(o.delivered).as("each alert of the ground truth delivered exactly once (ledger)")
                .isEqualTo(o.expected);
        assertThat(o.inMessages).as("alerts in the stand-in's messages").isEqualTo(o.expected.size());
        assertThat(o.maxPerMinute).as("messages in any 60 s").isLessThanOrEqualTo(20);
        assertThat(o.rejectedForRate).as("45009s the notifier caused itself").isZero();
    }

    /**
     * Open finding: an outage longer than the retry budget loses alerts. After notifier.max-attempts (6)
     * failed posts a message is marked failed and dead-lettered (delivery_http_500), and nothing sends it
     * again once WeCom is back. With the defaults (backoff 2 s doubling, equal jitter) that is 31-62 s of
     * HTTP 500s; 45009s wait out the minute window and last about 5 minutes.
     */
    @Test
    void outageLongerThanTheRetryBudgetDelaysAlertsWithoutLosingThem() throws Exception {
        Outcome o = run(Faults.pick(12, 60), Faults.pick(6, 20));
        assertThat(o.delivered).isEqualTo(o.expected);
        assertThat(o.inMessages).isEqualTo(o.expected.size());
        assertThat(o.maxPerMinute).isLessThanOrEqualTo(20);
    }

    record Outcome(Set<String> expected, Set<String> delivered, int inMessages, int maxPerMinute, int rejectedForRate) {}

    private Outcome run(int serverErrors, int rateLimited) throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(23, Faults.pick(3, 21));
            JobClient job = FaultJobs.start(FaultJobs.config(stack, "wecom", Map.of()), null);
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", history.records,
                    1_000, Duration.ofMillis(50))) {
                feeder.awaitDone(Duration.ofSeconds(60));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches), Duration.ofSeconds(90));
            } finally {
                FaultJobs.cancelQuietly(job);
            }
            Set<String> expected = new TreeSet<>(history.summary.expectedOverdueAlertIds());
            expected.addAll(stack.query("SELECT alert_id FROM salespulse.alerts FINAL")); // + any due since the end

            Instant start = Instant.now();
            ManualClock clock = new ManualClock(start);
            String key = "key-faults-" + Long.toHexString(System.nanoTime());
            try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(key), clock)) {
                stub.failNext(key, WeComStub.Fault.SERVER_ERROR, serverErrors);
                stub.failNext(key, WeComStub.Fault.RATE_LIMITED, rateLimited);
                Path routes = dir.resolve("routes.yaml");
                // Escalation far away: the history's alerts are days old and nobody acks them here.
                Files.writeString(routes, "default_route: hz\nroutes:\n  hz: {}\nescalation:\n  window: 30d\n");
                Map<NotifierSetting, String> s = new EnumMap<>(NotifierSetting.class);
                s.put(NotifierSetting.KAFKA_BOOTSTRAP, stack.kafka.bootstrapServers());
                s.put(NotifierSetting.CLICKHOUSE_URL, stack.clickHouse.jdbcUrl());
                s.put(NotifierSetting.GROUP_ID, "notifier-faults");
                s.put(NotifierSetting.ROUTES, routes.toString());
                s.put(NotifierSetting.WECOM_URL, stub.url().toString());
                s.put(NotifierSetting.ACK_PORT, "0");
                s.put(NotifierSetting.LINK_SECRET, "faults-test-link-secret-0123456789abcdef");
                s.put(NotifierSetting.REQUEST_TIMEOUT, "2s");
                NotifierConfig config = NotifierConfig.load(s, Map.of());
                String settled = "SELECT count() FROM salespulse.alert_deliveries FINAL WHERE status != 'sending' "
                        + "AND alert_id NOT LIKE 'escalation:%'";
                try (WeComNotifier n = WeComNotifier.start(config,
                        RoutingFile.load(routes, null, Map.of("SALESPULSE_WECOM_KEY_HZ", key)), clock,
                        RobotDispatcher.PostObserver.NONE)) {
                    Counting.awaitRows(stack, Map.of(settled, String.valueOf(expected.size())), Duration.ofSeconds(60));
                    assertThat(n.failure()).isNull();
                }
                Set<String> delivered = new TreeSet<>(stack.query("SELECT alert_id FROM salespulse.alert_deliveries FINAL "
                        + "WHERE status IN ('delivered', 'digested') AND alert_id NOT LIKE 'escalation:%'"));
                int inMessages = 0;
                List<Instant> at = new ArrayList<>();
                for (WeComStub.Received r : stub.received(key)) {
                    Matcher m = DIGEST_COUNT.matcher(r.content());
                    inMessages += m.find() ? Integer.parseInt(m.group(1)) : 1;
                    at.add(r.at());
                }
                List<String> failed = stack.query("SELECT concat(alert_id, ' ', error_code, ' after ', toString(attempts), "
                        + "' attempts') FROM salespulse.alert_deliveries FINAL WHERE status = 'failed'");
                System.out.println("[faults] WeCom outage (" + serverErrors + " x HTTP 500, then " + rateLimited
                        + " x 45009): " + expected.size() + " alerts, " + delivered.size() + " delivered once, "
                        + inMessages + " in " + at.size() + " messages, first delivered after "
                        + (at.isEmpty() ? "-" : Duration.between(start, at.stream().min(Instant::compareTo).get()).toSeconds()
                                + " s") + " of notifier time, all after "
                        + (at.isEmpty() ? "-" : Duration.between(start, at.stream().max(Instant::compareTo).get()).toSeconds()
                                + " s") + "; max " + stub.maxInAnyWindow(key, Duration.ofMinutes(1))
                        + " messages in any 60 s; failed " + failed);
                return new Outcome(expected, delivered, inMessages, stub.maxInAnyWindow(key, Duration.ofMinutes(1)),
                        stub.rejectedForRate());
            }
        }
    }
}

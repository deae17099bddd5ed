package io.salespulse.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.AlertIds;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies changed mid-stream on the real broker, the job on a MiniCluster with RocksDB, results in
 * ClickHouse and sales.alerts: customers already waiting are re-timed (one shortened past its due time
 * fires at once, with the new due time in its id; one lengthened waits), another team is untouched, an
 * alert already raised is not raised again, and an invalid policy goes to the dead letters without
 * replacing the valid one.
 */
class PolicyEndToEndTest {
    private static final long H = 3_600_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void aPolicyChangedMidStreamReTimesWaitingCustomersWithExactAlerts() throws Exception {
        try (TestStack stack = TestStack.start(dir, "sales.policies"); History h = stack.history()) {
            long now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
            long c1 = now - 60 * H;
            long c2 = now - 50 * H;
            long c3 = now - 60 * H;
            // Tenant-wide: contact 72 h. Applied before any card, so nobody is due yet.
            policy(h, "weijiang", 1, "\"sla\":{\"contact\":\"72h\"}");
            JobClient job = stack.startJob(stack.config("policies", Map.of()));
            try {
                stack.awaitValue("SELECT count() FROM salespulse.policy_changes FINAL", "1");
                card(h, "c-1", "t-3", c1, now);
                card(h, "c-2", "t-3", c2, now);
                card(h, "c-3", "t-9", c3, now);
                h.flush();
                stack.awaitValue("SELECT count() FROM salespulse.customer_status FINAL WHERE status = 'active'", "3");

                // Team t-3 shortens contact to 55 h: c-1 (60 h ago) is past due and fires now with due c1+55h;
                // c-2 (50 h ago) now falls due in 5 h; c-3 in team t-9 keeps 72 h. An invalid policy is rejected.
                policy(h, "weijiang/hz-west/t-3", 1, "\"sla\":{\"contact\":\"55h\"}");
                h.send("sales.policies", "weijiang", now, "{\"version\":2,\"updated_at\":\"" + History.iso(now)
                        + "\",\"updated_by\":\"u-chen\",\"sla\":{\"contact\":\"soon\"}}");
                h.flush();
                String c1Alert = AlertIds.stageOverdue("weijiang", "c-1", "contact", Instant.ofEpochMilli(c1 + 55 * H));
                List<String> alerts = TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts",
                        Duration.ofSeconds(30), Duration.ofSeconds(3), v -> v.stream().anyMatch(a -> a.contains(c1Alert)));
                assertThat(ids(alerts)).containsExactly(c1Alert);

                // Lengthened again: c-1 keeps its one alert, c-2 is postponed to c2+100h.
                policy(h, "weijiang/hz-west/t-3", 2, "\"sla\":{\"contact\":\"100h\"}");
                h.flush();
                stack.awaitValue("SELECT count() FROM salespulse.policy_changes FINAL", "3");
                stack.awaitValue("SELECT toUnixTimestamp64Milli(due_at) FROM salespulse.customer_status FINAL "
                        + "WHERE customer_id = 'c-2'", String.valueOf(c2 + 100 * H));
                stack.awaitValue("SELECT toUnixTimestamp64Milli(due_at) FROM salespulse.customer_status FINAL "
                        + "WHERE customer_id = 'c-3'", String.valueOf(c3 + 72 * H));
                stack.awaitValue("SELECT status FROM salespulse.customer_status FINAL WHERE customer_id = 'c-1'", "overdue");
                assertThat(stack.query("SELECT concat(scope, ' v', toString(version), ' ', change, ' ', fields_changed) "
                        + "FROM salespulse.policy_changes FINAL ORDER BY received_at, scope, version"))
                        .containsExactly("weijiang v1 set sla.contact", "weijiang/hz-west/t-3 v1 set sla.contact",
                                "weijiang/hz-west/t-3 v2 set sla.contact");
                stack.awaitValue("SELECT concat(topic, ' ', error_code) FROM salespulse.dead_letters FINAL",
                        "sales.policies wrong_type");
                List<String> dlq = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.dlq",
                        Duration.ofSeconds(20), v -> !v.isEmpty());
                assertThat(dlq).singleElement().asString().contains("sla.contact").contains("soon");
                assertThat(ids(TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts", Duration.ofSeconds(2),
                        Duration.ZERO, v -> false))).containsExactly(c1Alert);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void policy(History h, String scope, int version, String fields) {
        h.send("sales.policies", scope, System.currentTimeMillis(), "{\"version\":" + version + ",\"updated_at\":\""
                + History.iso(System.currentTimeMillis()) + "\",\"updated_by\":\"u-chen\"," + fields + "}");
    }

    /** A contact card written now (the field app's time) about a contact made at {@code at}. */
    private static void card(History h, String customer, String team, long at, long now) {
        h.send("sales.stages", customer, now, "{\"event_id\":\"s-" + customer + "\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"" + History.iso(at) + "\",\"customer_id\":\"" + customer + "\",\"rep_id\":\"r-017\","
                + "\"region\":\"hz-west\",\"team\":\"" + team + "\",\"stage\":\"contact\"}");
    }

    private static List<String> ids(List<String> alerts) {
        return alerts.stream().map(a -> a.replaceAll(".*\"alert_id\":\"([^\"]+)\".*", "$1")).collect(Collectors.toList());
    }
}

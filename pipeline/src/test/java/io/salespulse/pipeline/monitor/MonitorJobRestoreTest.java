package io.salespulse.pipeline.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.AlertIds;
import io.salespulse.pipeline.config.PipelineConfig;
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
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop the job with a savepoint while a customer's timer is pending, start it again from the
 * savepoint: the pending alert still fires (state and timers survive, operator uids match), the
 * alert raised before the stop is not raised again, and no ClickHouse row is doubled.
 */
class MonitorJobRestoreTest {
    private static final long H = 3_600_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void pendingTimerSurvivesStopWithSavepointAndNothingIsDoubled() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            long old = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
            long due = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
            try (History h = stack.history()) {
                h.card("c-old", "contact", old, "");
                // Written now, due in 25 s: it must fire after the restart.
                h.send("sales.stages", "c-new", System.currentTimeMillis(), "{\"event_id\":\"s-new\","
                        + "\"tenant\":\"weijiang\",\"occurred_at\":\"" + History.iso(due - 48 * H) + "\","
                        + "\"customer_id\":\"c-new\",\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\","
                        + "\"stage\":\"contact\"}");
                h.flush();
            }
            String oldAlert = AlertIds.stageOverdue("weijiang", "c-old", "contact", Instant.ofEpochMilli(old + 48 * H));
            String newAlert = AlertIds.stageOverdue("weijiang", "c-new", "contact", Instant.ofEpochMilli(due));
            PipelineConfig config = stack.config("restore", Map.of());

            JobClient first = stack.startJob(config);
            List<String> before = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.alerts",
                    Duration.ofSeconds(60), v -> v.stream().anyMatch(a -> a.contains(oldAlert)));
            assertThat(before).singleElement().asString().contains(oldAlert);
            stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL", "2");
            String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();
            assertThat(Instant.now().toEpochMilli()).as("stopped before the pending customer was due").isLessThan(due);

            JobClient second = stack.startJob(config, savepoint);
            try {
                List<String> alerts = TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts",
                        Duration.ofSeconds(60), Duration.ofSeconds(3), v -> v.stream().anyMatch(a -> a.contains(newAlert)));
                List<String> ids = alerts.stream()
                        .map(a -> a.replaceAll(".*\"alert_id\":\"([^\"]+)\".*", "$1"))
                        .collect(Collectors.toList());
                assertThat(ids).containsExactlyInAnyOrder(oldAlert, newAlert);
                stack.awaitValue("SELECT count() FROM salespulse.alerts FINAL", "2");
                stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL", "2");
                stack.awaitValue("SELECT status FROM salespulse.customer_status FINAL WHERE customer_id = 'c-new'",
                        "overdue");
            } finally {
                second.cancel().get();
            }
        }
    }
}

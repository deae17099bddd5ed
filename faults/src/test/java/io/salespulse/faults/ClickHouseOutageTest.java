package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.TestStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 2, ClickHouse outage. Mid-stream the ClickHouse engine process is stopped (10 s; 60 s with
 * -Pfaults) and started again on the same data directory and port. The sinks retry with exponential
 * backoff (the task blocks, back-pressure holds the source) and catch up; the job never leaves RUNNING
 * (no restart strategy at all: one failure would end it), and afterwards every row is there once.
 *
 * <p>Retries: the sink's backoff starts at 200 ms and doubles up to 30 s, each wait a random value in
 * [half, full]. The default 8 retries wait 25-51 s in total, so they cover the short outage; for a 60 s
 * outage we set clickhouse.max-retries = 12 (85-171 s). Beyond that the job fails over and the restart
 * strategy (restart.attempts, exponential delay) takes over.
 */
class ClickHouseOutageTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void clickHouseDownMidStreamThenBackEveryRowOnceNoRestart() throws Exception {
        Duration outage = Duration.ofSeconds(Faults.pick(6, 60));
        try (TestStack stack = TestStack.start(dir)) {
            LocalClickHouse restarted = null;
            ScriptedHistory history = ScriptedHistory.smallTeam(13, Faults.pick(3, 21));
            PipelineConfig config = FaultJobs.config(stack, "ch-outage", Map.of(
                    Setting.CLICKHOUSE_MAX_RETRIES, Faults.heavy() ? "12" : "8",
                    Setting.RESTART_ATTEMPTS, "0"));
            JobClient job = FaultJobs.start(config, null);
            TreeSet<JobStatus> seen = new TreeSet<>();
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", history.records,
                    Faults.pick(6, 20), Duration.ofMillis(200))) {
                Thread.sleep(1_000);
                int port = stack.clickHouse.port();
                Path data = stack.clickHouse.dataDir();
                stack.clickHouse.close();
                int sentAtStop = feeder.sent();
                long until = System.nanoTime() + outage.toNanos();
                while (System.nanoTime() < until) {
                    seen.add(FaultJobs.status(job));
                    Thread.sleep(500);
                }
                restarted = LocalClickHouse.start(data, port);
                feeder.awaitDone(Duration.ofSeconds(120));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(180));
                seen.add(FaultJobs.status(job));
                System.out.println("[faults] ClickHouse outage of " + outage.toSeconds() + " s at " + sentAtStop + " of "
                        + history.records.size() + " records; job states seen " + seen + "; " + r);
                assertThat(seen).as("job states during and after the outage").containsOnly(JobStatus.RUNNING);
            } finally {
                FaultJobs.cancelQuietly(job);
                if (restarted != null) {
                    restarted.close();
                }
            }
        }
    }
}

package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalKafka;
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
 * Scenario 3, Kafka broker restart. Mid-stream the (single) broker is shut down and started again on the
 * same log directory and port (5 s down; 60 s with -Pfaults) while the history producer keeps sending
 * (its idempotent producer buffers and retries). The job's consumers and transactional producers
 * reconnect; afterwards alerts and rows are exactly the ground truth.
 *
 * <p>While the broker is down, {@code KafkaDrainProbe} gets no answer, so no source counts as read to the end
 * and the jobs' clock stays with the records read (before the probe existed, a 10 s drain timeout let a 5 s
 * outage fire pending timers of the backlog early).
 */
class KafkaRestartTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void brokerRestartMidStreamNothingLostOrDoubled() throws Exception {
        Duration outage = Duration.ofSeconds(Faults.pick(5, 60));
        try (TestStack stack = TestStack.start(dir)) {
            LocalKafka restarted = null;
            ScriptedHistory history = ScriptedHistory.smallTeam(17, Faults.pick(3, 21));
            PipelineConfig config = FaultJobs.config(stack, "kafka-restart", Map.of(
                    Setting.RESTART_ATTEMPTS, "5"));
            JobClient job = FaultJobs.start(config, null);
            TreeSet<JobStatus> seen = new TreeSet<>();
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", history.records,
                    Faults.pick(6, 20), Duration.ofMillis(200))) {
                Thread.sleep(1_000);
                int port = Integer.parseInt(stack.kafka.bootstrapServers().replaceAll(".*:", ""));
                stack.kafka.close();
                int sentAtStop = feeder.sent();
                long until = System.nanoTime() + outage.toNanos();
                while (System.nanoTime() < until) {
                    seen.add(FaultJobs.status(job));
                    Thread.sleep(500);
                }
                restarted = LocalKafka.start(stack.kafka.logDir(), port);
                feeder.awaitDone(Duration.ofSeconds(180));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(180));
                JobStatus end = FaultJobs.status(job);
                seen.add(end);
                System.out.println("[faults] Kafka broker down " + outage.toSeconds() + " s at " + sentAtStop + " of "
                        + history.records.size() + " records; job states seen " + seen + "; " + r);
                assertThat(end).isEqualTo(JobStatus.RUNNING);
            } finally {
                FaultJobs.cancelQuietly(job);
                if (restarted != null) {
                    restarted.close();
                }
            }
        }
    }
}

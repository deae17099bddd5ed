package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.TestStack;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 1, crash and restore. While a simulated team's history streams in, the job is killed at
 * random points, several times: by an injected failure inside the job (the task throws; no restart
 * strategy, so the job ends FAILED) or by a cancel without savepoint; each time it is started again from
 * the newest retained checkpoint. Separately the whole local Flink process (`SalesPulse run monitor` in a
 * child JVM) is killed with SIGKILL and started again with {@code --restore-from <chk-N>}. Afterwards the
 * alerts in sales.alerts (read_committed) and in ClickHouse, and the rows of every table, are exactly the
 * simulator's ground truth.
 */
class CrashRestoreTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void jobKilledAtRandomPointsRestoresFromTheLatestCheckpointWithNothingLostOrDoubled() throws Exception {
        int crashes = Faults.pick(3, 10);
        long seed = Long.getLong("faults.seed", System.nanoTime());
        System.out.println("[faults] crash points from seed " + seed + " (repeat them with -Dfaults.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(7, Faults.pick(3, 21));
            PipelineConfig config = FaultJobs.config(stack, "crash", Map.of(Setting.CHECKPOINT_INTERVAL, "1s"));
            List<String> log = new ArrayList<>();
            JobClient job = FaultJobs.start(config, null);
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", history.records,
                    Faults.pick(6, 20), Duration.ofMillis(200))) {
                for (int i = 0; i < crashes; i++) {
                    Thread.sleep(300 + random.nextInt(1_200));
                    if (i % 2 == 0) {
                        long after = 1 + random.nextInt(60);
                        CrashSwitch.armAfter(after);
                        JobStatus s = FaultJobs.awaitTerminal(job, Duration.ofSeconds(8));
                        CrashSwitch.disarm();
                        log.add("crash " + (i + 1) + ": injected failure after " + after + " records -> " + s);
                        if (s != JobStatus.FAILED) {
                            // Nothing left to read (the history is in): a cancel kills it just as well.
                            job.cancel().get(60, TimeUnit.SECONDS);
                        }
                    } else {
                        job.cancel().get(60, TimeUnit.SECONDS);
                        log.add("crash " + (i + 1) + ": cancel without savepoint at " + feeder.sent() + " records sent");
                    }
                    Optional<Path> chk = FaultJobs.latestCheckpoint(config.checkpointDir);
                    log.add("  restart from " + chk.map(p -> p.getParent().getFileName() + "/" + p.getFileName())
                            .orElse("nothing (no checkpoint yet)"));
                    job = FaultJobs.start(config, chk.map(Path::toString).orElse(null));
                }
                feeder.awaitDone(Duration.ofSeconds(120));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(90));
                log.forEach(System.out::println);
                System.out.println("[faults] crash and restore (seed " + seed + ", " + history.records.size()
                        + " records, " + crashes + " crashes): " + r);
                assertThat(FaultJobs.status(job)).isEqualTo(JobStatus.RUNNING);
            } finally {
                CrashSwitch.disarm();
                FaultJobs.cancelQuietly(job);
            }
        }
    }

    @Test
    void wholeFlinkProcessKilledWithSigkillRestartsFromTheLatestCheckpoint() throws Exception {
        int kills = Faults.pick(1, 4);
        long seed = Long.getLong("faults.seed", System.nanoTime());
        System.out.println("[faults] crash points from seed " + seed + " (repeat them with -Dfaults.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(11, Faults.pick(3, 21));
            String checkpoints = dir.resolve("checkpoints-process").toUri().toString();
            List<String> log = new ArrayList<>();
            Process flink = startProcess(stack, checkpoints, null, 0);
            awaitCheckpointAfter(checkpoints, 0, Duration.ofSeconds(90), flink);
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", history.records,
                    Faults.pick(6, 20), Duration.ofMillis(200))) {
                for (int i = 0; i < kills; i++) {
                    // Wait for a checkpoint of this process with some of the history, then kill it at a random moment.
                    awaitCheckpointAfter(checkpoints, System.currentTimeMillis(), Duration.ofSeconds(90), flink);
                    Thread.sleep(random.nextInt(1_500));
                    flink.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, open Kafka transactions
                    flink.waitFor(30, TimeUnit.SECONDS);
                    Path chk = FaultJobs.latestCheckpoint(checkpoints).orElseThrow();
                    log.add("kill -9 " + (i + 1) + " at " + feeder.sent() + " records sent; restart from "
                            + chk.getFileName());
                    long restartedAt = System.currentTimeMillis();
                    flink = startProcess(stack, checkpoints, chk.toString(), i + 1);
                    // Restored, not started afresh: checkpoint numbers go on from the restored one.
                    Path next = awaitCheckpointAfter(checkpoints, restartedAt, Duration.ofSeconds(90), flink);
                    assertThat(number(next)).as("first checkpoint after --restore-from " + chk.getFileName())
                            .isGreaterThan(number(chk));
                    log.add("  restored: next checkpoint " + next.getFileName());
                }
                feeder.awaitDone(Duration.ofSeconds(120));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(120));
                log.forEach(System.out::println);
                System.out.println("[faults] whole-process kill -9 (seed " + seed + ", " + history.records.size()
                        + " records, " + kills + " kills): " + r);
                assertThat(flink.isAlive()).as("the restored Flink process is still running").isTrue();
            } finally {
                flink.destroyForcibly();
                flink.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** {@code java -cp <this class path> io.salespulse.cli.SalesPulse run monitor ... [--restore-from chk]}. */
    private Process startProcess(TestStack stack, String checkpoints, String restoreFrom, int run) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "io.salespulse.cli.SalesPulse", "run", "monitor",
                "--kafka-bootstrap", stack.kafka.bootstrapServers(),
                "--clickhouse-url", stack.clickHouse.jdbcUrl(),
                "--kafka-group-id", "monitor-process",
                "--kafka-transactional-id-prefix", "monitor-process",
                "--checkpoint-dir", checkpoints,
                "--checkpoint-interval", "500ms",
                "--parallelism", "2",
                "--restart-attempts", "0"));
        if (restoreFrom != null) {
            cmd.add("--restore-from");
            cmd.add(restoreFrom);
        }
        File out = dir.resolve("flink-process-" + run + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
    }

    private static long number(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
    }

    private static Path awaitCheckpointAfter(String checkpoints, long after, Duration timeout, Process p)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Path> chk = FaultJobs.latestCheckpoint(checkpoints);
            if (chk.isPresent() && Files.getLastModifiedTime(chk.get().resolve("_metadata")).toMillis() > after) {
                return chk.get();
            }
            assertThat(p.isAlive()).as("the Flink process is running").isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint within " + timeout);
    }
}

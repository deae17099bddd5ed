package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the savepoint that {@link UpgradeSavepointTest} restores: the monitor job on {@link UpgradeHistory},
 * stopped with a canonical savepoint while five timers are pending. Not a test; run it when the state
 * layout changes ON PURPOSE (with a migration), keeping the old savepoint as well:
 * <pre>mvn -B -pl faults test -Dtest=UpgradeSavepointWriter -Dfaults.write-savepoint=monitor-&lt;name&gt;</pre>
 */
@EnabledIfSystemProperty(named = "faults.write-savepoint", matches = "monitor-.+")
class UpgradeSavepointWriter {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void write() throws Exception {
        String name = System.getProperty("faults.write-savepoint");
        Path target = UpgradeSavepointTest.SAVEPOINTS.resolve(name);
        // The jobs' clock is arrival time: the history is in Kafka before the job starts, so the job reads it as a
        // backlog, its clock following the records' times, and then follows the wall clock. The history ends now: its
        // early alert is due and the five timers are pending at the savepoint, due 23 to 166 units later.
        Duration unit = Duration.ofSeconds(10);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(unit.multipliedBy(60));
        UpgradeHistory history = new UpgradeHistory(t0.toEpochMilli(), unit);
        try (TestStack stack = TestStack.start(dir, "sales.policies")) {
            try (History h = stack.history()) {
                history.policy(h);
                h.flush();
                history.cards(h, stack.kafka.bootstrapServers());
                h.flush();
            }
            JobClient job = FaultJobs.start(history.config(stack), null);
            stack.awaitValue("SELECT count() FROM salespulse.policy_changes FINAL", "1");
            List<String> alerts = TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts", Duration.ofSeconds(60),
                    Duration.ofSeconds(3), v -> v.stream().anyMatch(a -> a.contains(history.earlyAlert())));
            assertThat(alerts).singleElement().asString().contains(history.earlyAlert());
            stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL", "9");
            stack.awaitValue("SELECT count() FROM salespulse.customer_status FINAL", "7");
            stack.awaitValue("SELECT count() FROM salespulse.visits FINAL", "1");
            stack.awaitValue("SELECT count() FROM salespulse.alert_acks FINAL", "1");
            String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();
            Path from = Path.of(java.net.URI.create(savepoint));
            Files.createDirectories(target);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            writeReadme(target, name, history);
            Files.writeString(target.resolve(UpgradeHistory.PROPERTIES), history.properties(), StandardCharsets.UTF_8);
            System.out.println("[faults] savepoint written to " + target);
        }
    }

    private static void writeReadme(Path target, String name, UpgradeHistory history) throws IOException {
        String commit = git("rev-parse", "HEAD");
        String dirty = git("status", "--porcelain", "--", "pipeline/src/main", "contract/src/main").isEmpty()
                ? "clean" : "with uncommitted changes under pipeline/src/main or contract/src/main";
        Files.writeString(target.resolve("README.txt"), String.join("\n",
                name + ": a canonical savepoint of the monitor job (salespulse-monitor), for UpgradeSavepointTest.",
                "",
                "Made " + Instant.now() + " from commit " + commit + " (" + dirty + "), Flink 2.2.1, RocksDB,",
                "parallelism 2, max parallelism 128, by:",
                "  mvn -B -pl faults test -Dtest=UpgradeSavepointWriter -Dfaults.write-savepoint=" + name,
                "",
                "What it holds (faults/src/test/java/io/salespulse/faults/UpgradeHistory.java): a team policy",
                "(weijiang/hz-east/t-9 needs 24 units) in broadcast state; a won customer (state cleared); one customer",
                "alerted before the stop; five customers with pending event-time timers (high potential with deal",
                "value, an objection with its tag, closing pending, the policy's 24 h needs SLA, a contact card).",
                "The history starts at t0 = " + Instant.ofEpochMilli(history.t0) + " and counts in units of " + history.unit
                        + " (" + UpgradeHistory.PROPERTIES + "),",
                "SLAs included; the jobs' clock stood at the wall clock of the writing, every pending timer is due",
                "within 40 minutes after it. Kafka offsets and sink transactions of the run's broker",
                "are in it too; the test restores it against a fresh broker.",
                "",
                "Never edit or regenerate this one: it stands for the state layout of that commit. When the",
                "layout changes on purpose, add a migration and a NEW savepoint next to it; both must restore.",
                ""), StandardCharsets.UTF_8);
    }

    private static String git(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(Path.of("..").toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.AlertIds;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.TestStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts due at any moment after a start, a restart from a savepoint or a restore from a retained checkpoint come
 * with the normal latency, also while input topics are empty (nothing is ever sent to sales.visits or sales.acks
 * here). Before, the job was blind for watermark.drain-timeout (5 min) after every start: an alert due a minute
 * after a restart came 143 s late. Cards come through the gateway, as the app sends them.
 *
 * <p>Each wave of customers gets its contact card just before a disruption, with an SLA that makes it due a few
 * seconds after the job is back. Printed per wave: how long after the due time each alert was visible to a
 * read_committed reader (p50 / p99 / max). The test asserts exactness and that no alert waited for a timeout
 * (under 15 s late); the latency figures themselves are measured by {@code bin/salespulse bench}.
 */
class RestartLatencyTest {
    private static final String TENANT = "weijiang";
    private static final int PER_WAVE = 12;
    private static final long SLA_MS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void alertsDueRightAfterAStartARestartOrARestoreComeOnTime() throws Exception {
        Map<String, List<String>> waves = new LinkedHashMap<>();
        try (GatewayStack g = GatewayStack.start(dir, TENANT);
                AlertWatch watch = new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts")) {
            PipelineConfig config = FaultJobs.config(g.stack, "restart", Map.of(Setting.SLA_CONTACT, "20s"));

            // 1. A first start on empty topics: cards posted once it runs, due 20 s later.
            JobClient job = FaultJobs.start(config, null);
            awaitRunning(job, config);
            waves.put("first start", wave(g, "a", 0));

            // 2. Stop with a savepoint; cards arrive while the job is down; start from the savepoint.
            Thread.sleep(3_000);
            String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
            waves.put("restart from a savepoint", wave(g, "b", 14_000)); // due ~6 s after the restart
            job = FaultJobs.start(config, savepoint);
            awaitRunning(job, config);

            // 3. The job dies (cancelled without a savepoint); restored from its latest retained checkpoint.
            Thread.sleep(25_000); // waves 1 and 2 are due meanwhile
            waves.put("restore from a checkpoint", wave(g, "c", 12_000)); // due ~8 s after the cancel
            Thread.sleep(1_500); // a checkpoint holds wave 3's cards
            job.cancel().get(60, TimeUnit.SECONDS);
            String checkpoint = FaultJobs.latestCheckpoint(config.checkpointDir).orElseThrow().toString();
            job = FaultJobs.start(config, checkpoint);
            awaitRunning(job, config);

            List<String> expected = waves.values().stream().flatMap(List::stream).toList();
            watch.awaitAll(expected, Duration.ofSeconds(90));
            FaultJobs.cancelQuietly(job);

            Tally.of("restarts", expected, watch.all()).assertExact();
            for (Map.Entry<String, List<String>> w : waves.entrySet()) {
                List<Long> late = new ArrayList<>();
                for (AlertWatch.Seen s : watch.all()) {
                    if (w.getValue().contains(s.id())) {
                        late.add(s.lateMs());
                    }
                }
                late.sort(null);
                System.out.printf("%s: %d alerts visible after their due time p50 %d ms, p99 %d ms, max %d ms%n",
                        w.getKey(), late.size(), late.get(late.size() / 2), late.get((int) Math.ceil(late.size() * 0.99) - 1),
                        late.get(late.size() - 1));
                assertThat(late).as("%s: no alert waited for a timeout", w.getKey()).allMatch(ms -> ms < 15_000);
            }
        }
    }

    /** Posts one contact card per customer of the wave, occurred {@code agoMs} ago; returns the expected alert ids. */
    private static List<String> wave(GatewayStack g, String name, long agoMs) throws Exception {
        long at = Instant.now().minusMillis(agoMs).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toEpochMilli();
        List<String> cards = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PER_WAVE; i++) {
            String customer = "c-" + name + "-" + i;
            cards.add(Cards.contact(TENANT, "s-" + name + "-" + i, customer, at));
            ids.add(AlertIds.stageOverdue(TENANT, customer, "contact", Instant.ofEpochMilli(at + SLA_MS)));
        }
        g.postCards(TENANT, cards);
        return ids;
    }

    /** Waits until the job's tasks all run: a checkpoint completed after the start says so. */
    private static void awaitRunning(JobClient job, PipelineConfig config) throws Exception {
        long startedAt = System.currentTimeMillis();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (FaultJobs.latestCheckpoint(config.checkpointDir)
                .map(p -> p.resolve("_metadata").toFile().lastModified()).orElse(0L) < startedAt) {
            assertThat(FaultJobs.status(job).isGloballyTerminalState()).as("job ended").isFalse();
            assertThat(System.nanoTime()).as("a checkpoint within 90 s of the start").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

}

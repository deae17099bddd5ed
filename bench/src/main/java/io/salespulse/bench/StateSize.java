package io.salespulse.bench;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.producers.simulator.LoadGenerator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;

/**
 * 3. State: {@code customers} open customers (the raw load's first two rounds: a visit, then a contact card
 * each; the contact SLA is set beyond the load so every customer keeps its state and one pending timer),
 * one checkpoint triggered once all of them are in ClickHouse, its files summed per customer; heap in use
 * after a GC; then the job cancelled and restored from that checkpoint, timed until every task runs.
 */
final class StateSize {
    static final String PHASE = "state";

    private final BenchStack stack;
    private final int customers;
    private final Results results;

    StateSize(BenchStack stack, int customers, Results results) {
        this.stack = stack;
        this.customers = customers;
        this.results = results;
    }

    void run() throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(PHASE));
        Loader.load(stack.bootstrap, PHASE, new LoadGenerator("bench", 2L * customers, customers, 7,
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        String url = stack.freshClickHouse();
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.SLA_CONTACT, "20d");
        s.put(Setting.STATE_TTL, "40d");
        // Only the checkpoint triggered below: the first and only one, so it holds the whole state.
        s.put(Setting.CHECKPOINT_INTERVAL, "1h");
        PipelineConfig config = MonitorJobs.config(stack, PHASE, "open", url, s);
        JobID job = stack.submit(MonitorJobs.jobGraph(config, false, null));
        String checkpoint;
        long heapBytes;
        long rssBytes;
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (stack.count("SELECT count() FROM salespulse.stage_events") < customers) {
                stack.failIfStopped(job);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the state job did not take in " + customers + " customers in 20 minutes");
                }
                Thread.sleep(200);
            }
            checkpoint = stack.flink.triggerCheckpoint(job).get(10, TimeUnit.MINUTES);
            System.gc();
            heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            rssBytes = rss();
        } finally {
            stack.cancel(job);
        }
        Path dir = MonitorJobs.checkpointDir(stack, PHASE, "open").resolve(job.toHexString());
        long checkpointBytes = BenchStack.treeSize(dir);
        long open = stack.count("SELECT count() FROM salespulse.customer_status FINAL WHERE status = 'active'");

        long t0 = System.nanoTime();
        JobID restored = stack.submit(MonitorJobs.jobGraph(config, false, checkpoint));
        double restoreSeconds;
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!stack.allTasksRunning(restored)) {
                stack.failIfStopped(restored);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the restored job was not running after 10 minutes");
                }
                Thread.sleep(20);
            }
            restoreSeconds = (System.nanoTime() - t0) / 1e9;
        } finally {
            stack.cancel(restored);
        }
        String sec = "state";
        results.add(sec, "state.open_customers", "open customers (active, one pending timer each)", open, "customers");
        results.add(sec, "state.checkpoint_bytes", "checkpoint size (all files)", checkpointBytes, "bytes");
        results.add(sec, "state.bytes_per_customer", "checkpoint bytes per open customer", (double) checkpointBytes / customers,
                "bytes", "<= 200");
        results.add(sec, "state.heap_used_mb", "heap in use after GC (bench JVM with the MiniCluster)",
                heapBytes / 1048576.0, "MiB");
        results.add(sec, "state.rss_mb", "resident memory of that JVM (RocksDB is off-heap)", rssBytes / 1048576.0, "MiB");
        results.add(sec, "state.restore_s", "restore from the checkpoint until every task runs", restoreSeconds, "s", "< 30");
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}

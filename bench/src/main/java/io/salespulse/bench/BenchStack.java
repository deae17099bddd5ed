package io.salespulse.bench;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.clickhouse.Migrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The local stack the benchmark runs on: a KRaft broker in its own JVM, the ClickHouse engine (its own
 * process, restarted empty per measured run so counts and alert ids belong to that run), and one Flink
 * MiniCluster with RocksDB in this JVM, driven directly so the benchmark can trigger checkpoints and see
 * when restored tasks are running.
 */
final class BenchStack implements AutoCloseable {
    final Path dir;
    final String bootstrap;
    final MiniCluster flink;
    private final Process broker;
    private final LocalKafka inProcessBroker;
    private LocalClickHouse clickHouse;
    private int clickHouseRuns;

    private BenchStack(Path dir, Process broker, LocalKafka inProcessBroker, String bootstrap, MiniCluster flink) {
        this.dir = dir;
        this.broker = broker;
        this.inProcessBroker = inProcessBroker;
        this.bootstrap = bootstrap;
        this.flink = flink;
    }

    /**
     * @param brokerJvm the broker in its own JVM (measurements); false runs it in this JVM, which starts
     *     faster (the smoke test)
     */
    static BenchStack start(Path dir, boolean brokerJvm) throws Exception {
        Files.createDirectories(dir);
        Process broker = null;
        LocalKafka inProcess = null;
        String bootstrap;
        if (brokerJvm) {
            broker = startBroker(dir.resolve("kafka"));
            try {
                bootstrap = awaitReady(broker);
            } catch (Exception e) {
                broker.destroyForcibly();
                throw e;
            }
        } else {
            inProcess = LocalKafka.start(dir.resolve("kafka"));
            bootstrap = inProcess.bootstrapServers();
        }
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // 256 MiB of managed memory per slot: RocksDB's block cache and write buffers. With 64 MiB a million
        // customers' state no longer fit the cache and the job spent its time decompressing blocks.
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(1024));
        MiniCluster flink = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(c)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(4)
                .build());
        flink.start();
        return new BenchStack(dir, broker, inProcess, bootstrap, flink);
    }

    private static Process startBroker(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        return java(List.of("-Xmx1g", "-Dlog4j2.level=WARN"), KafkaBrokerMain.class.getName(),
                List.of(logDir.toAbsolutePath().toString()))
                .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolveSibling("kafka.log").toFile()))
                .start();
    }

    /** A JVM of its own with this JVM's Java and class path (the bench module's, which holds the CLI). */
    static ProcessBuilder java(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    private static String awaitReady(Process broker) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return line.substring(6).trim();
            }
        }
        throw new IOException("The Kafka broker process exited before it was ready (exit "
                + (broker.isAlive() ? "?" : broker.exitValue()) + ")");
    }

    /** A fresh, empty ClickHouse engine with the migrations applied, replacing the previous one. */
    String freshClickHouse() throws Exception {
        if (clickHouse != null) {
            clickHouse.close();
        }
        Path data = dir.resolve("clickhouse-" + (++clickHouseRuns));
        deleteTree(data);
        clickHouse = LocalClickHouse.start(data);
        new Migrator(clickHouse.jdbcUrl(), "default", "").migrate();
        return clickHouse.jdbcUrl();
    }

    /**
     * CPU time used so far by each part of the stack: this JVM (the Flink job, or a baseline's consumers and
     * inserts), the broker's JVM (zero when it runs in this JVM) and the ClickHouse engine's process.
     */
    Cpu cpu() {
        double[] vm = vmThreadsCpu();
        return new Cpu(cpuOf(ProcessHandle.current()), vm[0], vm[1], broker == null ? 0 : cpuOf(broker.toHandle()),
                clickHouse == null ? 0 : cpuOf(clickHouse.process()));
    }

    /**
     * CPU seconds per part of the stack. {@code jit} and {@code gc} are parts of {@code jvm}: its JIT compiler threads
     * and its garbage collector's threads, a cost of the process's warm-up and of its allocations that the JVM's
     * total would otherwise hide.
     */
    record Cpu(double jvm, double jit, double gc, double broker, double clickHouse) {
        Cpu minus(Cpu before) {
            // A compiler thread the JVM stopped takes its time with it: never below zero.
            return new Cpu(jvm - before.jvm, Math.max(0, jit - before.jit), Math.max(0, gc - before.gc),
                    broker - before.broker, clickHouse - before.clickHouse);
        }

        double total() {
            return jvm + broker + clickHouse;
        }
    }

    private static final double CLOCK_TICKS_PER_SECOND = 100;

    /**
     * This JVM's JIT compiler threads and garbage collector threads, in CPU seconds, from Linux's per-thread
     * accounting (/proc/self/task; zeros elsewhere). Not Java threads, so the JVM's own beans do not see them.
     */
    private static double[] vmThreadsCpu() {
        double[] sums = new double[2];
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return sums;
        }
        try (var dirs = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) dirs::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim();
                    int kind = name.contains("CompilerThre") ? 0
                            : name.startsWith("GC Thread") || name.startsWith("G1 ") ? 1 : -1;
                    if (kind < 0) {
                        continue;
                    }
                    String stat = Files.readString(t.resolve("stat"));
                    // after "(comm)": state is field 3; utime and stime are fields 14 and 15
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    sums[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS_PER_SECOND;
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return new double[2];
        }
        return sums;
    }

    private static double cpuOf(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** The JDBC URL of the engine started last by {@link #freshClickHouse()}. */
    String clickHouseUrl() {
        return clickHouse.jdbcUrl();
    }

    long count(String sql) throws Exception {
        return Long.parseLong(query(sql).get(0));
    }

    List<String> query(String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection(clickHouse.jdbcUrl(), p);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    void createTopics(int partitions, String... topics) throws Exception {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String t : topics) {
                // Benchmark records carry event times weeks in the past: keep them whatever their age.
                wanted.add(new NewTopic(t, partitions, (short) 1).configs(Map.of("retention.ms", "-1")));
            }
            admin.createTopics(wanted).all().get(60, TimeUnit.SECONDS);
        }
    }

    JobID submit(JobGraph job) throws Exception {
        return flink.submitJob(job).get(60, TimeUnit.SECONDS).getJobID();
    }

    /** True once every task of the job is RUNNING (state restored, operators opened). */
    boolean allTasksRunning(JobID job) throws Exception {
        int running = 0;
        for (AccessExecutionVertex v : flink.getExecutionGraph(job).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
            running++;
        }
        // While the job is still being created its graph has no vertices yet.
        return running > 0;
    }

    void failIfStopped(JobID job) throws Exception {
        JobStatus s = flink.getJobStatus(job).get(10, TimeUnit.SECONDS);
        if (s.isGloballyTerminalState() && s != JobStatus.FINISHED) {
            var result = flink.requestJobResult(job).get(10, TimeUnit.SECONDS);
            throw new IllegalStateException("The job stopped: " + s,
                    result.getSerializedThrowable().map(t -> (Throwable) t).orElse(null));
        }
    }

    void cancel(JobID job) throws Exception {
        JobStatus s = flink.getJobStatus(job).get(10, TimeUnit.SECONDS);
        if (!s.isGloballyTerminalState()) {
            flink.cancelJob(job).get(60, TimeUnit.SECONDS);
        }
        flink.requestJobResult(job).get(120, TimeUnit.SECONDS);
    }

    void awaitFinished(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!flink.getJobStatus(job).get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The job did not finish within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        failIfStopped(job);
    }

    static long treeSize(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            flink.close();
        } finally {
            if (clickHouse != null) {
                clickHouse.close();
            }
            if (broker != null) {
                broker.getOutputStream().close();
                if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            }
            if (inProcessBroker != null) {
                inProcessBroker.close();
            }
        }
    }
}

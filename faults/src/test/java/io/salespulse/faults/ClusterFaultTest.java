package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.cluster.LocalCluster;
import io.salespulse.pipeline.testing.TestStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 12, a real cluster. The job jar as users submit it ({@code flink run -d <job jar> --kafka-bootstrap ...}
 * with Flink's own client) on a standalone session cluster of separate JVMs (bin/salespulse cluster: one
 * JobManager, two TaskManagers with two slots each, RocksDB), while a simulated team's history streams in:
 * (a) a TaskManager that runs the job is killed with SIGKILL and a new one started: the job is RUNNING again from its
 * last checkpoint; (b) {@code flink stop --savepointPath} then {@code flink run -s <savepoint>}; (c) the same twice to
 * rescale from parallelism 2 to 4 (input topics with 4 partitions, every slot of the cluster) and back to 2; (d) the JobManager
 * killed with SIGKILL and started again, both jobs resubmitted by deploy/init/supervise.sh. Each time the alerts
 * in sales.alerts (read_committed) and ClickHouse, and every table's rows, are exactly the simulator's ground truth.
 * Needs the job jar: {@code mvn -DskipTests package} (or {@code mvn verify}, which bin/salespulse test runs).
 */
class ClusterFaultTest {
    static final Path JOB_JAR = Path.of("..", "pipeline", "target", "salespulse-pipeline-0.1.0-SNAPSHOT-job.jar");
    static final Path CLUSTER_LIB = Path.of("..", "cluster", "target", "lib");
    static final Path SUPERVISOR = Path.of("..", "deploy", "init", "supervise.sh").toAbsolutePath().normalize();

    @TempDir
    static Path clusterDir;

    @TempDir
    Path dir;

    static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        assertThat(JOB_JAR).as("the job jar (build it with mvn -DskipTests package)").exists();
        LocalCluster.Settings s = LocalCluster.Settings.defaults(clusterDir.resolve("cluster"), CLUSTER_LIB)
                .withPorts(freePort(), freePort());
        cluster = new LocalCluster(s);
        // Also when the test JVM is ended from outside (a surefire timeout, Ctrl-C): no cluster JVM outlives it.
        LocalCluster started = cluster;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.stop(Duration.ofSeconds(5));
            } catch (IOException ignored) {
                // best effort
            }
        }, "cluster-stop"));
        long t0 = System.nanoTime();
        try {
            cluster.start(Duration.ofSeconds(180));
        } catch (Exception | AssertionError e) {
            stopCluster();
            throw e;
        }
        System.out.printf("[faults] cluster: JobManager and 2 TaskManagers up in %.1f s (%s)%n",
                (System.nanoTime() - t0) / 1e9, cluster.processes());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop(Duration.ofSeconds(20));
            assertThat(cluster.processes()).as("no cluster process left").isEmpty();
        }
    }

    @Test
    void taskManagerKilledWithSigkillAndReplacedRestoresTheJobFromItsLastCheckpoint() throws Exception {
        long t0 = System.nanoTime();
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(13, Faults.pick(3, 14));
            String checkpoints = dir.resolve("checkpoints-tm").toUri().toString();
            String job = submit(stack, "tm-kill", checkpoints, null, List.of());
            List<String> log = new ArrayList<>();
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang",
                    history.records, Faults.pick(6, 20), Duration.ofMillis(200))) {
                awaitCheckpointAfter(checkpoints, System.currentTimeMillis(), Duration.ofSeconds(90));
                String victim = taskManagerRunning(job);
                int n = Integer.parseInt(victim.substring("taskmanager-".length()));
                long killedAt = System.nanoTime();
                assertThat(cluster.killTaskManager(n)).as(victim + " was running").isTrue();
                log.add("kill -9 " + victim + " at " + feeder.sent() + " of " + history.records.size() + " records sent");
                int replacement = nextTaskManager();
                cluster.startTaskManager(replacement);
                awaitAllTasksRunning(job, Duration.ofSeconds(120), true);
                long restored = restoredCheckpoint(job).orElseThrow(() -> new AssertionError("the job was not restored from a checkpoint"));
                log.add(String.format("  taskmanager-%d started; job RUNNING again %.1f s after the kill, restored from checkpoint %d",
                        replacement, (System.nanoTime() - killedAt) / 1e9, restored));
                feeder.awaitDone(Duration.ofSeconds(180));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(120));
                log.forEach(System.out::println);
                System.out.printf("[faults] cluster TaskManager kill -9 (%d records, %.0f s): %s%n", history.records.size(),
                        (System.nanoTime() - t0) / 1e9, r);
                assertThat(cluster.jobStatus(job)).contains("RUNNING");
            } finally {
                cancelQuietly(job);
            }
        }
    }

    @Test
    void stopWithSavepointThenRunFromItCarriesTheState() throws Exception {
        long t0 = System.nanoTime();
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(17, Faults.pick(3, 14));
            String checkpoints = dir.resolve("checkpoints-sp").toUri().toString();
            String savepoints = dir.resolve("savepoints").toUri().toString();
            String job = submit(stack, "savepoint", checkpoints, null, List.of());
            List<String> log = new ArrayList<>();
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang",
                    history.records, Faults.pick(6, 20), Duration.ofMillis(200))) {
                awaitCheckpointAfter(checkpoints, System.currentTimeMillis(), Duration.ofSeconds(90));
                int sent = feeder.sent();
                LocalCluster.ClientResult stop = cluster.flink(List.of("stop", "--savepointPath", savepoints, job),
                        Duration.ofSeconds(120));
                assertThat(stop.exitCode()).as(stop.output()).isZero();
                String savepoint = stop.savepointPath().orElseThrow(() -> new AssertionError("no savepoint path in:\n" + stop.output()));
                // `flink stop` returns once the savepoint is complete; the job reaches FINISHED just after.
                awaitJobStatus(job, "FINISHED", Duration.ofSeconds(60));
                log.add("flink stop --savepointPath at " + sent + " of " + history.records.size() + " records sent -> " + savepoint);
                long restartedAt = System.nanoTime();
                job = submit(stack, "savepoint", checkpoints, savepoint, List.of());
                awaitAllTasksRunning(job, Duration.ofSeconds(120), false);
                log.add(String.format("  flink run -s: RUNNING %.1f s later", (System.nanoTime() - restartedAt) / 1e9));
                feeder.awaitDone(Duration.ofSeconds(180));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(120));
                log.forEach(System.out::println);
                System.out.printf("[faults] cluster stop-with-savepoint and run -s (%d records, %.0f s): %s%n",
                        history.records.size(), (System.nanoTime() - t0) / 1e9, r);
                assertThat(cluster.jobStatus(job)).contains("RUNNING");
            } finally {
                cancelQuietly(job);
            }
        }
    }

    @Test
    void rescaledFromParallelism2To4AndBackThroughSavepoints() throws Exception {
        long t0 = System.nanoTime();
        try (TestStack stack = TestStack.start(dir, 4)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(19, Faults.pick(3, 14));
            String checkpoints = dir.resolve("checkpoints-rescale").toUri().toString();
            String savepoints = dir.resolve("savepoints-rescale").toUri().toString();
            String job = submit(stack, "rescale", checkpoints, null, 2);
            List<String> log = new ArrayList<>();
            // Slowly (a record every 0.5 s; a stop and run -s take about 40 s here), so both rescales are mid-stream.
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang",
                    history.records, 1, Duration.ofMillis(Faults.pick(500, 100)))) {
                int step = 0;
                for (int parallelism : new int[] {4, 2}) {
                    int target = history.records.size() * ++step / 3;
                    while (feeder.sent() < target) {
                        Thread.sleep(100);
                    }
                    awaitCheckpointAfter(checkpoints, System.currentTimeMillis(), Duration.ofSeconds(90));
                    int sent = feeder.sent();
                    LocalCluster.ClientResult stop = cluster.flink(List.of("stop", "--savepointPath", savepoints, job),
                            Duration.ofSeconds(120));
                    assertThat(stop.exitCode()).as(stop.output()).isZero();
                    String savepoint = stop.savepointPath()
                            .orElseThrow(() -> new AssertionError("no savepoint path in:\n" + stop.output()));
                    job = submit(stack, "rescale", checkpoints, savepoint, parallelism);
                    assertThat(vertexParallelisms(job)).as("the restored job's operators").contains(parallelism);
                    log.add("savepoint at " + sent + " of " + history.records.size() + " records sent; run -s with parallelism "
                            + parallelism + " (slots free: " + cluster.rest("/overview").map(o -> LocalCluster.field(o, "slots-available"))
                                    .orElse(-1L) + ")");
                }
                feeder.awaitDone(Duration.ofSeconds(300));
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers(), 4);
                Counting.Result r = Counting.assertExactly(stack, history.expectation().plusDeadLetters(touches),
                        Duration.ofSeconds(120));
                log.forEach(System.out::println);
                System.out.printf("[faults] cluster rescale 2 -> 4 -> 2 through savepoints (%d records, %.0f s): %s%n",
                        history.records.size(), (System.nanoTime() - t0) / 1e9, r);
                assertThat(cluster.jobStatus(job)).contains("RUNNING");
            } finally {
                cancelQuietly(job);
            }
        }
    }

    /**
     * (d) No HA, as in compose: the JobManager is killed with SIGKILL mid-stream and started again; it comes back
     * knowing no jobs. deploy/init/supervise.sh, the script compose's supervisor service runs, watches both jobs (the
     * monitor and the funnel job, each with its own checkpoint directory under FLINK_DATA) and submits each again with
     * Flink's client, restored from its own newest retained checkpoint. The monitor's output is counted against the
     * ground truth; the funnel's alerts in the same topic must each be there once.
     */
    @Test
    void jobManagerKilledWithSigkillAndRestartedTheSupervisorResubmitsEachJobFromItsOwnCheckpoint() throws Exception {
        long t0 = System.nanoTime();
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(23, Faults.pick(3, 14));
            Path flinkData = dir.resolve("flink-data");
            Path supervisorLog = dir.resolve("supervisor.log");
            Process supervisor = startSupervisor(stack, flinkData, supervisorLog);
            Map<String, String> jobs = Map.of();
            List<String> log = new ArrayList<>();
            try {
                jobs = awaitJobsRunning(Map.of(), supervisor, supervisorLog, Duration.ofSeconds(240));
                log.add("supervisor submitted " + jobs);
                try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang",
                        history.records, Faults.pick(6, 20), Duration.ofMillis(200))) {
                    long now = System.currentTimeMillis();
                    for (String job : SUPERVISED) {
                        awaitCheckpointAfter(flinkData.resolve("checkpoints").resolve(job).toUri().toString(), now,
                                Duration.ofSeconds(90));
                    }
                    Map<String, Long> newestBefore = new TreeMap<>();
                    long killedAt = System.nanoTime();
                    assertThat(cluster.killJobManager()).as("the JobManager was running").isTrue();
                    for (String job : SUPERVISED) {
                        newestBefore.put(job, checkpointNumber(FaultJobs.latestCheckpoint(
                                flinkData.resolve("checkpoints").resolve(job).toUri().toString()).orElseThrow()));
                    }
                    log.add("kill -9 jobmanager at " + feeder.sent() + " of " + history.records.size()
                            + " records sent; newest completed checkpoints " + newestBefore);
                    cluster.restartJobManager(2, Duration.ofSeconds(180));
                    log.add(String.format("  jobmanager started again, both TaskManagers registered %.1f s after the kill",
                            (System.nanoTime() - killedAt) / 1e9));
                    Map<String, String> before = jobs;
                    jobs = awaitJobsRunning(before, supervisor, supervisorLog, Duration.ofSeconds(240));
                    for (String job : SUPERVISED) {
                        String id = jobs.get(job);
                        String restoredFrom = restoredPath(id).orElseThrow(
                                () -> new AssertionError(job + " (" + id + ") was not restored from a checkpoint"));
                        // Its own directory, the job id of its previous run, and no older checkpoint than the newest seen.
                        assertThat(restoredFrom).as(job + " restored from").contains(
                                "/checkpoints/" + job + "/" + before.get(job) + "/chk-");
                        assertThat(checkpointNumber(Path.of(restoredFrom.replaceFirst("^file:", ""))))
                                .as(job + "'s checkpoint").isGreaterThanOrEqualTo(newestBefore.get(job));
                        log.add(String.format("  %s resubmitted by the supervisor as %s, RUNNING %.1f s after the kill,"
                                + " restored from %s", job, id, (System.nanoTime() - killedAt) / 1e9,
                                restoredFrom.substring(restoredFrom.indexOf("/checkpoints/"))));
                    }
                    log.add("  " + assertRuleMetricsExist());
                    feeder.awaitDone(Duration.ofSeconds(180));
                }
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                Expectation expected = history.expectation().plusDeadLetters(touches);
                Counting.Result r = Counting.assertExactly(stack, expected, Duration.ofSeconds(180));
                log.forEach(System.out::println);
                System.out.printf("[faults] cluster JobManager kill -9 + supervisor (%d records, %.0f s): expected %d alerts"
                        + " due by the history's end, got %d, extra 0, missing 0 (each id once); %s%n",
                        history.records.size(), (System.nanoTime() - t0) / 1e9, expected.alertsDueByEnd.size(),
                        r.alertsDueByEnd(), r);
                String funnel = assertFunnelAlertsOnceEach(stack, Duration.ofSeconds(120));
                System.out.println("[faults]   funnel job: " + funnel);
                for (Map.Entry<String, String> j : jobs.entrySet()) {
                    assertThat(cluster.jobStatus(j.getValue())).as(j.getKey()).contains("RUNNING");
                }
                assertThat(Files.readString(supervisorLog)).as("the supervisor's log")
                        .contains("salespulse-monitor submitted", "salespulse-funnel submitted");
            } finally {
                supervisor.destroy();
                if (!supervisor.waitFor(20, TimeUnit.SECONDS)) {
                    supervisor.destroyForcibly();
                }
                System.out.println("[faults] supervisor log:\n" + tail(supervisorLog, 40));
                jobs.values().forEach(ClusterFaultTest::cancelQuietly);
            }
        }
    }

    static final List<String> SUPERVISED = List.of("monitor", "funnel");
    static final Path ALERT_RULES = Path.of("..", "deploy", "prometheus", "rules", "salespulse.yml");

    /**
     * Every Flink metric that the Prometheus alert rules name is served by the JobManager's or a TaskManager's
     * Prometheus reporter while both jobs run (the rules' promtool tests use the same names).
     */
    private static String assertRuleMetricsExist() throws Exception {
        java.util.Set<String> named = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("\\b(flink_[A-Za-z0-9_]+)").matcher(Files.readString(ALERT_RULES));
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).as("Flink metrics in " + ALERT_RULES).isNotEmpty();
        java.util.Set<String> served = new java.util.TreeSet<>();
        for (String process : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
            int port = cluster.metricsPort(process).orElseThrow(() -> new AssertionError("no metrics port in the log of " + process));
            String body;
            try (var in = java.net.URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openStream()) {
                body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            // Only series of our two jobs: other scrapes on this machine would not do.
            body.lines().filter(l -> !l.startsWith("#") && (l.contains("job_name=\"salespulse_monitor\"")
                    || l.contains("job_name=\"salespulse_funnel\""))).forEach(l -> served.add(l.replaceFirst("[{ ].*", "")));
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(named);
        missing.removeAll(served);
        assertThat(missing).as("Flink metrics the alert rules use but no cluster process serves for the jobs").isEmpty();
        return "the alert rules' " + named.size() + " Flink metrics are all served: " + named;
    }

    /**
     * The funnel job's alerts (digests, coaching, drops) across the restart: each id once in sales.alerts
     * (read_committed), and the same ids there as in ClickHouse once its Kafka transactions committed.
     */
    private static String assertFunnelAlertsOnceEach(TestStack stack, Duration timeout) throws Exception {
        String types = Counting.FUNNEL_TYPES.stream().map(t -> "'" + t + "'").collect(java.util.stream.Collectors.joining(", "));
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Set<String> inClickHouse;
        List<String> inKafka;
        do {
            inClickHouse = new java.util.TreeSet<>(stack.query("SELECT alert_id FROM salespulse.alerts FINAL WHERE type IN ("
                    + types + ")"));
            inKafka = io.salespulse.pipeline.testing.TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts",
                    Duration.ofSeconds(20), Duration.ofSeconds(1), v -> true).stream()
                    .map(v -> Counting.parse(List.of(v)).get(0))
                    .filter(a -> Counting.FUNNEL_TYPES.contains(a.get("type").asText()))
                    .map(a -> a.get("alert_id").asText()).toList();
            if (new java.util.TreeSet<>(inKafka).equals(inClickHouse)) {
                break;
            }
            Thread.sleep(1_000);
        } while (System.nanoTime() < deadline);
        assertThat(inKafka).as("funnel alert ids in sales.alerts (read_committed): each once").doesNotHaveDuplicates();
        java.util.Set<String> missing = new java.util.TreeSet<>(inClickHouse);
        missing.removeAll(inKafka);
        java.util.Set<String> extra = new java.util.TreeSet<>(inKafka);
        extra.removeAll(inClickHouse);
        String report = "alerts in ClickHouse " + inClickHouse.size() + ", in sales.alerts " + inKafka.size() + ", extra "
                + extra.size() + ", missing " + missing.size();
        assertThat(extra).as(report).isEmpty();
        assertThat(missing).as(report).isEmpty();
        return report;
    }

    /** deploy/init/supervise.sh against this cluster: Flink's client by a script, the job settings in its environment. */
    private static Process startSupervisor(TestStack stack, Path flinkData, Path out) throws IOException {
        Path flink = cluster.writeClientScript(flinkData.getParent().resolve("bin").resolve("flink"));
        ProcessBuilder pb = new ProcessBuilder("bash", SUPERVISOR.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Map<String, String> env = pb.environment();
        env.put("FLINK_JOBMANAGER", "127.0.0.1:" + cluster.settings().restPort());
        env.put("FLINK_DATA", flinkData.toString());
        env.put("FLINK_CLI", flink.toString());
        env.put("SALESPULSE_JOB_JAR", JOB_JAR.toAbsolutePath().normalize().toString());
        env.put("SALESPULSE_SUPERVISE_INTERVAL", "3");
        env.put("SALESPULSE_KAFKA_BOOTSTRAP", stack.kafka.bootstrapServers());
        env.put("SALESPULSE_CLICKHOUSE_URL", stack.clickHouse.jdbcUrl());
        env.put("SALESPULSE_KAFKA_GROUP_ID", "monitor-jm");
        env.put("SALESPULSE_KAFKA_TRANSACTIONAL_ID_PREFIX", "monitor-jm");
        env.put("SALESPULSE_FUNNEL_GROUP_ID", "funnel-jm");
        env.put("SALESPULSE_FUNNEL_TRANSACTIONAL_ID_PREFIX", "funnel-jm");
        env.put("SALESPULSE_CHECKPOINT_INTERVAL", "1s");
        env.put("SALESPULSE_PARALLELISM", "2");
        env.put("SALESPULSE_RESTART_ATTEMPTS", "10");
        return pb.start();
    }

    /**
     * Waits until the cluster runs a job of each name with every task RUNNING, each with another id than in
     * {@code previous}: job (monitor, funnel) to job id.
     */
    private static Map<String, String> awaitJobsRunning(Map<String, String> previous, Process supervisor, Path supervisorLog,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> ids = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            assertThat(supervisor.isAlive()).as("the supervisor runs; its log:\n" + tail(supervisorLog, 40)).isTrue();
            ids.clear();
            String overview = cluster.rest("/jobs/overview").orElse("");
            for (String job : SUPERVISED) {
                Matcher m = Pattern.compile("\"jid\"\\s*:\\s*\"([0-9a-f]{32})\"\\s*,\\s*\"name\"\\s*:\\s*\"salespulse-"
                        + job + "\"[^{}]*\"state\"\\s*:\\s*\"RUNNING\"").matcher(overview);
                while (m.find()) {
                    if (!m.group(1).equals(previous.get(job)) && cluster.allTasksRunning(m.group(1))) {
                        ids.put(job, m.group(1));
                    }
                }
            }
            if (ids.size() == SUPERVISED.size()) {
                return Map.copyOf(ids);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the supervisor did not get both jobs RUNNING within " + timeout + " (running: " + ids
                + ", jobs: " + cluster.rest("/jobs/overview").orElse("no answer") + "); its log:\n" + tail(supervisorLog, 40));
    }

    /** The external path of the checkpoint the job restored from (REST /jobs/id/checkpoints, latest.restored). */
    private static Optional<String> restoredPath(String job) {
        return cluster.rest("/jobs/" + job + "/checkpoints").flatMap(j -> {
            Matcher m = Pattern.compile("\"restored\"\\s*:\\s*\\{[^}]*\"external_path\"\\s*:\\s*\"([^\"]+)\"").matcher(j);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        });
    }

    private static long checkpointNumber(Path chk) {
        return Long.parseLong(chk.getFileName().toString().replaceFirst("^chk-", ""));
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    /** The parallelism of every vertex of the job (the policies source is always 1). */
    private static List<Integer> vertexParallelisms(String job) {
        String j = cluster.rest("/jobs/" + job).orElseThrow().replaceAll(",\"plan\".*", "");
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"parallelism\"\\s*:\\s*(\\d+)").matcher(j);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    /** {@code flink run -d [-s savepoint] <job jar> <settings>}: the job id it printed. */
    private static String submit(TestStack stack, String run, String checkpoints, String restoreFrom, List<String> extra)
            throws Exception {
        return submit(stack, run, checkpoints, restoreFrom, 2, extra);
    }

    private static String submit(TestStack stack, String run, String checkpoints, String restoreFrom, int parallelism)
            throws Exception {
        return submit(stack, run, checkpoints, restoreFrom, parallelism, List.of());
    }

    private static String submit(TestStack stack, String run, String checkpoints, String restoreFrom, int parallelism,
            List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (restoreFrom != null) {
            args.addAll(List.of("-s", restoreFrom));
        }
        args.addAll(List.of(JOB_JAR.toAbsolutePath().normalize().toString(),
                "--kafka-bootstrap", stack.kafka.bootstrapServers(),
                "--clickhouse-url", stack.clickHouse.jdbcUrl(),
                "--kafka-group-id", "monitor-" + run,
                "--kafka-transactional-id-prefix", "monitor-" + run,
                "--checkpoint-dir", checkpoints,
                "--checkpoint-interval", "1s",
                "--parallelism", String.valueOf(parallelism),
                "--restart-attempts", "10"));
        args.addAll(extra);
        LocalCluster.ClientResult r = cluster.flink(args, Duration.ofSeconds(120));
        assertThat(r.exitCode()).as("flink " + args + ":\n" + r.output()).isZero();
        String job = r.jobId().orElseThrow(() -> new AssertionError("no job id in:\n" + r.output()));
        awaitAllTasksRunning(job, Duration.ofSeconds(90), false);
        return job;
    }

    /** A TaskManager with a busy slot (the job is the only one on the cluster). */
    private static String taskManagerRunning(String job) {
        String tms = cluster.rest("/taskmanagers").orElseThrow();
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"(taskmanager-\\d+)\"[^}]*?\"slotsNumber\"\\s*:\\s*(\\d+)[^}]*?\"freeSlots\"\\s*:\\s*(\\d+)")
                .matcher(tms);
        while (m.find()) {
            if (Integer.parseInt(m.group(3)) < Integer.parseInt(m.group(2))) {
                return m.group(1);
            }
        }
        throw new AssertionError("no TaskManager runs job " + job + ": " + tms);
    }

    private static int nextTaskManager() throws IOException {
        int n = 1;
        while (Files.exists(cluster.logDir().resolve("taskmanager-" + n + ".log"))) {
            n++;
        }
        return n;
    }

    /** Waits until every task of the job runs; {@code afterFailure}: until it has been restarted at least once. */
    private static void awaitJobStatus(String job, String status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cluster.jobStatus(job).filter(status::equals).isPresent()) {
            if (System.nanoTime() > deadline) {
                assertThat(cluster.jobStatus(job)).as("job status within " + timeout.toSeconds() + " s").contains(status);
            }
            Thread.sleep(200);
        }
    }

    private static void awaitAllTasksRunning(String job, Duration timeout, boolean afterFailure) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.allTasksRunning(job) && (!afterFailure || restoredCheckpoint(job).isPresent())) {
                return;
            }
            Optional<String> s = cluster.jobStatus(job);
            assertThat(s).as("job " + job).isNotIn(Optional.of("FAILED"), Optional.of("CANCELED"));
            Thread.sleep(250);
        }
        String state = cluster.rest("/jobs/" + job).map(j -> j.replaceAll(",\"plan\".*", "")).orElse("unknown");
        throw new AssertionError("job " + job + " not RUNNING within " + timeout + ": "
                + state.substring(0, Math.min(state.length(), 2_000)));
    }

    /** The id of the checkpoint the job restored from last (REST /jobs/id/checkpoints, latest.restored). */
    private static Optional<Long> restoredCheckpoint(String job) {
        return cluster.rest("/jobs/" + job + "/checkpoints").flatMap(j -> {
            Matcher m = Pattern.compile("\"restored\"\\s*:\\s*\\{\\s*\"id\"\\s*:\\s*(\\d+)").matcher(j);
            return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        });
    }

    private static void awaitCheckpointAfter(String checkpoints, long after, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Path> chk = FaultJobs.latestCheckpoint(checkpoints);
            if (chk.isPresent() && Files.getLastModifiedTime(chk.get().resolve("_metadata")).toMillis() > after) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint within " + timeout);
    }

    private static void cancelQuietly(String job) {
        try {
            if (cluster.jobStatus(job).filter(s -> s.equals("RUNNING") || s.equals("RESTARTING") || s.equals("CREATED")).isPresent()) {
                cluster.flink(List.of("cancel", job), Duration.ofSeconds(60));
            }
        } catch (Exception ignored) {
            // the cluster is stopped after the last test anyway
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

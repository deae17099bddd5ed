package io.salespulse.cluster;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A standalone Flink session cluster on this machine, each process its own JVM, from the jars that Maven put
 * in the cluster module's {@code target/lib} (Flink's own distribution is not on Maven Central): one
 * JobManager (StandaloneSessionClusterEntrypoint, web UI and REST API) and TaskManagers (TaskManagerRunner),
 * started as Flink's bin scripts start them: the memory options computed by BashJavaUtils from the same
 * config.yaml, Java 17's module openings, log4j writing one file per process.
 *
 * <p>Everything lives under {@code home}: {@code conf/} (config.yaml, log4j.properties), {@code log/},
 * {@code pids/} (one file per process, what {@link #stop} kills), {@code tmp/}, {@code checkpoints/},
 * {@code savepoints/}. The processes outlive the JVM that started them; {@link #stop} ends them.
 */
public final class LocalCluster {
    /**
     * What flink-dist's config.yaml passes to every Flink JVM on Java 17 ({@code env.java.opts.all}): Flink's
     * serializers and RPC reflect into these packages.
     */
    static final List<String> JAVA17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** The ports Flink's Prometheus reporter tries in turn, one per JVM (9249 is the usual first one). */
    public static final String METRICS_PORTS = "9249-9269";

    private static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    /**
     * The TaskManagers' JIT: C2 only. With tiered compilation a 2-core TaskManager running the monitor job still
     * spent a third of its CPU in the JIT compiler after 15 minutes; without, 2% (docs/benchmarks.md).
     */
    static final List<String> TASKMANAGER_JVM_OPTS = List.of("-XX:-TieredCompilation");
    private static final String CLIENT_MAIN = "org.apache.flink.client.cli.CliFrontend";
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    /** How the cluster is laid out: where, which class path, ports, TaskManagers and slots. */
    public record Settings(Path home, Path lib, int restPort, int rpcPort, int taskManagers, int slots,
            String taskManagerMemory, Map<String, String> extra) {
        public Settings {
            home = home.toAbsolutePath().normalize();
            lib = lib.toAbsolutePath().normalize();
            extra = Map.copyOf(extra);
        }

        /** bin/salespulse's cluster: 1 JobManager (web UI on 127.0.0.1:8081) and 2 TaskManagers with 2 slots each. */
        public static Settings defaults(Path home, Path lib) {
            return new Settings(home, lib, 8081, 6123, 2, 2, "1024m", Map.of());
        }

        public Settings withPorts(int rest, int rpc) {
            return new Settings(home, lib, rest, rpc, taskManagers, slots, taskManagerMemory, extra);
        }

        public Settings withTaskManagers(int count, int slotsEach) {
            return new Settings(home, lib, restPort, rpcPort, count, slotsEach, taskManagerMemory, extra);
        }

        public Settings with(String key, String value) {
            Map<String, String> m = new LinkedHashMap<>(extra);
            m.put(key, value);
            return new Settings(home, lib, restPort, rpcPort, taskManagers, slots, taskManagerMemory, m);
        }
    }

    private final Settings settings;
    /** BashJavaUtils' TaskManager memory options, computed once per configuration (2-3 s a JVM). */
    private List<String> taskManagerParams;

    public LocalCluster(Settings settings) {
        this.settings = settings;
    }

    /**
     * The cluster that {@code start} laid out under {@code home} before, with the ports its config.yaml names
     * (for stop, status and the client); the defaults when there is none.
     */
    public static LocalCluster existing(Path home, Path lib) throws IOException {
        Settings s = Settings.defaults(home, lib);
        Path yaml = s.home().resolve("conf").resolve("config.yaml");
        if (Files.exists(yaml)) {
            int rest = s.restPort();
            int rpc = s.rpcPort();
            for (String line : Files.readAllLines(yaml)) {
                String[] kv = line.split(":\\s*", 2);
                if (kv.length == 2 && kv[0].equals("rest.port")) {
                    rest = Integer.parseInt(kv[1].trim());
                } else if (kv.length == 2 && kv[0].equals("jobmanager.rpc.port")) {
                    rpc = Integer.parseInt(kv[1].trim());
                }
            }
            s = s.withPorts(rest, rpc);
        }
        return new LocalCluster(s);
    }

    public Settings settings() {
        return settings;
    }

    public Path confDir() {
        return settings.home.resolve("conf");
    }

    public Path logDir() {
        return settings.home.resolve("log");
    }

    public Path pidDir() {
        return settings.home.resolve("pids");
    }

    public String restUrl() {
        return "http://127.0.0.1:" + settings.restPort;
    }

    /**
     * Writes the configuration and starts the JobManager and the TaskManagers, waiting until the REST API
     * answers and every TaskManager has registered. Fails when a process of this cluster is still running.
     */
    public void start(Duration timeout) throws IOException, InterruptedException {
        List<String> running = runningProcesses();
        if (!running.isEmpty()) {
            throw new IllegalStateException("the cluster under " + settings.home + " is already running (" + running
                    + "): stop it first");
        }
        checkClassPath();
        writeConfiguration();
        long deadline = System.nanoTime() + timeout.toNanos();
        startJobManager();
        awaitRest(deadline);
        for (int i = 1; i <= settings.taskManagers; i++) {
            startTaskManager(i);
        }
        awaitTaskManagers(settings.taskManagers, deadline);
    }

    private void checkClassPath() {
        if (!hasJar("flink-runtime-")) {
            throw new IllegalStateException("no Flink jars in " + settings.lib + ": build the project first "
                    + "(mvn -DskipTests package, or any bin/salespulse command)");
        }
    }

    private boolean hasJar(String prefix) {
        try (Stream<Path> s = Files.list(settings.lib)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    /** conf/config.yaml and conf/log4j.properties from the settings. */
    public void writeConfiguration() throws IOException {
        taskManagerParams = null;
        for (String d : List.of("conf", "log", "pids", "tmp", "plugins", "checkpoints", "savepoints")) {
            Files.createDirectories(settings.home.resolve(d));
        }
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(settings.rpcPort));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.memory.process.size", "768m");
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.memory.process.size", settings.taskManagerMemory);
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(settings.slots));
        c.put("parallelism.default", "2");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(settings.restPort));
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.dir", settings.home.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", settings.home.resolve("savepoints").toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("execution.checkpointing.num-retained", "3");
        c.put("restart-strategy.type", "exponential-delay");
        c.put("io.tmp.dirs", settings.home.resolve("tmp").toString());
        // A TaskManager that was killed is noticed by its lost RPC connection; this bounds the rest.
        c.put("heartbeat.timeout", "20000");
        // Flink's Prometheus reporter (flink-metrics-prometheus in lib/): each JVM serves /metrics on the first free
        // port of the range; its log says which ("Started PrometheusReporter HTTP server on port N").
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("metrics.reporter.prom.port", METRICS_PORTS);
        c.putAll(settings.extra);
        StringBuilder yaml = new StringBuilder("# Written by bin/salespulse cluster start (io.salespulse.cluster.LocalCluster):"
                + " rewritten at every start.\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(confDir().resolve("config.yaml"), yaml.toString());
        try (var in = LocalCluster.class.getResourceAsStream("log4j.properties")) {
            Files.write(confDir().resolve("log4j.properties"), in.readAllBytes());
        }
    }

    private static String quote(String v) {
        return v.matches("[A-Za-z0-9_.:/\\-]+") ? v : "'" + v.replace("'", "''") + "'";
    }

    public long startJobManager() throws IOException, InterruptedException {
        List<String> memory = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(Arrays.asList(memory.get(0).trim().split("\\s+")));
        cmd.addAll(logOptions("jobmanager"));
        cmd.addAll(List.of("-cp", classPath(), JOBMANAGER_MAIN, "--configDir", confDir().toString()));
        cmd.addAll(dynamicProperties(memory.get(1)));
        return launch("jobmanager", cmd);
    }

    /** Starts TaskManager number {@code n} (its log is log/taskmanager-n.log, its pid pids/taskmanager-n.pid). */
    public long startTaskManager(int n) throws IOException, InterruptedException {
        if (taskManagerParams == null) {
            taskManagerParams = resourceParams("GET_TM_RESOURCE_PARAMS");
        }
        List<String> memory = taskManagerParams;
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(TASKMANAGER_JVM_OPTS);
        cmd.addAll(Arrays.asList(memory.get(0).trim().split("\\s+")));
        cmd.addAll(logOptions("taskmanager-" + n));
        cmd.addAll(List.of("-cp", classPath(), TASKMANAGER_MAIN, "--configDir", confDir().toString()));
        cmd.addAll(dynamicProperties(memory.get(1)));
        // Its id in the web UI and REST API (/taskmanagers) is its name here, so a test knows which process to kill.
        cmd.addAll(List.of("-D", "taskmanager.resource-id=taskmanager-" + n));
        return launch("taskmanager-" + n, cmd);
    }

    /** SIGKILL of TaskManager {@code n}: no shutdown hook, nothing flushed. Returns whether it was running. */
    public boolean killTaskManager(int n) throws IOException {
        return kill("taskmanager-" + n, true, Duration.ofSeconds(10));
    }

    /** SIGKILL of the JobManager. */
    public boolean killJobManager() throws IOException {
        return kill("jobmanager", true, Duration.ofSeconds(10));
    }

    /**
     * Starts the JobManager again (after {@link #killJobManager} or a crash) with the same configuration and waits
     * until its REST API answers and the running TaskManagers have registered with it again. Without HA it knows no
     * jobs: whatever ran before has to be submitted again.
     */
    public void restartJobManager(int taskManagers, Duration timeout) throws IOException, InterruptedException {
        if (processes().containsKey("jobmanager")) {
            throw new IllegalStateException("the JobManager under " + settings.home + " is still running");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        startJobManager();
        awaitRest(deadline);
        awaitTaskManagers(taskManagers, deadline);
    }

    /**
     * The port on which a process's Prometheus reporter serves /metrics, from its log ({@code name}: jobmanager or
     * taskmanager-n); the last one when the process was started more than once.
     */
    public Optional<Integer> metricsPort(String name) throws IOException {
        Path log = logDir().resolve(name + ".log");
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("Started PrometheusReporter HTTP server on port (\\d+)").matcher(Files.readString(log));
        Integer port = null;
        while (m.find()) {
            port = Integer.parseInt(m.group(1));
        }
        return Optional.ofNullable(port);
    }

    /**
     * Writes an executable shell script that runs Flink's client against this cluster, for programs that call
     * {@code flink} by name (deploy/init/supervise.sh takes it as FLINK_CLI): {@code script run -d ...}.
     */
    public Path writeClientScript(Path script) throws IOException {
        writeClientLogConfig();
        ProcessBuilder pb = client(List.of());
        StringBuilder sh = new StringBuilder("#!/bin/sh\n# Flink's client for the cluster under " + settings.home
                + " (written by io.salespulse.cluster.LocalCluster)\n");
        sh.append("export FLINK_CONF_DIR=").append(shellQuote(pb.environment().get("FLINK_CONF_DIR"))).append('\n');
        sh.append("export FLINK_PLUGINS_DIR=").append(shellQuote(pb.environment().get("FLINK_PLUGINS_DIR"))).append('\n');
        sh.append("exec");
        for (String a : pb.command()) {
            sh.append(' ').append(shellQuote(a));
        }
        sh.append(" \"$@\"\n");
        Files.createDirectories(script.toAbsolutePath().getParent());
        Files.writeString(script, sh.toString());
        if (!script.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + script + " executable");
        }
        return script;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Ends every process of the cluster: SIGTERM (Flink shuts down cleanly), SIGKILL when one is still alive after
     * {@code grace}. Returns what was stopped.
     */
    public List<String> stop(Duration grace) throws IOException {
        List<String> stopped = new ArrayList<>();
        for (String name : pidFiles().keySet()) {
            if (!name.equals("jobmanager") && kill(name, false, grace)) {
                stopped.add(name);
            }
        }
        if (kill("jobmanager", false, grace)) {
            stopped.add("jobmanager");
        }
        return stopped;
    }

    private boolean kill(String name, boolean forcibly, Duration grace) throws IOException {
        Path pidFile = pidDir().resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        Optional<ProcessHandle> p = ours(name, Long.parseLong(Files.readString(pidFile).trim()));
        Files.deleteIfExists(pidFile);
        if (p.isEmpty()) {
            return false;
        }
        ProcessHandle h = p.get();
        if (forcibly) {
            h.destroyForcibly();
        } else {
            h.destroy();
        }
        try {
            h.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception stillAlive) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("process " + h.pid() + " (" + name + ") did not end after SIGKILL", e);
            }
        }
        return true;
    }

    /**
     * The process with that pid when it is still the one we started: alive and running Flink's class for
     * {@code name} with this cluster's config dir (a pid reused by another program is never killed).
     */
    private Optional<ProcessHandle> ours(String name, long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
            String line = commandLine(h);
            String main = name.equals("jobmanager") ? JOBMANAGER_MAIN : TASKMANAGER_MAIN;
            return line == null || (line.contains(main) && line.contains(confDir().toString()));
        });
    }

    private static String commandLine(ProcessHandle h) {
        Path cmdline = Path.of("/proc", String.valueOf(h.pid()), "cmdline");
        try {
            return Files.exists(cmdline) ? Files.readString(cmdline).replace('\0', ' ') : h.info().commandLine().orElse(null);
        } catch (IOException e) {
            return h.info().commandLine().orElse(null);
        }
    }

    /** Name to pid of the processes recorded under pids/ that are still running. */
    public Map<String, Long> processes() throws IOException {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Long> e : pidFiles().entrySet()) {
            ours(e.getKey(), e.getValue()).ifPresent(h -> out.put(e.getKey(), h.pid()));
        }
        return out;
    }

    private List<String> runningProcesses() throws IOException {
        return processes().entrySet().stream().map(e -> e.getKey() + " pid " + e.getValue()).toList();
    }

    private Map<String, Long> pidFiles() throws IOException {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.isDirectory(pidDir())) {
            return out;
        }
        try (Stream<Path> s = Files.list(pidDir())) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.pid$", "");
                try {
                    out.put(name, Long.parseLong(Files.readString(p).trim()));
                } catch (NumberFormatException | IOException e) {
                    // a half-written file: nothing to stop
                }
            }
        }
        return out;
    }

    /**
     * {@code java -cp <cluster class path> CliFrontend args} with FLINK_CONF_DIR pointing at this cluster's
     * conf/ (without it Flink's client exits 31 without a word): {@code flink run|stop|list|cancel|savepoint}
     * against this cluster. Its output goes to this process's stdout and stderr unless {@code output} is given.
     */
    public ProcessBuilder client(List<String> args) {
        List<String> cmd = new ArrayList<>(java());
        cmd.add("-Xmx256m");
        cmd.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j-cli.properties").toUri());
        cmd.add("-Dlog.file=" + logDir().resolve("client.log"));
        cmd.addAll(List.of("-cp", classPath(), CLIENT_MAIN));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FLINK_CONF_DIR", confDir().toString());
        pb.environment().put("FLINK_PLUGINS_DIR", settings.home.resolve("plugins").toString());
        return pb;
    }

    /** Runs the client, returns its exit code and output (stdout and stderr together). */
    public ClientResult flink(List<String> args, Duration timeout) throws IOException, InterruptedException {
        writeClientLogConfig();
        Process p = client(args).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("flink " + args + " did not end within " + timeout);
        }
        return new ClientResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public record ClientResult(int exitCode, String output) {
        /** The job id that {@code flink run -d} printed. */
        public Optional<String> jobId() {
            Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(output);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** The savepoint path that {@code flink stop --savepointPath} or {@code flink savepoint} printed. */
        public Optional<String> savepointPath() {
            Matcher m = Pattern.compile("Savepoint (?:completed\\. Path|stored in): (\\S+)").matcher(output);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }
    }

    /** The client's log4j configuration: its own log file, and messages for the user on the console. */
    public void writeClientLogConfig() throws IOException {
        Files.createDirectories(confDir());
        Files.createDirectories(logDir());
        Files.createDirectories(settings.home.resolve("plugins"));
        try (var in = LocalCluster.class.getResourceAsStream("log4j-cli.properties")) {
            Files.write(confDir().resolve("log4j-cli.properties"), in.readAllBytes());
        }
    }

    /** GET {@code path} of the REST API, the body as text (empty when the JobManager does not answer). */
    public Optional<String> rest(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(restUrl() + path).toURL().openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            try {
                if (c.getResponseCode() != 200) {
                    return Optional.empty();
                }
                try (var in = c.getInputStream()) {
                    return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A number field of the JSON that {@code /overview} returns, e.g. "taskmanagers", "slots-total", "jobs-running". */
    public static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The status of a job from {@code /jobs/<id>} (e.g. RUNNING), empty when the cluster does not know it. */
    public Optional<String> jobStatus(String jobId) {
        return rest("/jobs/" + jobId).map(j -> {
            Matcher m = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"").matcher(j);
            return m.find() ? m.group(1) : "UNKNOWN";
        });
    }

    /**
     * Whether every task of the job is RUNNING (the job turns RUNNING before its tasks are deployed): the job's
     * {@code status-counts} in {@code /jobs/<id>}, one count per execution state.
     */
    public boolean allTasksRunning(String jobId) {
        return rest("/jobs/" + jobId).map(j -> {
            Matcher m = Pattern.compile("\"status-counts\"\\s*:\\s*\\{([^}]*)\\}").matcher(j);
            if (!m.find()) {
                return false;
            }
            long total = 0;
            long running = 0;
            Matcher f = Pattern.compile("\"([A-Z_]+)\"\\s*:\\s*(\\d+)").matcher(m.group(1));
            while (f.find()) {
                long n = Long.parseLong(f.group(2));
                total += n;
                if (f.group(1).equals("RUNNING")) {
                    running = n;
                }
            }
            return total > 0 && running == total;
        }).orElse(false);
    }

    private void awaitRest(long deadline) throws InterruptedException, IOException {
        while (System.nanoTime() < deadline) {
            if (rest("/overview").isPresent()) {
                return;
            }
            if (!processes().containsKey("jobmanager")) {
                throw new IllegalStateException("the JobManager ended at start: see " + logDir().resolve("jobmanager.log")
                        + " and " + logDir().resolve("jobmanager.out"));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the JobManager's REST API did not answer on " + restUrl() + ": see "
                + logDir().resolve("jobmanager.log"));
    }

    /** Waits until {@code count} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int count, long deadlineNanos) throws InterruptedException {
        long seen = -1;
        while (System.nanoTime() < deadlineNanos) {
            seen = rest("/overview").map(o -> field(o, "taskmanagers")).orElse(-1L);
            if (seen == count) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(count + " TaskManagers expected, " + seen + " registered: see the logs in "
                + logDir());
    }

    private long launch(String name, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir().resolve(name + ".out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("FLINK_CONF_DIR", confDir().toString());
        pb.environment().put("FLINK_LOG_DIR", logDir().toString());
        pb.environment().put("FLINK_PLUGINS_DIR", settings.home.resolve("plugins").toString());
        Process p = pb.start();
        Files.writeString(pidDir().resolve(name + ".pid"), p.pid() + "\n");
        return p.pid();
    }

    private List<String> logOptions(String name) {
        return List.of(
                "-Dlog.file=" + logDir().resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri(),
                "-Djava.io.tmpdir=" + settings.home.resolve("tmp"));
    }

    /** Line 1 (JVM options) and line 2 (-D key=value program arguments) of BashJavaUtils' answer. */
    private List<String> resourceParams(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of("-Xmx128m", "-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri(),
                "-Dlog.file=" + logDir().resolve("bash-java-utils.log"),
                "-cp", classPath(), BASH_JAVA_UTILS, command, "--configDir", confDir().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int code = p.waitFor();
        // The bin scripts' way: the result lines carry a prefix; without it, the last two lines (earlier ones are logs).
        List<String> lines = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (lines.size() < 2) {
            lines = out.lines().filter(l -> !l.isBlank()).toList();
        }
        if (code != 0 || lines.size() < 2) {
            throw new IllegalStateException("Flink's memory calculation (" + command + ") failed, exit " + code + ":\n" + out);
        }
        return lines.subList(lines.size() - 2, lines.size());
    }

    private static List<String> dynamicProperties(String line) {
        List<String> out = new ArrayList<>();
        for (String t : line.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    private String classPath() {
        return settings.lib + "/*";
    }

    private static List<String> java() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JAVA17_OPTS);
        return cmd;
    }

    /** A checkout's cluster: {@code <root>/.local/cluster}, the class path from {@code <root>/cluster/target/lib}. */
    public static LocalCluster ofCheckout(Path root) {
        return new LocalCluster(Settings.defaults(root.resolve(".local").resolve("cluster"),
                root.resolve("cluster").resolve("target").resolve("lib")));
    }
}

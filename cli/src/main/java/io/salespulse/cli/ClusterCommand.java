package io.salespulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.cluster.LocalCluster;
import io.salespulse.contract.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A standalone Flink session cluster on this machine (JobManager and TaskManagers in their own JVMs, in the
 * background), for submitting the job jars with {@code bin/salespulse flink run} as on any Flink cluster.
 */
@Command(name = "cluster",
        mixinStandardHelpOptions = true,
        description = "A local Flink session cluster: 1 JobManager (web UI on 127.0.0.1:8081) and TaskManagers, "
                + "each its own JVM in the background; config and logs under .local/cluster/.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class})
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The checkout bin/salespulse runs from (its cluster module's target/lib is the cluster's class path). */
    static Path home() {
        return Path.of(System.getProperty("salespulse.home", ".")).toAbsolutePath().normalize();
    }

    static Path lib() {
        return home().resolve("cluster").resolve("target").resolve("lib");
    }

    /** The cluster laid out under {@code dir} by an earlier start (its ports from its config.yaml). */
    static LocalCluster existing(Path dir) throws java.io.IOException {
        return LocalCluster.existing(dir, lib());
    }

    static LocalCluster cluster(Path dir, int port, int taskManagers, int slots) {
        LocalCluster.Settings s = LocalCluster.Settings.defaults(dir, home().resolve("cluster").resolve("target").resolve("lib"));
        return new LocalCluster(s.withPorts(port, s.rpcPort()).withTaskManagers(taskManagers, slots));
    }

    static class DirOption {
        @Option(names = "--dir", defaultValue = "${sys:salespulse.home:-.}/.local/cluster",
                description = "Config, logs, pids, checkpoints and savepoints (default: ${DEFAULT-VALUE})")
        Path dir;
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the JobManager and the TaskManagers; returns once every TaskManager has registered.")
    static final class Start implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--taskmanagers", defaultValue = "2", description = "TaskManager JVMs (default: ${DEFAULT-VALUE})")
        int taskManagers;

        @Option(names = "--slots", defaultValue = "2", description = "Task slots per TaskManager (default: ${DEFAULT-VALUE})")
        int slots;

        @Option(names = "--port", defaultValue = "8081", description = "Web UI and REST port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--rpc-port", defaultValue = "6123", description = "JobManager RPC port (default: ${DEFAULT-VALUE})")
        int rpcPort;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (taskManagers < 1 || slots < 1) {
                throw new UserError("--taskmanagers and --slots must be at least 1", 2);
            }
            if (ClickHouse.listening("127.0.0.1", port)) {
                throw new UserError("port " + port + " is in use (a cluster already running? bin/salespulse cluster status);"
                        + " choose another with --port");
            }
            if (rpcPort == port || ClickHouse.listening("127.0.0.1", rpcPort)) {
                throw new UserError("port " + rpcPort + " (JobManager RPC) is in use; choose another with --rpc-port");
            }
            LocalCluster c = cluster(dir.dir, port, taskManagers, slots);
            c = new LocalCluster(c.settings().withPorts(port, rpcPort));
            if (!c.processes().isEmpty()) {
                throw new UserError("the cluster under " + c.settings().home() + " is running already: "
                        + c.processes() + " (bin/salespulse cluster stop)");
            }
            PrintWriter out = spec.commandLine().getOut();
            long t0 = System.nanoTime();
            try {
                c.start(Duration.ofSeconds(120));
            } catch (IllegalStateException e) {
                c.stop(Duration.ofSeconds(10));
                throw new UserError(e.getMessage());
            }
            out.printf("Flink cluster is running (%.0f s): %d TaskManagers x %d slots, web UI %s%n",
                    (System.nanoTime() - t0) / 1e9, taskManagers, slots, c.restUrl());
            c.processes().forEach((k, v) -> out.println("  " + k + " pid " + v));
            out.println("Config: " + c.confDir() + "   logs: " + c.logDir());
            out.println("Submit a job:  bin/salespulse flink run -d pipeline/target/salespulse-pipeline-0.1.0-SNAPSHOT-job.jar ...");
            out.println("Stop it:       bin/salespulse cluster stop");
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop every process of the cluster (SIGTERM, SIGKILL after 30 s). Running jobs end with it:"
                    + " stop them with a savepoint first (bin/salespulse flink stop --savepointPath ...).")
    static final class Stop implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LocalCluster c = existing(dir.dir);
            var stopped = c.stop(Duration.ofSeconds(30));
            spec.commandLine().getOut().println(stopped.isEmpty() ? "no cluster process was running under " + c.settings().home()
                    : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The cluster's processes, TaskManagers, slots and jobs; exit 0 when its JobManager answers, 1 when not.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            LocalCluster c = existing(dir.dir);
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Long> ps = c.processes();
            if (ps.isEmpty()) {
                out.println("no cluster process is running under " + c.settings().home());
                return 1;
            }
            ps.forEach((k, v) -> out.println(k + " pid " + v));
            Optional<String> overview = c.rest("/overview");
            if (overview.isEmpty()) {
                out.println("the JobManager does not answer on " + c.restUrl());
                return 1;
            }
            JsonNode o = Json.MAPPER.readTree(overview.get());
            out.printf("web UI %s: %d TaskManagers, %d of %d slots free, %d jobs running%n", c.restUrl(),
                    o.path("taskmanagers").asInt(), o.path("slots-available").asInt(), o.path("slots-total").asInt(),
                    o.path("jobs-running").asInt());
            Optional<String> jobs = c.rest("/jobs/overview");
            if (jobs.isPresent()) {
                for (JsonNode j : Json.MAPPER.readTree(jobs.get()).path("jobs")) {
                    out.printf("  %-10s %s  %s%n", j.path("state").asText(), j.path("jid").asText(), j.path("name").asText());
                }
            }
            return 0;
        }
    }
}

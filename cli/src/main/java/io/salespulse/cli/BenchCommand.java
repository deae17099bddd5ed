package io.salespulse.cli;

import io.salespulse.localstack.ChdbLibraryLocator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the benchmarks of the bench module (io.salespulse.bench.Bench) in a JVM of their own: the bench module
 * depends on the pipeline and the local stack like this CLI does, and a fresh JVM with its own heap keeps
 * the measurements free of the CLI's state.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Benchmark the pipeline on the local stack (Kafka broker in its own JVM, the ClickHouse engine,"
                + " Flink MiniCluster with RocksDB): throughput against a parse-only and an ingest baseline and a"
                + " scheduled-SQL-scan peer, alert latency (to the alerts topic, and through the notifier to WeCom),"
                + " state per customer and restore time, replay speed, a history import through the gateway, JMH micro"
                + " benchmarks.",
            "Prints one table and writes the same figures as JSON. Full size takes about 30 minutes on 2 cores;"
                + " --quick about 5."})
final class BenchCommand implements Callable<Integer> {
    static final String MAIN = "io.salespulse.bench.Bench";

    @Option(names = "--quick", description = "Laptop size: 200k events over 50k customers, 100k open customers, 8 weeks of replay")
    boolean quick;

    @Option(names = "--profile", description = "One extra JFR-profiled throughput run; top frames written next to the results")
    boolean profile;

    @Option(names = "--only", paramLabel = "SECTIONS",
            description = "Comma-separated subset of: throughput, latency, felt, state, replay, import, micro")
    String only;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "${sys:salespulse.home:-.}/.local/bench/results.json",
            description = "Where the JSON goes (default: ${DEFAULT-VALUE})")
    Path out;

    // The benchmark JVM is the job's TaskManager: the JIT as deploy/flink/config.yaml sets it for TaskManagers.
    @Option(names = "--java-opts", paramLabel = "OPTS", defaultValue = "-Xmx3g -XX:+UseG1GC -XX:-TieredCompilation",
            description = "JVM options of the benchmark JVM (default: ${DEFAULT-VALUE})")
    String javaOpts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path home = Paths.get(System.getProperty("salespulse.home", ".")).toAbsolutePath().normalize();
        Path jar = home.resolve("bench/target/salespulse-bench.jar");
        Path lib = home.resolve("bench/target/lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new UserError("the bench module is not built (" + jar + "); run: mvn -B -DskipTests package");
        }
        try {
            ChdbLibraryLocator.locate();
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage() + " (bin/install-chdb installs it)");
        }
        if (only != null) {
            for (String s : only.split(",")) {
                if (!List.of("throughput", "latency", "felt", "state", "replay", "import", "micro").contains(s)) {
                    throw new UserError("--only: unknown section '" + s + "'; use throughput, latency, felt, state,"
                            + " replay, import, micro", 2);
                }
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : javaOpts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-Dsalespulse.home=" + home);
        cmd.add("-cp");
        cmd.add(jar + java.io.File.pathSeparator + lib + "/*");
        cmd.add(MAIN);
        if (quick) {
            cmd.add("--quick");
        }
        if (profile) {
            cmd.add("--profile");
        }
        if (only != null) {
            cmd.add("--only");
            cmd.add(only);
        }
        cmd.add("--out");
        cmd.add(out.toAbsolutePath().toString());
        PrintWriter console = spec.commandLine().getOut();
        console.flush();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "bench-stop"));
        return p.waitFor();
    }
}

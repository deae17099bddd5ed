package io.salespulse.bench;

import io.salespulse.pipeline.config.Setting;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bin/salespulse bench [--quick]}: throughput, alert latency, state size, replay speed, history import and
 * micro benchmarks on the local stack, each with what it is judged against. Prints one table and writes the same
 * figures as JSON. Options: {@code --quick} (laptop size), {@code --out FILE} (default
 * .local/bench/results.json), {@code --profile} (one extra JFR-profiled throughput run, top frames written
 * next to the results), {@code --only a,b} (sections: throughput, latency, felt, state, replay, import, micro).
 */
public final class Bench {
    /** The sizes of one run. */
    /**
     * The sizes of one run.
     *
     * @param simulatorHeap heap of the JVM that writes the import's history file (the simulator holds all of it)
     */
    record Size(String name, long events, int customers, int runs, int latencyRate, Duration active1, Duration idle,
            Duration active2, Duration sla, int stateCustomers, int replayTenants, int replayWeeks, int importReps,
            int importWeeks, String simulatorHeap, int jmhForks, int jmhIterations, TimeValue jmhTime) {}

    static final Size FULL = new Size("full", 5_000_000, 1_000_000, 3, 2_000, Duration.ofSeconds(90),
            Duration.ofSeconds(20), Duration.ofSeconds(55), Duration.ofSeconds(20), 1_000_000, 5, 52, 1_000, 52,
            "-Xmx14g", 1, 3, TimeValue.seconds(2));
    static final Size QUICK = new Size("quick", 200_000, 50_000, 3, 2_000, Duration.ofSeconds(20),
            Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(20), 100_000, 1, 8, 100, 8, "-Xmx1g",
            1, 2, TimeValue.seconds(1));
    /** For the smoke test only: every figure, as fast as possible. */
    static final Size TINY = new Size("tiny", 2_000, 500, 1, 500, Duration.ofMillis(1500), Duration.ofMillis(1500),
            Duration.ofMillis(500), Duration.ofSeconds(2), 1_000, 1, 1, 20, 2, "-Xmx512m", 0, 1,
            TimeValue.milliseconds(20));

    private Bench() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        Size size = FULL;
        Path out = Path.of(System.getProperty("salespulse.home", "."), ".local", "bench", "results.json");
        boolean profile = false;
        int replayTenants = -1;
        int replayWeeks = -1;
        List<String> only = List.of("throughput", "latency", "felt", "state", "replay", "import", "micro");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> size = QUICK;
                case "--tiny" -> size = TINY;
                case "--profile" -> profile = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                case "--replay-tenants" -> replayTenants = Integer.parseInt(args[++i]);
                case "--replay-weeks" -> replayWeeks = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bin/salespulse bench [--quick] [--profile] [--only throughput,latency,"
                            + "felt,state,replay,import,micro] [--out FILE] [--replay-tenants N] [--replay-weeks W]");
                    return 0;
                }
                default -> {
                    System.err.println("error: unknown option " + args[i] + " (see --help)");
                    return 2;
                }
            }
        }
        Path work = out.toAbsolutePath().getParent().resolve("work");
        BenchStack.deleteTree(work);
        Results results = new Results();
        results.about("size", size.name());
        results.about("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / 1048576 + " MiB");
        results.about("load average at start", loadAverage());
        long started = System.nanoTime();
        Profiler profiler = profile ? new Profiler(out.toAbsolutePath().getParent().resolve("profile")) : null;
        try (BenchStack stack = BenchStack.start(work, size != TINY)) {
            if (only.contains("throughput")) {
                log("1/7 throughput: %,d events over %,d customers, %d runs", size.events(), size.customers(), size.runs());
                new Throughput(stack, size.events(), size.customers(), size.runs(), results, profiler).run();
            }
            if (only.contains("latency")) {
                Latency latency = new Latency(stack, size.latencyRate(), size.active1(), size.idle(), size.active2(),
                        size.sla(), results);
                log("2/7 latency: %,d events/s live, idle stretch of %d s, contact SLA %d s", size.latencyRate(),
                        size.idle().toSeconds(), size.sla().toSeconds());
                latency.run(new Latency.Variant("default", Map.of()));
                if (size != TINY) {
                    latency.run(new Latency.Variant("fast", fastSettings()));
                }
            }
            if (only.contains("felt")) {
                boolean tiny = size == TINY;
                Duration steady = tiny ? Duration.ofSeconds(8) : size == QUICK ? Duration.ofSeconds(60) : Duration.ofSeconds(180);
                Duration after = tiny ? Duration.ofSeconds(8) : Duration.ofSeconds(70);
                Duration every = tiny ? Duration.ofSeconds(2) : Duration.ofSeconds(4);
                Duration sla = tiny ? Duration.ofSeconds(3) : Duration.ofSeconds(20);
                log("3/7 felt: a customer every %d s through the gateway, the job and the notifier to the WeCom"
                        + " stand-in, %d s steady, then a restore", every.toSeconds(), steady.toSeconds());
                new FeltLatency(stack, steady, after, every, sla, results).run();
                if (size != TINY) {
                    log("3/7 felt, fast: the same with the latency section's fast settings");
                    new FeltLatency(stack, steady, after, every, sla, results, "fast", fastSettings()).run();
                    log("3/7 felt, instant: the same with the fast settings halved again");
                    new FeltLatency(stack, steady, after, every, sla, results, "instant", instantSettings()).run();
                }
            }
            if (only.contains("state")) {
                log("4/7 state: %,d open customers", size.stateCustomers());
                new StateSize(stack, size.stateCustomers(), results).run();
            }
            if (only.contains("replay")) {
                int tenants = replayTenants > 0 ? replayTenants : size.replayTenants();
                int weeks = replayWeeks > 0 ? replayWeeks : size.replayWeeks();
                log("5/7 replay: %d tenant(s) x %d weeks", tenants, weeks);
                new Replay(stack, tenants, weeks, results).run();
            }
            if (only.contains("import")) {
                log("6/7 import: %d reps x %d weeks through the gateway", size.importReps(), size.importWeeks());
                new HistoryImport(stack, size.importReps(), size.importWeeks(), size.simulatorHeap(), results).run();
            }
        }
        if (only.contains("micro")) {
            log("7/7 micro (JMH)");
            new Micro(size.jmhForks(), size.jmhIterations(), size.jmhTime(), results).run();
        }
        results.about("load average at end", loadAverage());
        results.about("wall time", String.format("%.0f s", (System.nanoTime() - started) / 1e9));
        results.about("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        System.out.println();
        results.print(System.out);
        results.write(out);
        System.out.println("\nwritten to " + out);
        return 0;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * Shorter checkpoint interval, out-of-orderness and drain check: lower latency for more checkpoints and checks;
     * the settings docs/configuration.md gives for alerts within a second.
     */
    static Map<Setting, String> fastSettings() {
        return latencySettings("500ms", "200ms", "100ms");
    }

    /**
     * The fast settings halved again: a checkpoint (and so a commit of the alerts topic) every 250 ms, 100 ms
     * out-of-orderness, a drain check every 50 ms; what going below the fast settings still buys.
     */
    static Map<Setting, String> instantSettings() {
        return latencySettings("250ms", "100ms", "50ms");
    }

    /** The three settings that decide alert latency: checkpoint interval, out-of-orderness, drain-check interval. */
    private static Map<Setting, String> latencySettings(String checkpoint, String outOfOrderness, String drainCheck) {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.CHECKPOINT_INTERVAL, checkpoint);
        s.put(Setting.WATERMARK_OUT_OF_ORDERNESS, outOfOrderness);
        s.put(Setting.WATERMARK_DRAIN_CHECK_INTERVAL, drainCheck);
        return s;
    }

    static void log(String format, Object... args) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + String.format(format, args));
    }

}

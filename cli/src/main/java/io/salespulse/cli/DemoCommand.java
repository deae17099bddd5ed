package io.salespulse.cli;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.producers.simulator.KafkaEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The embedded demo: a broker in this JVM, the ClickHouse engine as a child process, a simulated
 * history, and the monitor job in local mode, then a summary checked against the simulator's ground
 * truth. Everything it starts, it stops, also on Ctrl-C; the ClickHouse data stays for queries.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Run the whole pipeline on a simulated sales team and print what it found (a few minutes).")
final class DemoCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    /** Once the inputs are in, an alert count that has not moved for this long is final. */
    private static final Duration ALERTS_STABLE = Duration.ofSeconds(20);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    /** Marks a directory as the demo's own, so a mistyped --dir never wipes someone's data. */
    private static final String MARKER = ".salespulse-demo";

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the simulation (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--weeks", defaultValue = "3", description = "Weeks of simulated history (default: ${DEFAULT-VALUE})")
    int weeks;

    @Option(names = "--scenario", defaultValue = "small-team", converter = ScenarioOption.Converter.class,
            completionCandidates = ScenarioOption.Names.class,
            description = "Organisation to simulate: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Scenario scenario;

    @Option(names = "--dir", defaultValue = "${sys:salespulse.home:-.}/.local/demo",
            description = "Working directory, wiped at start; ClickHouse data stays in <dir>/clickhouse (default: ${DEFAULT-VALUE})")
    Path dir;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    /** What is running, newest last; closed in reverse order at the end or on Ctrl-C. */
    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        long started = System.nanoTime();
        Path home = dir.toAbsolutePath().normalize();
        SimulationSettings settings = SimulateCommand.demoSettings(scenario, seed, weeks, Instant.now());
        Thread stopOnCtrlC = new Thread(() -> {
            if (!running.isEmpty()) {
                System.out.println();
                System.out.println("interrupted: stopping the job, Kafka and the ClickHouse engine ...");
            }
            stopAll();
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
        try {
            prepare(home);
            out.println("SalesPulse demo: " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) of history up to "
                    + settings.end() + ", seed " + seed + "; working in " + home);

            LocalKafka kafka = step("starting Kafka (in-process broker)", () -> LocalKafka.start(home.resolve("kafka")));
            running.push(kafka);
            step("creating topics", () -> {
                ContractTopics.create(kafka, 3);
                return null;
            });
            LocalClickHouse clickhouse = step("starting the ClickHouse engine",
                    () -> LocalClickHouse.start(home.resolve("clickhouse")));
            running.push(clickhouse);
            step("applying migrations", () -> MigrateCommand.migrate(clickhouse.jdbcUrl(), "default", ""));

            SimulationSummary expected = step("simulating the history into Kafka", () -> {
                try (KafkaEventSink sink = new KafkaEventSink(kafka.bootstrapServers())) {
                    return new Simulator(settings).run(sink);
                }
            });
            out.println("  " + expected);
            step("loading the simulated outlets (customers and competitors) for the map", () -> {
                try (ClickHouse ch = ClickHouse.connect(clickhouse.jdbcUrl(), "default", "")) {
                    OutletsCommand.store(ch, expected.places().outlets(), "simulator", "simulated");
                }
                return null;
            });

            PipelineConfig config = config(kafka, clickhouse, home);
            JobClient job = step("starting the monitor job (Flink local mode, parallelism 2)", () -> {
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.getExecutionEnvironment(MonitorJob.flinkConfiguration(config));
                MonitorJob.fromConfig(config).build(env);
                return env.executeAsync(MonitorJob.NAME);
            });
            running.push(() -> cancel(job));

            boolean complete;
            boolean matches;
            try (ClickHouse ch = ClickHouse.connect(clickhouse.jdbcUrl(), "default", "")) {
                complete = awaitResults(job, ch, expected);
                // Stop with a savepoint: sinks flush and Kafka transactions commit before the job ends,
                // so everything the job computed is in ClickHouse when the report reads it.
                step("stopping the job with a savepoint", () -> job.stopWithSavepoint(false,
                        home.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS));
                running.pop();
                // After the job stopped, so customer_status is complete; the map's 明日拜访路线 reads these plans.
                var tomorrow = RoutesCommand.tomorrow();
                var plans = step("planning tomorrow's routes for the map (routes plan)",
                        () -> RoutesCommand.planAndStore(ch, settings.tenant(), tomorrow, RoutesCommand.DEFAULT_STOPS,
                                Instant.now()));
                RoutesCommand.print(out, settings.tenant(), tomorrow, plans);
                // The cash view (回款与现金流) reads the forecast rows; the ERP's past makes collections visible at once.
                var forecast = step("forecasting the cash flow for the cash view (cash forecast)",
                        () -> CashCommand.forecastAndStore(ch, settings.tenant(), Instant.now(), 3));
                CashCommand.print(out, settings.tenant(), forecast);
                CashCommand.printStatus(out, ch, settings.tenant(), 5);
                matches = new DemoReport(ch, expected, out).print();
            }
            out.println();
            out.println("Wall time: " + seconds(System.nanoTime() - started));
            out.println();
            printHowToQuery(home);
            stopAll();
            out.println("Stopped Kafka and the ClickHouse engine.");
            if (!matches) {
                out.println("The pipeline's results differ from the simulator's ground truth (see above): exit code 1.");
            }
            out.flush();
            // A mismatch is a failed run: scripts and CI can rely on the exit code.
            return complete && matches ? 0 : 1;
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnCtrlC);
            } catch (IllegalStateException ignored) {
                // already shutting down (Ctrl-C): the hook is doing the work
            }
        }
    }

    private PipelineConfig config(LocalKafka kafka, LocalClickHouse clickhouse, Path home) {
        Map<Setting, String> demo = new EnumMap<>(Setting.class);
        demo.put(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        demo.put(Setting.CLICKHOUSE_URL, clickhouse.jdbcUrl());
        demo.put(Setting.CLICKHOUSE_USER, "default");
        demo.put(Setting.CLICKHOUSE_PASSWORD, "");
        demo.put(Setting.CHECKPOINT_DIR, home.resolve("checkpoints").toUri().toString());
        demo.put(Setting.CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL.toSeconds() + "s");
        demo.put(Setting.PARALLELISM, "2");
        demo.put(Setting.RESTART_ATTEMPTS, "0");
        return PipelineConfig.load(new String[0], System.getenv()).with(demo);
    }

    /**
     * Waits until ClickHouse holds every valid stage card and visit and the alerts are complete: equal to
     * the simulator's expectation, or unchanged for {@link #ALERTS_STABLE}. False on timeout.
     */
    private boolean awaitResults(JobClient job, ClickHouse ch, SimulationSummary expected) throws Exception {
        boolean tty = System.console() != null;
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        long expectedAlerts = expected.expectedOverdueAlertIds().size();
        long lastAlerts = -1;
        long alertsChangedAt = start;
        long inputsCompleteAt = -1;
        long lastPrinted = 0;
        String line = "";
        while (true) {
            failIfStopped(job);
            long cards = ch.count("SELECT count() FROM salespulse.stage_events FINAL");
            long visits = ch.count("SELECT count() FROM salespulse.visits FINAL");
            long acks = ch.count("SELECT count() FROM salespulse.alert_acks FINAL");
            long alerts = ch.count("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'");
            long cash = ch.count("SELECT (SELECT count() FROM salespulse.contracts FINAL)"
                    + " + (SELECT count() FROM salespulse.invoices FINAL) + (SELECT count() FROM salespulse.payments FINAL)");
            long receivables = ch.count("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'receivable_overdue'");
            long now = System.nanoTime();
            if (alerts + receivables != lastAlerts) {
                lastAlerts = alerts + receivables;
                alertsChangedAt = now;
            }
            boolean inputsComplete = cards >= expected.stageCards() && visits >= expected.visits()
                    && cash >= expected.cash().records();
            if (inputsComplete && inputsCompleteAt < 0) {
                inputsCompleteAt = now;
            }
            line = String.format("  in ClickHouse: %d/%d stage cards, %d/%d visits, %d/%d acks; alerts %d/%d (%s)",
                    cards, expected.stageCards(), visits, expected.visits(), acks, expected.acks(), alerts,
                    expectedAlerts, seconds(now - start));
            if (tty) {
                out.print("\r" + line + "   ");
                out.flush();
            } else if (now - lastPrinted >= TimeUnit.SECONDS.toNanos(10)) {
                out.println(line);
                out.flush();
                lastPrinted = now;
            }
            if (inputsComplete && alerts == expectedAlerts
                    && receivables == expected.cash().expectedReceivableAlertIds().size()) {
                break;
            }
            if (inputsComplete && now - Math.max(alertsChangedAt, inputsCompleteAt) >= ALERTS_STABLE.toNanos()) {
                break;
            }
            if (now > deadline) {
                finish(tty, line);
                out.println("Timed out after " + TIMEOUT.toMinutes() + " minutes waiting for the pipeline: "
                        + (inputsComplete ? "the alerts did not settle" : "not every input event reached ClickHouse")
                        + ". The job's log is above; the summary below shows what did arrive.");
                return false;
            }
            Thread.sleep(1000);
        }
        finish(tty, line);
        return true;
    }

    private void finish(boolean tty, String lastLine) {
        if (tty) {
            out.println();
        } else {
            out.println(lastLine);
        }
        out.flush();
    }

    private static void failIfStopped(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            return;
        }
        String why = "";
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            why = ": " + SalesPulse.messageChain(e);
        }
        throw new UserError("the monitor job stopped (" + status + ")" + why);
    }

    private static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private void printHowToQuery(Path home) {
        Path chData = home.resolve("clickhouse");
        String shown = shownPath(chData);
        boolean defaultDir = shown.equals(".local/demo/clickhouse");
        out.println("Data stays queryable:");
        out.println("  bin/salespulse query \"SELECT status, count() FROM salespulse.customer_status FINAL GROUP BY status\""
                + (defaultDir ? "" : " --path " + shown));
        out.println("  bin/salespulse clickhouse --path " + shown + "    (then, in another terminal:)");
        out.println("  curl 'http://127.0.0.1:8123/' --data-binary "
                + "'SELECT severity, title FROM salespulse.alerts FINAL ORDER BY fired_at DESC LIMIT 5'");
    }

    /** Relative to the repository root when inside it, as the commands above are run from there. */
    private static String shownPath(Path p) {
        String root = System.getProperty("salespulse.home");
        if (root != null) {
            Path r = Path.of(root).toAbsolutePath().normalize();
            if (p.startsWith(r)) {
                return r.relativize(p).toString();
            }
        }
        return p.toString();
    }

    /** Wipes and re-creates the working directory, refusing one that has content but is not the demo's. */
    private static void prepare(Path home) throws IOException {
        if (Files.isDirectory(home)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(home)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(home.resolve(MARKER))) {
                throw new UserError(home + " exists and was not made by the demo (no " + MARKER
                        + " file in it); refusing to wipe it. Choose another --dir or remove it yourself.", 2);
            }
            try (Stream<Path> all = Files.walk(home)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } else if (Files.exists(home)) {
            throw new UserError(home + " is a file, not a directory; choose another --dir", 2);
        }
        Files.createDirectories(home);
        Files.writeString(home.resolve(MARKER), "Working directory of bin/salespulse demo; wiped on every run.\n");
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private <T> T step(String what, Step<T> action) throws Exception {
        out.print(what + " ... ");
        out.flush();
        long t = System.nanoTime();
        T result = action.run();
        out.println("done (" + seconds(System.nanoTime() - t) + ")");
        out.flush();
        return result;
    }

    /** Idempotent; runs from the normal path and from the Ctrl-C hook, whichever comes first. */
    private synchronized void stopAll() {
        while (!running.isEmpty()) {
            AutoCloseable c = running.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("warning: while stopping: " + SalesPulse.messageChain(e));
            }
        }
    }

    static String seconds(long nanos) {
        long s = Math.round(nanos / 1e9);
        if (s < 60) {
            return String.format("%.1f s", nanos / 1e9);
        }
        return String.format("%d min %02d s", s / 60, s % 60);
    }
}

package io.salespulse.cli;

import io.salespulse.contract.Durations;
import io.salespulse.producers.simulator.EventSink;
import io.salespulse.producers.simulator.GatewayEventSink;
import io.salespulse.producers.simulator.HistoryMode;
import io.salespulse.producers.simulator.KafkaEventSink;
import io.salespulse.producers.simulator.LoadGenerator;
import io.salespulse.producers.simulator.RetractionTable;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSpeed;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Sends a simulated sales history (or raw load) to Kafka or to the ingest gateway; deterministic for the same options. */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Send a simulated sales team's history (stage cards, visits, acks, bad records) to Kafka or to",
            "the ingest gateway, with injected events whose ground truth is written next to the run."},
        footer = {"", "Injections (repeatable --inject; times: ISO instant, a date in Asia/Shanghai, or day+N from the start):",
            "  conversion-drop:region=hz-west,from=day+10,rate=0.45",
            "  policy-rollout:at=day+10,region=hz-west,description=summer promotion",
            "  repeated-objection:rep=r-003,tag=price_high,at=day+4,times=3",
            "  malformed-burst:at=day+12,count=50",
            "",
            "Field traffic (off by default): records are sent in the order they arrive and stamped with their arrival",
            "(Kafka timestamp); offline reps' records arrive in one burst when the phone reconnects, retried records",
            "arrive again later with the same event_id. With --speed realtime they are posted when they arrive.",
            "  simulate --offline-reps --retry-rate --grace 15m --ground-truth gt.json",
            "  simulate --retraction-table 0s,5m,15m,30m,1h,2h,4h --scenario fmcg-distributor --weeks 8 --last-minute 0.25",
            "  simulate --tenant newco --history-file history.jsonl --ground-truth gt.json   (for bin/salespulse import)",
            "",
            "The history (every record whose arrival time has passed when it is sent: all of it with --end now) goes as an",
            "import session of the tenant, like bin/salespulse import: the jobs hold its customers until it is complete and",
            "then decide it once (alerts about the past with origin=history). Later records are sent live."})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same options give the same records (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--weeks", defaultValue = "3", description = "Weeks of history to generate (default: ${DEFAULT-VALUE})")
    int weeks;

    @Option(names = "--scenario", defaultValue = "small-team", converter = ScenarioOption.Converter.class,
            completionCandidates = ScenarioOption.Names.class,
            description = "Organisation to simulate: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Scenario scenario;

    @Option(names = "--reps", defaultValue = "0", paramLabel = "<n>",
            description = "A larger synthetic tenant of this many reps (about 5 a team, 24 new customers a rep every "
                    + "three weeks) instead of the scenario's size; 0 = the scenario's (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--end", defaultValue = "now",
            description = "When the history ends: now, or an ISO instant like 2026-11-20T10:00:00Z (default: ${DEFAULT-VALUE})")
    String end;

    @Option(names = "--inject", paramLabel = "<kind:key=value,...>",
            description = "Plant an event with known ground truth (repeatable; see below)")
    List<String> injections = new ArrayList<>();

    @Option(names = "--ground-truth", paramLabel = "<file>",
            description = "Write the ground truth (JSON) here: the injections' findings and the expected alerts, retractions, "
                    + "statuses and counts (default with --inject: ground-truth.json)")
    Path groundTruth;

    @Option(names = "--tenant", defaultValue = "weijiang", description = "Tenant of the records (default: ${DEFAULT-VALUE})")
    String tenant;

    @Option(names = "--offline-reps", arity = "0..1", defaultValue = "0", fallbackValue = "0.15", paramLabel = "<share>",
            description = "Share of reps whose phones go offline 1-3 times a week (median 2 h, at most 24 h); their "
                    + "records are uploaded in one burst when the spell ends (alone: ${FALLBACK-VALUE}; default: off)")
    double offlineReps;

    @Option(names = "--retry-rate", arity = "0..1", defaultValue = "0", fallbackValue = "0.02", paramLabel = "<share>",
            description = "Share of field records the app sends again, seconds to three weeks later, same event_id "
                    + "(alone: ${FALLBACK-VALUE}; default: off)")
    double retryRate;

    @Option(names = "--last-minute", defaultValue = "0", paramLabel = "<share>",
            description = "Share of on-time next cards filed in the last 12 h before their due time (default: ${DEFAULT-VALUE})")
    double lastMinute;

    @Option(names = "--grace", defaultValue = "0s", paramLabel = "<duration>",
            description = "The offline_grace the ground truth assumes; changes no record (default: ${DEFAULT-VALUE})")
    String grace;

    @Option(names = "--erp-history-months", defaultValue = "0", paramLabel = "<months>",
            description = {"Months of the ERP's contracts, invoices and payments before the window (0 to 24; the demo",
                "uses " + DEMO_ERP_HISTORY_MONTHS + "): collections and overdue receivables from the first day (default: ${DEFAULT-VALUE})"})
    int erpHistoryMonths;

    @Option(names = "--history-file", paramLabel = "<file.jsonl>",
            description = "Write the history as a history-import file (one event per line) instead of sending it; "
                    + "the ground truth is then that of importing it at the history's end")
    Path historyFile;

    @Option(names = "--retraction-table", paramLabel = "<graces>", split = ",",
            description = "Print, per grace (e.g. 0s,15m,1h), the overdue alerts emitted on the field traffic, how many "
                    + "are later retracted, and how late alerts come; sends nothing (field traffic on by default)")
    List<String> retractionTable;

    @Option(names = "--to", defaultValue = "kafka", description = "Where to send: kafka or gateway (default: ${DEFAULT-VALUE})")
    String to;

    @Option(names = "--speed", defaultValue = "accelerated",
            description = "accelerated (as fast as possible), realtime (each record when it arrives: its occurred_at "
                    + "unless field traffic is on), or a factor like 3600 (one simulated hour per second) (default: "
                    + "${DEFAULT-VALUE})")
    String speed;

    @Option(names = "--load", paramLabel = "<events>",
            description = "Raw load mode: send this many valid events at maximum rate instead of a history")
    Long load;

    @Option(names = "--customers", defaultValue = "1000", description = "Customers of the raw load mode (default: ${DEFAULT-VALUE})")
    int customers;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:SALESPULSE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}; env SALESPULSE_KAFKA_BOOTSTRAP)")
    String kafkaBootstrap;

    @Option(names = "--gateway-url", defaultValue = "${env:SALESPULSE_GATEWAY_URL:-http://127.0.0.1:8080}",
            description = "Ingest gateway for --to gateway (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_URL)")
    String gatewayUrl;

    @Option(names = "--gateway-token", defaultValue = "${env:SALESPULSE_GATEWAY_TOKEN}",
            description = "The tenant's token for --to gateway (env SALESPULSE_GATEWAY_TOKEN; prefer the environment)")
    String gatewayToken;

    @Option(names = "--batch", defaultValue = "200", description = "Events per gateway request (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--no-progress", description = "Do not draw the progress bar on stderr")
    boolean noProgress;

    @Option(names = "--no-import-session",
            description = "Send the history (the records whose arrival time has passed) as plain live records stamped "
                    + "with their arrival, without an import session: for testing how the jobs handle an unannounced "
                    + "history (a running job takes it for late uploads: alerts, then retractions)")
    boolean noImportSession;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SimulationSpeed pace = parseSpeed(speed);
        boolean toGateway = switch (to.toLowerCase(Locale.ROOT)) {
            case "kafka" -> false;
            case "gateway" -> true;
            default -> throw new UserError("--to must be kafka or gateway, got '" + to + "'", 2);
        };
        if (toGateway && (gatewayToken == null || gatewayToken.isBlank())) {
            throw new UserError("--to gateway needs the tenant's token: set SALESPULSE_GATEWAY_TOKEN (or --gateway-token)", 2);
        }
        String target = toGateway ? "gateway " + gatewayUrl : "Kafka " + kafkaBootstrap;
        ProgressBar progress = new ProgressBar(noProgress ? null : System.err);

        if (load != null) {
            if (load < 1 || customers < 1) {
                throw new UserError("--load and --customers must be at least 1", 2);
            }
            LoadGenerator generator = new LoadGenerator("weijiang", load, customers, seed, parseEnd(end));
            out.println("Raw load: " + load + " events over " + customers + " customers, seed " + seed + " -> " + target);
            out.flush();
            long started = System.nanoTime();
            LoadGenerator.LoadSummary summary;
            try (EventSink sink = sink(toGateway)) {
                summary = generator.run(pace.pace(sink), progress);
            }
            progress.done();
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("%s in %.1f s (%.0f events/s)%n", summary, seconds, summary.events() / seconds);
            return 0;
        }

        if (retractionTable != null) {
            return printRetractionTable(out);
        }
        SimulationSettings settings = settings(offlineReps, retryRate);
        SimulationSummary summary;
        if (historyFile != null) {
            summary = writeHistory(settings, out);
        } else {
            out.println("Simulating " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) up to " + settings.end()
                    + ", seed " + seed + (settings.fieldTraffic() ? ", field traffic (offline reps " + offlineReps
                    + ", retries " + retryRate + ")" : "") + " -> " + target + (noImportSession
                    ? " (history as plain records)" : " (history as an import session)"));
            out.flush();
            EventSink sink = sink(toGateway);
            try (sink) {
                summary = new Simulator(settings).run(pace.pace(sink, settings.start()), progress,
                        noImportSession ? HistoryMode.PLAIN : HistoryMode.IMPORT_SESSION);
            }
            progress.done();
            out.println(summary);
            if (sink instanceof GatewayEventSink g) {
                out.println("gateway: " + g.accepted() + " events accepted in " + g.requests() + " requests; refused "
                        + g.rejected() + " (the simulator's malformed records)");
            }
        }
        if (!settings.injections().isEmpty() || groundTruth != null) {
            Path file = groundTruth != null ? groundTruth : Path.of("ground-truth.json");
            summary.writeGroundTruth(file);
            out.println("ground truth (" + settings.injections().size() + " injection(s), "
                    + summary.expectedOverdueAlertIds().size() + " alerts with grace "
                    + Durations.format(settings.offlineGrace()) + ") written to " + file);
        }
        return 0;
    }

    private SimulationSummary writeHistory(SimulationSettings settings, PrintWriter out) throws IOException {
        if (settings.fieldTraffic()) {
            throw new UserError("--history-file writes a history without arrival times: leave out --offline-reps and "
                    + "--retry-rate", 2);
        }
        out.println("Writing " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) up to " + settings.end()
                + ", seed " + seed + ", tenant " + settings.tenant() + " as a history import to " + historyFile);
        out.flush();
        Path parent = historyFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        SimulationSummary summary;
        try (Writer w = Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8)) {
            summary = new Simulator(settings).writeHistory(w, settings.end());
        }
        out.println(summary + " (as imported, all arriving at " + settings.end() + ")");
        return summary;
    }

    /** The retraction table: the same field traffic, the ground truth once per grace. */
    private int printRetractionTable(PrintWriter out) {
        List<Duration> graces = new ArrayList<>();
        for (String g : retractionTable) {
            graces.add(duration("--retraction-table", g));
        }
        boolean defaults = offlineReps == 0 && retryRate == 0;
        SimulationSettings settings = defaults
                ? settings(SimulationSettings.DEFAULT_OFFLINE_REPS, SimulationSettings.DEFAULT_RETRY_RATE)
                : settings(offlineReps, retryRate);
        out.println("Retractions against grace: " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) up to "
                + settings.end() + ", seed " + seed + ", offline reps " + settings.offlineReps() + ", retries "
                + settings.retryRate() + ", last-minute cards " + settings.lastMinuteShare()
                + (defaults ? " (field traffic defaults)" : ""));
        List<List<String>> rows = new ArrayList<>();
        for (RetractionTable.Row r : RetractionTable.compute(settings, graces)) {
            rows.add(List.of(Durations.format(r.grace()), Long.toString(r.emitted()), Long.toString(r.retracted()),
                    String.format(Locale.ROOT, "%.2f %%", 100 * r.rate()),
                    human(r.medianDelay()) + " / " + human(r.p95Delay()), human(r.medianShownFor())));
        }
        TablePrinter.print(new ClickHouse.Table(List.of("grace", "alerts emitted", "later retracted", "retraction rate",
                "alert after due (median / p95)", "retracted alert stood (median)"), rows), out);
        return 0;
    }

    /** The settings of this command line, with this field traffic. */
    private SimulationSettings settings(double offline, double retries) {
        return build(builder(scenario, reps, seed, weeks, parseEnd(end), injections).tenant(tenant)
                .offlineReps(offline).retryRate(retries).lastMinuteShare(lastMinute)
                .offlineGrace(duration("--grace", grace)).erpHistoryMonths(erpHistoryMonths));
    }

    private static Duration duration(String flag, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UserError(flag + ": " + e.getMessage(), 2);
        }
    }

    /** 2h05m, 12m30s, 40s: enough for people comparing delays. */
    static String human(Duration d) {
        long h = d.toHours();
        if (h > 0) {
            return String.format(Locale.ROOT, "%dh%02dm", h, d.toMinutesPart());
        }
        return d.toMinutesPart() > 0 ? String.format(Locale.ROOT, "%dm%02ds", d.toMinutesPart(), d.toSecondsPart())
                : d.toSecondsPart() + "s";
    }

    private EventSink sink(boolean toGateway) {
        if (!toGateway) {
            return new KafkaEventSink(kafkaBootstrap);
        }
        try {
            return new GatewayEventSink(gatewayUrl, gatewayToken, batch);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        }
    }

    static SimulationSettings settings(Scenario scenario, long seed, int weeks, Instant end) {
        return settings(scenario, seed, weeks, end, List.of());
    }

    /** The ERP's past the demo simulates: a year of accounts, so the cash view has collections from the start. */
    static final int DEMO_ERP_HISTORY_MONTHS = 12;

    /** The demo's history: the field's weeks and the ERP's {@link #DEMO_ERP_HISTORY_MONTHS} months before them. */
    static SimulationSettings demoSettings(Scenario scenario, long seed, int weeks, Instant end) {
        return build(builder(scenario, 0, seed, weeks, end, List.of()).erpHistoryMonths(DEMO_ERP_HISTORY_MONTHS));
    }

    static SimulationSettings settings(Scenario scenario, long seed, int weeks, Instant end, List<String> injections) {
        return settings(scenario, 0, seed, weeks, end, injections);
    }

    static SimulationSettings settings(Scenario scenario, int reps, long seed, int weeks, Instant end,
            List<String> injections) {
        return build(builder(scenario, reps, seed, weeks, end, injections));
    }

    private static SimulationSettings.Builder builder(Scenario scenario, int reps, long seed, int weeks, Instant end,
            List<String> injections) {
        if (weeks < 1 || weeks > 52) {
            throw new UserError("--weeks must be between 1 and 52, got " + weeks, 2);
        }
        try {
            SimulationSettings.Builder b = SimulationSettings.builder()
                    .scenario(scenario)
                    .reps(reps)
                    .seed(seed)
                    .duration(Duration.ofDays(7L * weeks))
                    .end(end);
            for (String i : injections) {
                b.inject(i);
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new UserError("--inject: " + e.getMessage(), 2);
        }
    }

    /** Builds the settings; a bad one is a usage error naming its flag. */
    private static SimulationSettings build(SimulationSettings.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String flag = m.contains("'reps'") ? "--reps" : m.contains("'tenant'") ? "--tenant"
                    : m.contains("'offlineReps'") ? "--offline-reps" : m.contains("'retryRate'") ? "--retry-rate"
                    : m.contains("'lastMinuteShare'") ? "--last-minute" : m.contains("'offlineGrace'") ? "--grace"
                    : m.contains("'erpHistoryMonths'") ? "--erp-history-months" : "--inject";
            throw new UserError(flag + ": " + m, 2);
        }
    }

    static SimulationSpeed parseSpeed(String value) {
        try {
            return SimulationSpeed.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UserError("--" + e.getMessage(), 2);
        }
    }

    static Instant parseEnd(String value) {
        if (value.equalsIgnoreCase("now")) {
            return Instant.now();
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new UserError("--end must be 'now' or an ISO instant like 2026-11-20T10:00:00Z, got '" + value + "'", 2);
        }
    }
}

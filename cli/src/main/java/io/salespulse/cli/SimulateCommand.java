package io.salespulse.cli;

import io.salespulse.producers.simulator.EventSink;
import io.salespulse.producers.simulator.GatewayEventSink;
import io.salespulse.producers.simulator.KafkaEventSink;
import io.salespulse.producers.simulator.LoadGenerator;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSpeed;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.io.PrintWriter;
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
            "  malformed-burst:at=day+12,count=50"})
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
            description = "Write the injections' ground truth (JSON) here (default with --inject: ground-truth.json)")
    Path groundTruth;

    @Option(names = "--to", defaultValue = "kafka", description = "Where to send: kafka or gateway (default: ${DEFAULT-VALUE})")
    String to;

    @Option(names = "--speed", defaultValue = "accelerated",
            description = "accelerated (as fast as possible), realtime (each record at its occurred_at), or a factor "
                    + "like 3600 (one simulated hour per second) (default: ${DEFAULT-VALUE})")
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

        SimulationSettings settings = settings(scenario, reps, seed, weeks, parseEnd(end), injections);
        out.println("Simulating " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) up to " + settings.end()
                + ", seed " + seed + " -> " + target);
        out.flush();
        SimulationSummary summary;
        EventSink sink = sink(toGateway);
        try (sink) {
            summary = new Simulator(settings).run(pace.pace(sink), progress);
        }
        progress.done();
        out.println(summary);
        if (sink instanceof GatewayEventSink g) {
            out.println("gateway: " + g.accepted() + " events accepted in " + g.requests() + " requests; refused "
                    + g.rejected() + " (the simulator's malformed records)");
        }
        if (!settings.injections().isEmpty() || groundTruth != null) {
            Path file = groundTruth != null ? groundTruth : Path.of("ground-truth.json");
            summary.groundTruth().writeTo(file);
            out.println("ground truth of " + settings.injections().size() + " injection(s) written to " + file);
        }
        return 0;
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

    static SimulationSettings settings(Scenario scenario, long seed, int weeks, Instant end, List<String> injections) {
        return settings(scenario, 0, seed, weeks, end, injections);
    }

    static SimulationSettings settings(Scenario scenario, int reps, long seed, int weeks, Instant end,
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
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UserError((e.getMessage().contains("'reps'") ? "--reps: " : "--inject: ") + e.getMessage(), 2);
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

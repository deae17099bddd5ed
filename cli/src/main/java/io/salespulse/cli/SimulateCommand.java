package io.salespulse.cli;

import io.salespulse.producers.simulator.KafkaEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Sends a simulated sales history into Kafka (deterministic for the same options). */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Send a simulated sales team's history (stage cards, visits, acks, bad records) to Kafka.")
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same options give the same records (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--weeks", defaultValue = "3", description = "Weeks of history to generate (default: ${DEFAULT-VALUE})")
    int weeks;

    @Option(names = "--scenario", defaultValue = "small-team", converter = ScenarioOption.Converter.class,
            completionCandidates = ScenarioOption.Names.class,
            description = "Organisation to simulate: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Scenario scenario;

    @Option(names = "--end", defaultValue = "now",
            description = "When the history ends: now, or an ISO instant like 2026-11-20T10:00:00Z (default: ${DEFAULT-VALUE})")
    String end;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:SALESPULSE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}; env SALESPULSE_KAFKA_BOOTSTRAP)")
    String kafkaBootstrap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SimulationSettings settings = settings(scenario, seed, weeks, parseEnd(end));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Simulating " + ScenarioOption.name(scenario) + ", " + weeks + " week(s) up to " + settings.end()
                + ", seed " + seed + " -> Kafka " + kafkaBootstrap);
        out.flush();
        SimulationSummary summary;
        try (KafkaEventSink sink = new KafkaEventSink(kafkaBootstrap)) {
            summary = new Simulator(settings).run(sink);
        }
        out.println(summary);
        return 0;
    }

    static SimulationSettings settings(Scenario scenario, long seed, int weeks, Instant end) {
        if (weeks < 1 || weeks > 52) {
            throw new UserError("--weeks must be between 1 and 52, got " + weeks, 2);
        }
        return SimulationSettings.builder()
                .scenario(scenario)
                .seed(seed)
                .duration(Duration.ofDays(7L * weeks))
                .end(end)
                .build();
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

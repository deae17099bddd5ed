package io.salespulse.bench;

import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.Topics;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.producers.simulator.LoadGenerator;
import java.time.Duration;
import java.time.Instant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** JMH: the contract parser on the raw load's records (a needs card and a visit), and the source's deserializer. */
@State(Scope.Thread)
public class ParserBenchmark {
    private EventParser parser;
    private ContractDeserializer deserializer;
    private byte[] card;
    private byte[] visit;
    private long cardTimestamp;
    private long visitTimestamp;

    @Setup
    public void setup() {
        LoadGenerator load = new LoadGenerator("bench", 1_000, 100, 42, Instant.parse("2026-11-01T00:00:00Z"));
        LoadGenerator.LoadEvent v = load.event(0); // round 0: visits
        LoadGenerator.LoadEvent c = load.event(200); // round 2: needs cards
        if (!v.topic().equals(Topics.VISITS) || !c.topic().equals(Topics.STAGES)) {
            throw new IllegalStateException("the load generator's rounds changed");
        }
        visit = v.value();
        visitTimestamp = v.timestampMillis();
        card = c.value();
        cardTimestamp = c.timestampMillis();
        parser = new EventParser(Duration.ofHours(1));
        deserializer = new ContractDeserializer(Topics.STAGES, Topics.VISITS, Topics.ACKS, Duration.ofHours(1));
    }

    @Benchmark
    public StageEvent parseStageCard() throws InvalidEventException {
        return parser.parseStage(card, cardTimestamp);
    }

    @Benchmark
    public VisitEvent parseVisit() throws InvalidEventException {
        return parser.parseVisit(visit, visitTimestamp);
    }

    @Benchmark
    public InputRecord deserializeStageCard() {
        return deserializer.parse(Topics.STAGES, 0, 0, null, card, cardTimestamp);
    }
}

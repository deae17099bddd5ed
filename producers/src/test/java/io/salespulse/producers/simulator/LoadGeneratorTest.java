package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.EventParser;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
    private static final Instant END = Instant.parse("2026-02-06T10:00:00Z");

    @Test
    void nEventsOverMCustomersAllValidAndDeterministic() throws Exception {
        InMemoryEventSink sink = new InMemoryEventSink();
        long[] progress = new long[2];
        LoadGenerator.LoadSummary summary = new LoadGenerator("weijiang", 1200, 50, 7, END)
                .run(sink, (sent, total) -> {
                    progress[0] = sent;
                    progress[1] = total;
                });

        assertThat(sink.records()).hasSize(1200);
        assertThat(progress).containsExactly(1200, 1200);
        assertThat(summary.stageCards() + summary.visits()).isEqualTo(1200);
        EventParser parser = new EventParser();
        Set<String> customers = new HashSet<>();
        Set<String> eventIds = new HashSet<>();
        long previous = Long.MIN_VALUE;
        for (SentRecord r : sink.records()) {
            String id = r.topic().equals(Topics.STAGES) ? parser.parseStage(r.value(), r.timestampMillis()).eventId
                    : parser.parseVisit(r.value(), r.timestampMillis()).eventId;
            assertThat(eventIds.add(id)).isTrue();
            customers.add(r.key());
            assertThat(r.timestampMillis()).isGreaterThan(previous).isLessThanOrEqualTo(END.toEpochMilli());
            previous = r.timestampMillis();
        }
        assertThat(customers).hasSize(50);

        InMemoryEventSink again = new InMemoryEventSink();
        new LoadGenerator("weijiang", 1200, 50, 7, END).run(again, (s, t) -> { });
        assertThat(again.records()).containsExactlyElementsOf(sink.records());
    }
}

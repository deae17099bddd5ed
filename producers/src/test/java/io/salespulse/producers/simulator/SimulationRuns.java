package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Runs simulations into memory and sorts what was sent into valid, malformed and duplicate records. */
final class SimulationRuns {
    /** Friday 2026-02-06 18:00 in Hangzhou. */
    static final Instant END = Instant.parse("2026-02-06T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(SimulationSettings settings, SimulationSummary summary, List<SentRecord> sent,
            List<Valid> valid, List<SentRecord> malformed, List<SentRecord> duplicates) {}

    /** A valid record with its parsed value. */
    record Valid(SentRecord record, JsonNode json) {
        String topic() {
            return record.topic();
        }

        String text(String field) {
            return json.path(field).asText(null);
        }

        Instant occurredAt() {
            return java.time.OffsetDateTime.parse(text("occurred_at")).toInstant();
        }
    }

    private SimulationRuns() {}

    static SimulationSettings.Builder smallTeam() {
        return SimulationSettings.builder().end(END);
    }

    static Run run(SimulationSettings settings) throws Exception {
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary summary = new Simulator(settings).run(sink);
        List<Valid> valid = new ArrayList<>();
        List<SentRecord> malformed = new ArrayList<>();
        List<SentRecord> duplicates = new ArrayList<>();
        Set<SentRecord> seen = new HashSet<>();
        for (SentRecord r : sink.records()) {
            if (!seen.add(r)) {
                duplicates.add(r);
                continue;
            }
            JsonNode json;
            try {
                json = JSON.readTree(r.value());
            } catch (Exception notJson) {
                malformed.add(r);
                continue;
            }
            // The simulator marks the event ids of its broken records with "m-" (see Simulator).
            if (json == null || !json.isObject() || json.path("event_id").asText("").startsWith("m-")) {
                malformed.add(r);
            } else {
                valid.add(new Valid(r, json));
            }
        }
        return new Run(settings, summary, sink.records(), valid, malformed, duplicates);
    }
}

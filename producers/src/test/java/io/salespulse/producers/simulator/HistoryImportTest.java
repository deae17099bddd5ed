package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new tenant's history as an import file, and the ground truth of importing it. */
class HistoryImportTest {

    @TempDir
    Path tmp;

    @Test
    void theFileHoldsEachValidEventOnceAndTheBurstAskedFor() throws Exception {
        SimulationSettings settings = SimulationRuns.smallTeam().tenant("newco")
                .inject("malformed-burst:at=day+5,count=7").build();
        StringWriter file = new StringWriter();
        SimulationSummary imported = new Simulator(settings).writeHistory(file, settings.end());
        SimulationRuns.Run live = SimulationRuns.run(settings);

        List<String> lines = file.toString().lines().toList();
        // History files hold the field's records only, not lead to cash.
        assertThat(lines).hasSize((int) (live.valid().stream().filter(v -> !v.topic().equals(Topics.CASH)).count() + 7));
        Map<String, Long> kinds = new TreeMap<>();
        Set<String> ids = new HashSet<>();
        long unreadable = 0;
        for (String line : lines) {
            JsonNode n;
            try {
                n = SimulationRuns.JSON.readTree(line);
            } catch (Exception notJson) {
                unreadable++;
                continue;
            }
            // The importer's rule: stage -> card, alert_id -> ack, otherwise a visit.
            String topic = n.has("stage") ? Topics.STAGES : n.has("alert_id") ? Topics.ACKS : Topics.VISITS;
            Arrival a = Arrival.parse(topic, line.getBytes(StandardCharsets.UTF_8), settings.end());
            if (a == null) {
                unreadable++;
                continue;
            }
            assertThat(n.has("import_id")).isFalse();
            assertThat(ids.add(a.eventId())).as("once: %s", line).isTrue();
            kinds.merge(a.kind().label(), 1L, Long::sum);
        }
        assertThat(unreadable).isEqualTo(7);
        assertThat(kinds).containsEntry("stage_cards", live.summary().stageCards())
                .containsEntry("visits", live.summary().visits()).containsEntry("acks", live.summary().acks());
        assertThat(imported.expected().distinctEventIds()).isEqualTo(live.summary().expected().distinctEventIds());
        assertThat(imported.malformed()).isEqualTo(7);
        assertThat(imported.duplicates()).isZero();
    }

    @Test
    void importingGivesTheLiveAlertsAllAtOnceWithoutRetractionsOldOnesAsHistory() throws Exception {
        SimulationSettings settings = SimulationRuns.smallTeam().tenant("newco").build();
        Instant completed = settings.end();
        SimulationSummary imported = new Simulator(settings).writeHistory(new StringWriter(), completed);
        SimulationSummary live = SimulationRuns.run(settings).summary();

        ExpectedOutcomes truth = imported.expected();
        assertThat(truth.alertIds()).isNotEmpty().isEqualTo(live.expectedOverdueAlertIds());
        assertThat(truth.customers()).isEqualTo(live.expected().customers());
        assertThat(truth.retractions()).isEmpty();
        for (ExpectedAlert a : truth.alerts()) {
            assertThat(a.emittedAt()).isEqualTo(completed);
            assertThat(a.origin()).isEqualTo(a.firedAt().isBefore(completed.minus(OverdueOracle.HISTORY_AGE))
                    ? "history" : "live");
        }
        assertThat(truth.alerts()).extracting(ExpectedAlert::origin).contains("history", "live");
    }

    @Test
    void aHistoryHasNoArrivalTimes() {
        SimulationSettings settings = SimulationRuns.smallTeam().offlineReps(0.15).build();
        assertThatThrownBy(() -> new Simulator(settings).writeHistory(new StringWriter(), settings.end()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGroundTruthFileKeepsItsFieldsAndAddsTheOverdueOutcomes() throws Exception {
        SimulationRuns.Run run = SimulationRuns.run(SimulationRuns.smallTeam().offlineReps(0.3).build());
        Path file = tmp.resolve("out/ground-truth.json");
        run.summary().writeGroundTruth(file);

        JsonNode root = SimulationRuns.JSON.readTree(Files.readString(file));
        assertThat(root.has("conversion_drops") && root.has("policy_rollouts") && root.has("repeated_objections")
                && root.has("malformed_bursts")).isTrue();
        JsonNode overdue = root.get("overdue");
        assertThat(overdue.get("grace").asText()).isEqualTo("PT0S");
        assertThat(overdue.get("alerts")).hasSize(run.summary().expectedOverdueAlertIds().size());
        assertThat(overdue.get("alerts").get(0).get("origin").asText()).isEqualTo("live");
        assertThat(overdue.get("retractions")).hasSize(run.summary().expected().retractions().size());
        assertThat(overdue.get("customers")).hasSize(run.summary().expected().customers().size());
        assertThat(overdue.get("customers_by_status").get("overdue").asLong())
                .isEqualTo(run.summary().customersByExpectedStatus().get("overdue"));
        assertThat(overdue.get("distinct_event_ids").get("stage_cards").asLong()).isEqualTo(run.summary().stageCards());
    }
}

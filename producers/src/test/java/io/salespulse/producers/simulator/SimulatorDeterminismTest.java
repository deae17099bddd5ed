package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorDeterminismTest {

    @Test
    void sameSettingsGiveIdenticalRecords() throws Exception {
        SimulationSettings settings = SimulationRuns.smallTeam().seed(7).build();
        SimulationRuns.Run first = SimulationRuns.run(settings);
        SimulationRuns.Run second = SimulationRuns.run(settings);

        assertThat(first.sent()).isNotEmpty();
        assertThat(second.sent()).containsExactlyElementsOf(first.sent());
        assertThat(second.summary()).isEqualTo(first.summary());
    }

    @Test
    void anotherSeedGivesAnotherHistory() throws Exception {
        List<SentRecord> a = SimulationRuns.run(SimulationRuns.smallTeam().seed(1).build()).sent();
        List<SentRecord> b = SimulationRuns.run(SimulationRuns.smallTeam().seed(2).build()).sent();

        assertThat(b).isNotEqualTo(a);
        assertThat(b.get(0).valueAsText()).isNotEqualTo(a.get(0).valueAsText());
    }

    @Test
    void otherSettingsNeverReuseEventIds() throws Exception {
        SimulationRuns.Run a = SimulationRuns.run(SimulationRuns.smallTeam().duration(Duration.ofDays(2)).build());
        SimulationRuns.Run b = SimulationRuns.run(SimulationRuns.smallTeam().duration(Duration.ofDays(2))
                .end(SimulationRuns.END.plusSeconds(3600)).build());

        assertThat(b.valid().stream().map(v -> v.text("event_id")))
                .doesNotContainAnyElementsOf(a.valid().stream().map(v -> v.text("event_id")).toList());
    }
}

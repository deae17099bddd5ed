package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.StageSla;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimulationSettingsTest {

    @Test
    void defaultsAreTheDemo() {
        SimulationSettings s = SimulationSettings.builder().end(Instant.parse("2026-02-06T10:00:00.123Z")).build();

        assertThat(s.tenant()).isEqualTo("weijiang");
        assertThat(s.scenario()).isEqualTo(Scenario.SMALL_TEAM);
        assertThat(s.seed()).isEqualTo(42L);
        assertThat(s.duration()).isEqualTo(Duration.ofDays(21));
        assertThat(s.end()).isEqualTo(Instant.parse("2026-02-06T10:00:00Z"));
        assertThat(s.sla().toString()).isEqualTo(StageSla.defaults().toString());
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> SimulationSettings.builder().build())
                .hasMessageContaining("'end'");
        assertThatThrownBy(() -> SimulationSettings.builder().end(Instant.EPOCH).malformedRate(1.5).build())
                .hasMessageContaining("'malformedRate'").hasMessageContaining("1.5");
        assertThatThrownBy(() -> SimulationSettings.builder().end(Instant.EPOCH).ackRate(-0.1).build())
                .hasMessageContaining("'ackRate'");
        assertThatThrownBy(() -> SimulationSettings.builder().end(Instant.EPOCH).tenant("Wei Jiang").build())
                .hasMessageContaining("'tenant'");
        assertThatThrownBy(() -> SimulationSettings.builder().end(Instant.EPOCH).duration(Duration.ZERO).build())
                .hasMessageContaining("'duration'");
    }

    @Test
    void largerSyntheticTenantsBySize() throws Exception {
        Instant end = Instant.parse("2026-02-06T10:00:00Z");
        SimulationSettings s = SimulationSettings.builder().reps(1000).end(end).duration(Duration.ofDays(7)).build();
        assertThat(s.size().reps()).isEqualTo(1000);
        assertThat(s.size().teams()).isEqualTo(200);
        assertThat(s.size().regions()).hasSize(100);

        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary summary = new Simulator(s).run(sink);
        // a week of 1,000 reps: about 8,000 customers start an opportunity
        assertThat(summary.stageCards()).isGreaterThan(10_000);
        assertThat(sink.records().stream().map(r -> r.valueAsText())
                .filter(v -> v.contains("\"rep_id\":\"r-1000\"")).count()).isPositive();
        assertThatThrownBy(() -> SimulationSettings.builder().reps(-3).end(end).build())
                .hasMessageContaining("'reps'");
    }
}

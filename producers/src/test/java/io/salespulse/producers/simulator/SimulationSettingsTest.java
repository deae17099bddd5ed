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
}

package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetractionTableTest {

    @Test
    void aLongerGraceRetractsNoMoreAndDelaysEveryStandingAlertByItself() {
        SimulationSettings settings = SimulationRuns.smallTeam().reps(40).duration(Duration.ofDays(42))
                .lastMinuteShare(0.5).offlineReps(0.3).retryRate(0.02).build();
        List<Duration> graces = List.of(Duration.ZERO, Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(25));

        List<RetractionTable.Row> rows = RetractionTable.compute(settings, graces);

        assertThat(rows).extracting(RetractionTable.Row::grace).containsExactlyElementsOf(graces);
        assertThat(rows.get(0).retracted()).isPositive();
        assertThat(rows.get(0).rate()).isEqualTo((double) rows.get(0).retracted() / rows.get(0).emitted());
        assertThat(rows.get(0).medianShownFor()).isPositive();
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).retracted()).isLessThanOrEqualTo(rows.get(i - 1).retracted());
        }
        assertThat(rows.get(3).retracted()).isZero(); // longer than any offline spell and its upload
        for (RetractionTable.Row r : rows) {
            assertThat(r.medianDelay()).isEqualTo(r.grace());
            assertThat(r.p95Delay()).isEqualTo(r.grace());
        }
    }

    @Test
    void percentilesAreNearestRank() {
        List<Duration> values = List.of(Duration.ofMinutes(4), Duration.ofMinutes(1), Duration.ofMinutes(3),
                Duration.ofMinutes(2));
        assertThat(RetractionTable.percentile(values, 50)).isEqualTo(Duration.ofMinutes(2));
        assertThat(RetractionTable.percentile(values, 95)).isEqualTo(Duration.ofMinutes(4));
        assertThat(RetractionTable.percentile(List.of(), 50)).isZero();
    }
}

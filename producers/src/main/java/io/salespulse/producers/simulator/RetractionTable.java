package io.salespulse.producers.simulator;

import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedRetraction;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@code offline_grace} buys and costs on a simulated history with field traffic: the same records
 * ({@link Simulator}), the ground truth ({@link OverdueOracle}) computed once per grace. A longer grace lets more
 * late-uploaded cards arrive before the alert would fire (fewer alerts later withdrawn) and makes every true
 * alert that much later.
 */
public final class RetractionTable {

    /**
     * One grace value.
     *
     * @param emitted {@code stage_overdue} alerts emitted by the end of the history
     * @param retracted how many of them were retracted by the end (a late card proved them wrong)
     * @param medianDelay, p95Delay how long after the due time the alerts that stand were emitted
     * @param medianShownFor how long a retracted alert stood before its retraction (median; zero when none)
     */
    public record Row(Duration grace, long emitted, long retracted, Duration medianDelay, Duration p95Delay,
            Duration medianShownFor) {

        /** Retracted / emitted; 0 when nothing was emitted. */
        public double rate() {
            return emitted == 0 ? 0 : (double) retracted / emitted;
        }
    }

    private RetractionTable() {}

    /** One row per grace, in the order given, all on the history {@code settings} describe. */
    public static List<Row> compute(SimulationSettings settings, List<Duration> graces) {
        List<Arrival> arrivals = new Simulator(settings).arrivals();
        List<Row> rows = new ArrayList<>();
        for (Duration grace : graces) {
            rows.add(row(new OverdueOracle(settings.sla(), grace).run(arrivals, settings.end())));
        }
        return rows;
    }

    static Row row(ExpectedOutcomes truth) {
        Map<String, ExpectedAlert> byId = new HashMap<>();
        truth.alerts().forEach(a -> byId.put(a.alertId(), a));
        List<Duration> shownFor = new ArrayList<>();
        for (ExpectedRetraction r : truth.retractions()) {
            shownFor.add(Duration.between(byId.get(r.alertId()).emittedAt(), r.retractedAt()));
        }
        List<Duration> delays = new ArrayList<>();
        for (ExpectedAlert a : truth.standingAlerts()) {
            delays.add(Duration.between(a.dueAt(), a.emittedAt()));
        }
        return new Row(truth.grace(), truth.alerts().size(), truth.retractions().size(), percentile(delays, 50),
                percentile(delays, 95), percentile(shownFor, 50));
    }

    /** Nearest rank; zero for an empty list. */
    static Duration percentile(List<Duration> values, int percent) {
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        List<Duration> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}

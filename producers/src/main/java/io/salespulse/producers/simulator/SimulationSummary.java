package io.salespulse.producers.simulator;

import java.util.List;
import java.util.Map;

/**
 * What a simulation sent and what a correct pipeline must conclude from it.
 *
 * @param stageCards valid stage cards sent (each once; duplicates are counted separately)
 * @param visits valid visits sent
 * @param acks valid ack and resolve events sent
 * @param malformed malformed records sent to {@code sales.stages} / {@code sales.visits}
 * @param duplicates extra copies (same bytes) of valid records
 * @param expectedOverdueAlertIds the {@code stage_overdue} alert ids a correct pipeline fires by the end, sorted
 * @param customersByExpectedStatus customers per status at the end: active, overdue, won, lost
 * @param groundTruth what the settings' injections amount to ({@link GroundTruth#NONE} without injections)
 */
public record SimulationSummary(
        long stageCards,
        long visits,
        long acks,
        long malformed,
        long duplicates,
        List<String> expectedOverdueAlertIds,
        Map<String, Long> customersByExpectedStatus,
        GroundTruth groundTruth) {

    public SimulationSummary(long stageCards, long visits, long acks, long malformed, long duplicates,
            List<String> expectedOverdueAlertIds, Map<String, Long> customersByExpectedStatus) {
        this(stageCards, visits, acks, malformed, duplicates, expectedOverdueAlertIds, customersByExpectedStatus,
                GroundTruth.NONE);
    }

    public SimulationSummary {
        groundTruth = groundTruth == null ? GroundTruth.NONE : groundTruth;
        expectedOverdueAlertIds = List.copyOf(expectedOverdueAlertIds);
        customersByExpectedStatus = java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(customersByExpectedStatus));
    }

    public long totalRecords() {
        return stageCards + visits + acks + malformed + duplicates;
    }

    @Override
    public String toString() {
        return "simulated " + totalRecords() + " records: " + stageCards + " stage cards, " + visits + " visits, "
                + acks + " acks, " + malformed + " malformed, " + duplicates + " duplicates; expected "
                + expectedOverdueAlertIds.size() + " stage_overdue alerts; customers at the end: "
                + customersByExpectedStatus;
    }
}

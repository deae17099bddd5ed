package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a simulation sent and what a correct pipeline must conclude from it.
 *
 * @param stageCards valid stage cards sent (each once; duplicates and retries are counted separately)
 * @param visits valid visits sent
 * @param acks valid ack and resolve events sent
 * @param malformed malformed records sent to {@code sales.stages} / {@code sales.visits}
 * @param duplicates extra copies (same bytes) of valid records sent right after them
 * @param retries extra copies (same bytes) of valid records the app sent again later (field traffic only)
 * @param groundTruth what the settings' injections amount to ({@link GroundTruth#NONE} without injections)
 * @param expected the overdue ground truth at the end, for the settings' {@code offlineGrace} ({@link OverdueOracle})
 */
public record SimulationSummary(
        long stageCards,
        long visits,
        long acks,
        long malformed,
        long duplicates,
        long retries,
        GroundTruth groundTruth,
        ExpectedOutcomes expected) {

    public SimulationSummary {
        groundTruth = groundTruth == null ? GroundTruth.NONE : groundTruth;
        Objects.requireNonNull(expected, "expected");
    }

    /** The {@code stage_overdue} alert ids a correct pipeline has emitted by the end (retracted ones too), sorted. */
    public List<String> expectedOverdueAlertIds() {
        return expected.alertIds();
    }

    /** Customers per status at the end: active, overdue, won, lost. */
    public Map<String, Long> customersByExpectedStatus() {
        return expected.customersByStatus();
    }

    public long totalRecords() {
        return stageCards + visits + acks + malformed + duplicates + retries;
    }

    /**
     * The ground truth as JSON: the injections' findings ({@link GroundTruth#toJson()}, unchanged) plus
     * {@code overdue}, the expected alerts, retractions, statuses and counts ({@link ExpectedOutcomes#toJson()}).
     */
    public ObjectNode groundTruthJson() {
        ObjectNode root = groundTruth.toJson();
        root.set("overdue", expected.toJson());
        return root;
    }

    /** Writes {@link #groundTruthJson()} (pretty-printed) to {@code file}. */
    public void writeGroundTruth(Path file) throws IOException {
        GroundTruth.write(file, groundTruthJson());
    }

    @Override
    public String toString() {
        int retracted = expected.retractions().size();
        return "simulated " + totalRecords() + " records: " + stageCards + " stage cards, " + visits + " visits, "
                + acks + " acks, " + malformed + " malformed, " + duplicates + " duplicates"
                + (retries > 0 ? ", " + retries + " retries" : "") + "; expected "
                + expected.alerts().size() + " stage_overdue alerts"
                + (retracted > 0 ? " (" + retracted + " of them retracted)" : "")
                + (expected.grace().isZero() ? "" : " with grace " + expected.grace())
                + "; customers at the end: " + customersByExpectedStatus();
    }
}

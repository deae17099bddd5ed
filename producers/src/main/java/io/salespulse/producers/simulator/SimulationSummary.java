package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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
 * @param expected the overdue ground truth at the end, for the settings' {@code offlineGrace} ({@link OverdueOracle});
 *     for a run whose history went as an import session, the ground truth of that import
 * @param historyImport the import session the history was sent in; null when there was none ({@link HistoryMode#PLAIN},
 *     or nothing had arrived yet)
 * @param places the outlets to load and which check-ins were injected far from them ({@link SimulatedPlaces#NONE} when
 *     not simulated)
 * @param cash lead to cash: the contracts, invoices and payments sent and their ground truth ({@link #cash()})
 */
public record SimulationSummary(
        long stageCards,
        long visits,
        long acks,
        long malformed,
        long duplicates,
        long retries,
        GroundTruth groundTruth,
        ExpectedOutcomes expected,
        HistoryImport historyImport,
        SimulatedPlaces places,
        SimulatedCash cash) {

    /**
     * The history part of a run, sent as an import session.
     *
     * @param records records sent in the session (malformed records, duplicates and retries included)
     * @param cards distinct valid stage cards in it, as counted on completion; likewise {@code visits}, {@code acks}
     * @param arrivedUntil the simulated arrival of its last record; what arrives later was sent live
     */
    public record HistoryImport(String tenant, String importId, Instant openedAt, Instant completedAt, long records,
            long cards, long visits, long acks, Instant arrivedUntil) {

        ObjectNode toJson() {
            ObjectNode n = io.salespulse.contract.Json.MAPPER.createObjectNode();
            n.put("tenant", tenant).put("import_id", importId).put("opened_at", openedAt.toString())
                    .put("completed_at", completedAt.toString()).put("records", records).put("cards", cards)
                    .put("visits", visits).put("acks", acks).put("arrived_until", arrivedUntil.toString());
            return n;
        }
    }

    public SimulationSummary {
        groundTruth = groundTruth == null ? GroundTruth.NONE : groundTruth;
        places = places == null ? SimulatedPlaces.NONE : places;
        cash = cash == null ? SimulatedCash.NONE : cash;
        Objects.requireNonNull(expected, "expected");
    }

    public SimulationSummary(long stageCards, long visits, long acks, long malformed, long duplicates, long retries,
            GroundTruth groundTruth, ExpectedOutcomes expected, HistoryImport historyImport, SimulatedPlaces places) {
        this(stageCards, visits, acks, malformed, duplicates, retries, groundTruth, expected, historyImport, places,
                null);
    }

    public SimulationSummary(long stageCards, long visits, long acks, long malformed, long duplicates, long retries,
            GroundTruth groundTruth, ExpectedOutcomes expected) {
        this(stageCards, visits, acks, malformed, duplicates, retries, groundTruth, expected, null, null, null);
    }

    /** The same run with the ground truth of its history sent as {@code history}. */
    SimulationSummary imported(HistoryImport history, ExpectedOutcomes truth) {
        return new SimulationSummary(stageCards, visits, acks, malformed, duplicates, retries, groundTruth, truth,
                history, places, cash);
    }

    /** The {@code stage_overdue} alert ids a correct pipeline has emitted by the end (retracted ones too), sorted. */
    public List<String> expectedOverdueAlertIds() {
        return expected.alertIds();
    }

    /** Customers per status at the end: active, overdue, won, lost. */
    public Map<String, Long> customersByExpectedStatus() {
        return expected.customersByStatus();
    }

    /** Every record sent: the field's and managers' records, the broken and repeated ones, and lead to cash. */
    public long totalRecords() {
        return stageCards + visits + acks + malformed + duplicates + retries + cash.records();
    }

    /**
     * The ground truth as JSON: the injections' findings ({@link GroundTruth#toJson()}, unchanged) plus
     * {@code overdue}, the expected alerts, retractions, statuses and counts ({@link ExpectedOutcomes#toJson()}), and
     * {@code history_import} when the history went as an import session.
     */
    public ObjectNode groundTruthJson() {
        ObjectNode root = groundTruth.toJson();
        root.set("overdue", expected.toJson());
        if (historyImport != null) {
            root.set("history_import", historyImport.toJson());
        }
        if (!places.outlets().isEmpty()) {
            root.set("places", places.toJson());
        }
        if (cash.records() > 0) {
            root.set("cash", cash.toJson());
        }
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
                + "; customers at the end: " + customersByExpectedStatus()
                + (historyImport == null ? "" : "; the " + historyImport.records() + " records that had arrived by "
                        + historyImport.arrivedUntil() + " went as import " + historyImport.importId() + " of tenant "
                        + historyImport.tenant() + ", complete at " + historyImport.completedAt())
                + (cash.records() == 0 ? "" : "; lead to cash: " + cash);
    }
}

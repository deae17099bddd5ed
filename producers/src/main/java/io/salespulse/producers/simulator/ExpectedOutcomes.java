package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.StageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ground truth of overdue detection computed by {@link OverdueOracle}: what a correct pipeline has emitted,
 * retracted and shows at {@code end} for one {@code grace}.
 *
 * @param alerts every {@code stage_overdue} alert emitted by the end (retracted ones too), sorted by id
 * @param retractions the alerts retracted by the end, sorted by id
 * @param pending gaps whose {@code due + grace} lies after the end: they fire then unless a card arrives
 * @param customers each customer's status at the end, sorted by tenant and customer
 * @param distinctEventIds distinct event ids arrived by the end per kind: {@code stage_cards}, {@code visits},
 *     {@code acks} (one row each in the raw tables)
 */
public record ExpectedOutcomes(Duration grace, Instant end, List<ExpectedAlert> alerts,
        List<ExpectedRetraction> retractions, List<ExpectedAlert> pending, List<ExpectedStatus> customers,
        Map<String, Long> distinctEventIds) {

    /** The statuses of {@code customer_status}, in the order they are reported. */
    public static final List<String> STATUSES = List.of("active", "overdue", "won", "lost");

    /**
     * @param emittedAt the arrival instant at which the pipeline emits it (null for a pending alert)
     * @param origin {@code live} or {@code history} (null for a pending alert)
     * @param entry the card that entered the stage
     */
    public record ExpectedAlert(String alertId, String tenant, String customerId, String stage, Instant dueAt,
            Instant firedAt, Instant emittedAt, String origin, StageEvent entry) {}

    public record ExpectedRetraction(String alertId, String retractionId, Instant retractedAt) {}

    /** @param stage the current entry's stage (a won/lost closing's is {@code closing}) */
    public record ExpectedStatus(String tenant, String customerId, String stage, String status) {}

    public ExpectedOutcomes {
        alerts = List.copyOf(alerts);
        retractions = List.copyOf(retractions);
        pending = List.copyOf(pending);
        customers = List.copyOf(customers);
        distinctEventIds = Collections.unmodifiableMap(new LinkedHashMap<>(distinctEventIds));
    }

    public List<String> alertIds() {
        return alerts.stream().map(ExpectedAlert::alertId).toList();
    }

    /** Alerts emitted and not retracted by the end. */
    public List<ExpectedAlert> standingAlerts() {
        Set<String> retracted = new HashSet<>();
        retractions.forEach(r -> retracted.add(r.alertId()));
        return alerts.stream().filter(a -> !retracted.contains(a.alertId())).toList();
    }

    /** Customers per status at the end, every status present (zero when none). */
    public Map<String, Long> customersByStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        STATUSES.forEach(s -> counts.put(s, 0L));
        customers.forEach(c -> counts.merge(c.status(), 1L, Long::sum));
        return counts;
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("grace", grace.toString());
        root.put("end", end.toString());
        ObjectNode counts = root.putObject("distinct_event_ids");
        distinctEventIds.forEach(counts::put);
        ArrayNode alertArray = root.putArray("alerts");
        for (ExpectedAlert a : alerts) {
            alert(alertArray.addObject(), a).put("emitted_at", a.emittedAt().toString()).put("origin", a.origin());
        }
        ArrayNode retractionArray = root.putArray("retractions");
        for (ExpectedRetraction r : retractions) {
            retractionArray.addObject().put("alert_id", r.alertId()).put("retraction_id", r.retractionId())
                    .put("retracted_at", r.retractedAt().toString());
        }
        ArrayNode pendingArray = root.putArray("pending");
        pending.forEach(a -> alert(pendingArray.addObject(), a));
        ObjectNode byStatus = root.putObject("customers_by_status");
        customersByStatus().forEach(byStatus::put);
        ArrayNode customerArray = root.putArray("customers");
        for (ExpectedStatus c : customers) {
            customerArray.addObject().put("customer_id", c.customerId()).put("stage", c.stage())
                    .put("status", c.status());
        }
        return root;
    }

    private static ObjectNode alert(ObjectNode n, ExpectedAlert a) {
        return n.put("alert_id", a.alertId()).put("customer_id", a.customerId()).put("stage", a.stage())
                .put("due_at", a.dueAt().toString()).put("fired_at", a.firedAt().toString());
    }

    /** Collects one customer after another. */
    static final class Builder {
        private final Duration grace;
        private final Instant end;
        private final List<ExpectedAlert> alerts = new ArrayList<>();
        private final List<ExpectedRetraction> retractions = new ArrayList<>();
        private final List<ExpectedAlert> pending = new ArrayList<>();
        private final List<ExpectedStatus> customers = new ArrayList<>();

        Builder(Duration grace, Instant end) {
            this.grace = grace;
            this.end = end;
        }

        void alert(ExpectedAlert a) {
            alerts.add(a);
        }

        void retraction(ExpectedRetraction r) {
            retractions.add(r);
        }

        void pending(ExpectedAlert a) {
            pending.add(a);
        }

        void status(ExpectedStatus s) {
            customers.add(s);
        }

        ExpectedOutcomes build(Map<String, Long> distinctEventIds) {
            alerts.sort(Comparator.comparing(ExpectedAlert::alertId));
            retractions.sort(Comparator.comparing(ExpectedRetraction::alertId));
            pending.sort(Comparator.comparing(ExpectedAlert::alertId));
            return new ExpectedOutcomes(grace, end, alerts, retractions, pending, customers, distinctEventIds);
        }
    }
}

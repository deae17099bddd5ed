package io.salespulse.producers.simulator;

import io.salespulse.contract.AlertIds;
import io.salespulse.contract.StageSla;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ground truth a correct pipeline must reach from the valid stage cards: which {@code stage_overdue}
 * alerts fire by the end, and each customer's status at the end.
 *
 * <p>A card (except a won/lost closing) is due at {@code occurred_at + SLA(stage)}. It is answered by the
 * customer's next later card of a higher stage or of the same stage (a repeated objection, another
 * pending closing). Unanswered by its due instant, and due no later than the end: an alert.
 */
final class ExpectedOutcomes {
    /** An expected alert and whom it concerns (the acks need the region manager). */
    record ExpectedAlert(String alertId, StageCard card, Instant dueAt) {}

    final List<ExpectedAlert> alerts = new ArrayList<>();
    final Map<String, Long> customersByStatus = new LinkedHashMap<>();

    ExpectedOutcomes(String tenant, List<StageCard> cards, StageSla sla, Instant end) {
        for (String status : List.of("active", "overdue", "won", "lost")) {
            customersByStatus.put(status, 0L);
        }
        Map<String, List<StageCard>> byCustomer = new TreeMap<>();
        for (StageCard c : cards) {
            byCustomer.computeIfAbsent(c.customer().id(), k -> new ArrayList<>()).add(c);
        }
        for (List<StageCard> history : byCustomer.values()) {
            history.sort(Comparator.comparing(StageCard::occurredAt));
            for (int i = 0; i < history.size(); i++) {
                StageCard c = history.get(i);
                if (c.closesOpportunity()) {
                    continue;
                }
                Instant due = c.occurredAt().plus(sla.of(c.stage()));
                StageCard answer = nextAnswering(history, i);
                boolean answeredInTime = answer != null && !answer.occurredAt().isAfter(due);
                if (!answeredInTime && !due.isAfter(end)) {
                    alerts.add(new ExpectedAlert(
                            AlertIds.stageOverdue(tenant, c.customer().id(), c.stage().code(), due), c, due));
                }
            }
            StageCard last = history.get(history.size() - 1);
            String status = last.closesOpportunity() ? last.outcome()
                    : last.occurredAt().plus(sla.of(last.stage())).isAfter(end) ? "active" : "overdue";
            customersByStatus.merge(status, 1L, Long::sum);
        }
        alerts.sort(Comparator.comparing(ExpectedAlert::alertId));
    }

    List<String> alertIds() {
        return alerts.stream().map(ExpectedAlert::alertId).toList();
    }

    private static StageCard nextAnswering(List<StageCard> history, int index) {
        StageCard c = history.get(index);
        for (int j = index + 1; j < history.size(); j++) {
            StageCard n = history.get(j);
            if (n.occurredAt().isAfter(c.occurredAt())
                    && (n.stage().rank() > c.stage().rank() || n.stage() == c.stage())) {
                return n;
            }
        }
        return null;
    }
}

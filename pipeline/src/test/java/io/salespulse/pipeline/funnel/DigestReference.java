package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest counts of docs/funnel.md computed directly from all cards, for checking the job: for a team and a date D,
 * the customers open at D per the cards with occurred_at at or before D (stage = the highest of the opportunity,
 * its clock restarted by a repeated card; team of the latest card; silent for the retention plus a day =
 * forgotten), how many are past the stage's SLA, and how many of those are high potential. Written apart from
 * the job's code (no stage histories, no intervals).
 */
final class DigestReference {
    private DigestReference() {}

    /** "tenant team digestAt stage customers overdue atRisk" for every stage of every date with open customers. */
    static List<String> rows(List<StageEvent> cards, List<Long> dates, FunnelSettings s) {
        Map<String, Map<String, StageEvent>> byCustomer = new LinkedHashMap<>();
        for (StageEvent c : cards) {
            byCustomer.computeIfAbsent(c.tenant + "/" + c.customerId, k -> new LinkedHashMap<>()).putIfAbsent(c.eventId, c);
        }
        TreeMap<String, long[][]> counts = new TreeMap<>(); // tenant team date -> [stage][customers, overdue, risk]
        for (Map<String, StageEvent> m : byCustomer.values()) {
            List<StageEvent> sorted = new ArrayList<>(m.values());
            sorted.sort(Comparator.comparingLong((StageEvent e) -> e.occurredAt).thenComparing(e -> e.eventId));
            for (long d : dates) {
                List<StageEvent> known = sorted.stream().filter(e -> e.occurredAt <= d).toList();
                if (known.isEmpty()) {
                    continue;
                }
                StageEvent last = known.get(known.size() - 1);
                if (closes(last) || d >= last.occurredAt + s.retentionMs() + ForecastDigest.DAY) {
                    continue;
                }
                int start = 0;
                for (int i = 0; i < known.size(); i++) {
                    if (closes(known.get(i))) {
                        start = i + 1;
                    }
                }
                StageEvent current = null;
                boolean highPotential = false;
                for (StageEvent e : known.subList(start, known.size())) {
                    highPotential |= e.highPotential;
                    if (current == null || e.stageEnum().rank() >= current.stageEnum().rank()) {
                        current = e;
                    }
                }
                Stage stage = current.stageEnum();
                boolean late = d > current.occurredAt + s.sla.of(stage).toMillis();
                long[][] c = counts.computeIfAbsent(last.tenant + " " + last.team + " " + d,
                        k -> new long[Stage.values().length][3]);
                c[stage.rank()][0]++;
                if (late) {
                    c[stage.rank()][1]++;
                    if (highPotential) {
                        c[stage.rank()][2]++;
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, long[][]> e : counts.entrySet()) {
            for (Stage stage : Stage.values()) {
                long[] c = e.getValue()[stage.rank()];
                out.add(e.getKey() + " " + stage.code() + " " + c[0] + " " + c[1] + " " + c[2]);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static boolean closes(StageEvent e) {
        return "closing".equals(e.stage) && ("won".equals(e.outcome) || "lost".equals(e.outcome));
    }
}

package io.salespulse.faults;

import io.salespulse.producers.simulator.SimulationSummary;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the pipeline must show: the alerts due by the end of the history (exactly these, each once), and
 * per table how many keys. Alerts due after the history's end fire too while the test runs (event time
 * follows the wall clock once the history is drained); each of them turns one active customer overdue.
 */
final class Expectation {
    final Instant end;
    final Set<String> alertsDueByEnd;
    final long stageEvents;
    final long visits;
    final long acks;
    final long deadLetters;
    final Map<String, Long> statuses;

    Expectation(Instant end, Set<String> alertsDueByEnd, long stageEvents, long visits, long acks, long deadLetters,
            Map<String, Long> statuses) {
        this.end = end;
        this.alertsDueByEnd = new TreeSet<>(alertsDueByEnd);
        this.stageEvents = stageEvents;
        this.visits = visits;
        this.acks = acks;
        this.deadLetters = deadLetters;
        this.statuses = new TreeMap<>(statuses);
    }

    static Expectation of(SimulationSummary s, Instant end) {
        return new Expectation(end, new TreeSet<>(s.expectedOverdueAlertIds()), s.stageCards(), s.visits(), s.acks(),
                s.malformed(), s.customersByExpectedStatus());
    }

    /** The same, with {@code n} more dead letters (e.g. {@link Touch} records). */
    Expectation plusDeadLetters(long n) {
        return new Expectation(end, alertsDueByEnd, stageEvents, visits, acks, deadLetters + n, statuses);
    }

    /** Statuses once {@code laterAlerts} customers (due after the end) have turned overdue. */
    Map<String, Long> statusesWith(int laterAlerts) {
        Map<String, Long> m = new TreeMap<>(statuses);
        m.merge("active", (long) -laterAlerts, Long::sum);
        m.merge("overdue", (long) laterAlerts, Long::sum);
        m.values().removeIf(v -> v == 0);
        return m;
    }
}

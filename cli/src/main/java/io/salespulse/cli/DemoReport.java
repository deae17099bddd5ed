package io.salespulse.cli;

import io.salespulse.producers.simulator.SimulatedCash;
import io.salespulse.producers.simulator.SimulationSummary;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's summary, read back from ClickHouse (what a person would query) and set against the
 * simulator's ground truth, so a wrong pipeline shows up as a visible mismatch rather than a guess.
 */
final class DemoReport {
    private static final int MAX_IDS_LISTED = 10;

    private final ClickHouse ch;
    private final SimulationSummary expected;
    private final PrintWriter out;

    DemoReport(ClickHouse ch, SimulationSummary expected, PrintWriter out) {
        this.ch = ch;
        this.expected = expected;
        this.out = out;
    }

    /** @return whether the alerts and customer statuses match the simulator's ground truth */
    boolean print() throws SQLException {
        out.println();
        events();
        deadLetters();
        boolean alertsMatch = alerts();
        examples();
        boolean customersMatch = customers();
        boolean placesMatch = places();
        boolean cashMatches = cash();
        out.flush();
        return alertsMatch && customersMatch && placesMatch && cashMatches;
    }

    private void events() throws SQLException {
        out.println("Events processed (rows in ClickHouse / valid events sent):");
        row("stage cards", ch.count("SELECT count() FROM salespulse.stage_events FINAL"), expected.stageCards());
        row("visits", ch.count("SELECT count() FROM salespulse.visits FINAL"), expected.visits());
        row("acks", ch.count("SELECT count() FROM salespulse.alert_acks FINAL"), expected.acks());
        row("contracts", ch.count("SELECT count() FROM salespulse.contracts FINAL"), expected.cash().contracts().size());
        row("invoices", ch.count("SELECT count() FROM salespulse.invoices FINAL"), expected.cash().invoices().size());
        row("payments", ch.count("SELECT count() FROM salespulse.payments FINAL"), expected.cash().payments().size());
        out.println("  (" + expected.duplicates() + " re-sent duplicates were collapsed by event_id)");
    }

    private void deadLetters() throws SQLException {
        ClickHouse.Table reasons = ch.query("SELECT error_code, count() AS n, any(error) AS example"
                + " FROM salespulse.dead_letters FINAL GROUP BY error_code ORDER BY n DESC, error_code");
        long total = reasons.rows().stream().mapToLong(r -> Long.parseLong(r.get(1))).sum();
        out.println();
        out.println("Dead letters: " + total + " (the simulator sent " + expected.malformed() + " malformed records)");
        for (List<String> r : reasons.rows()) {
            out.printf("  %-16s %5s   e.g. %s%n", r.get(0), r.get(1), shorten(r.get(2), 90));
        }
    }

    private boolean alerts() throws SQLException {
        Set<String> fired = new TreeSet<>(ch.strings(
                "SELECT alert_id FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'"));
        Set<String> wanted = new TreeSet<>(expected.expectedOverdueAlertIds());
        out.println();
        out.print("Alerts fired: " + fired.size() + " (expected by the simulator's ground truth: " + wanted.size() + ")");
        if (fired.equals(wanted)) {
            out.println(" - they match, alert for alert.");
            return true;
        }
        out.println(" - they DO NOT match.");
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(fired);
        Set<String> extra = new TreeSet<>(fired);
        extra.removeAll(wanted);
        listIds("expected but not fired", missing);
        listIds("fired but not expected", extra);
        return false;
    }

    private void listIds(String what, Set<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        out.println("  " + what + " (" + ids.size() + "):");
        ids.stream().limit(MAX_IDS_LISTED).forEach(id -> out.println("    " + id));
        if (ids.size() > MAX_IDS_LISTED) {
            out.println("    ... and " + (ids.size() - MAX_IDS_LISTED) + " more");
        }
    }

    /** Three alerts, one of them high-severity when there is one, spread over stages for variety. */
    private void examples() throws SQLException {
        String columns = "SELECT alert_id, severity, title, message, suggestion FROM salespulse.alerts FINAL";
        Map<String, List<String>> picked = new LinkedHashMap<>();
        for (List<String> r : ch.query(columns + " WHERE severity = 'high' ORDER BY fired_at DESC LIMIT 1").rows()) {
            picked.put(r.get(0), r);
        }
        for (List<String> r : ch.query(columns + " ORDER BY row_number() OVER (PARTITION BY stage ORDER BY fired_at DESC),"
                + " fired_at DESC LIMIT 6").rows()) {
            if (picked.size() < 3) {
                picked.putIfAbsent(r.get(0), r);
            }
        }
        if (picked.isEmpty()) {
            return;
        }
        out.println();
        out.println("Example alerts:");
        for (List<String> r : picked.values()) {
            out.println("  [" + r.get(1) + "] " + r.get(2));
            out.println("      " + r.get(3));
            out.println("      Suggestion: " + r.get(4));
        }
    }

    private boolean customers() throws SQLException {
        Map<String, Long> actual = new LinkedHashMap<>();
        for (List<String> r : ch.query("SELECT status, count() FROM salespulse.customer_status FINAL GROUP BY status").rows()) {
            actual.put(r.get(0), Long.parseLong(r.get(1)));
        }
        Set<String> statuses = new LinkedHashSet<>(expected.customersByExpectedStatus().keySet());
        statuses.addAll(actual.keySet());
        out.println();
        out.println("Customers per status (pipeline / simulator's expectation):");
        List<String> differ = new ArrayList<>();
        for (String s : statuses) {
            long a = actual.getOrDefault(s, 0L);
            long e = expected.customersByExpectedStatus().getOrDefault(s, 0L);
            row(s, a, e);
            if (a != e) {
                differ.add(s);
            }
        }
        if (!differ.isEmpty()) {
            out.println("  (differs for: " + String.join(", ", differ) + ")");
        }
        return differ.isEmpty();
    }

    /** The map's far check-ins (view visit_places, default 500 m) against the check-ins the simulator placed far. */
    private boolean places() throws SQLException {
        if (expected.places().outlets().isEmpty()) {
            return true;
        }
        Map<String, Long> checks = new LinkedHashMap<>();
        for (List<String> r : ch.query("SELECT place_check, count() FROM salespulse.visit_places GROUP BY place_check"
                + " ORDER BY place_check").rows()) {
            checks.put(r.get(0), Long.parseLong(r.get(1)));
        }
        Set<String> flagged = new TreeSet<>(ch.strings("SELECT event_id FROM salespulse.visit_places"
                + " WHERE place_check = 'far'"));
        Set<String> wanted = new TreeSet<>(expected.places().farCheckIns());
        out.println();
        out.println("Places: " + expected.places().outlets().size() + " outlets (" + expected.places().competitors()
                + " competitors); check-ins by place " + checks);
        out.print("Far check-ins flagged (> 500 m from the outlet): " + flagged.size() + " (placed far by the simulator: "
                + wanted.size() + "; check-ins of customers without an outlet: "
                + expected.places().unknownCustomerCheckIns() + ")");
        if (flagged.equals(wanted)) {
            out.println(" - they match, check-in for check-in.");
            return true;
        }
        out.println(" - they DO NOT match.");
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(flagged);
        Set<String> extra = new TreeSet<>(flagged);
        extra.removeAll(wanted);
        listIds("placed far but not flagged", missing);
        listIds("flagged but not placed far", extra);
        return false;
    }

    /**
     * Lead to cash: what was contracted, invoiced and collected (from ClickHouse), and the overdue receivables the
     * job flagged against the invoices the simulator left unpaid past due + grace.
     */
    private boolean cash() throws SQLException {
        SimulatedCash truth = expected.cash();
        if (truth.records() == 0) {
            return true;
        }
        List<String> sums = ch.query("SELECT (SELECT toString(round(sum(amount))) FROM salespulse.contracts FINAL),"
                + " (SELECT toString(round(sum(amount))) FROM salespulse.invoices FINAL),"
                + " (SELECT toString(round(sum(amount))) FROM salespulse.payments FINAL)").rows().get(0);
        Set<String> flagged = new TreeSet<>(ch.strings(
                "SELECT alert_id FROM salespulse.alerts FINAL WHERE type = 'receivable_overdue'"));
        Set<String> wanted = new TreeSet<>(truth.expectedReceivableAlertIds());
        out.println();
        out.printf(Locale.ROOT, "Lead to cash: %d contracts ¥%,.0f, invoiced ¥%,.0f (%d invoices), collected ¥%,.0f"
                + " (%d payments); overdue receivables: %d%n", truth.contracts().size(), number(sums.get(0)),
                number(sums.get(1)), truth.invoices().size(), number(sums.get(2)), truth.payments().size(),
                flagged.size());
        out.print("Overdue receivables flagged (unpaid " + truth.grace().toDays() + " days after due): " + flagged.size()
                + " = " + wanted.size() + " left unpaid by the simulator");
        if (flagged.equals(wanted)) {
            out.println(" - they match, invoice for invoice.");
            return true;
        }
        out.println(" - they DO NOT match.");
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(flagged);
        Set<String> extra = new TreeSet<>(flagged);
        extra.removeAll(wanted);
        listIds("left unpaid but not flagged", missing);
        listIds("flagged but paid in time", extra);
        return false;
    }

    private static double number(String s) {
        return s == null || s.isEmpty() ? 0 : Double.parseDouble(s);
    }

    private void row(String label, long actual, long expected) {
        out.printf("  %-12s %6d / %d%s%n", label, actual, expected, actual == expected ? "" : "   <- differs");
    }

    private static String shorten(String s, int max) {
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }
}

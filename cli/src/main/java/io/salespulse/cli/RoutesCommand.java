package io.salespulse.cli;

import io.salespulse.cli.routes.RoutePlanner;
import io.salespulse.cli.routes.RoutePlanner.Candidate;
import io.salespulse.cli.routes.RoutePlanner.Plan;
import io.salespulse.cli.routes.RoutePlanner.Point;
import io.salespulse.cli.routes.RoutePlanner.Reason;
import io.salespulse.cli.routes.RoutePlanner.Stop;
import java.io.PrintWriter;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Tomorrow's route (docs/places.md): {@code routes plan} reads each rep's open customers with an outlet and the rep's
 * first check-ins of the last four weeks from ClickHouse, plans the day with {@link RoutePlanner} and writes the stops
 * to {@code salespulse.visit_plans}.
 */
@Command(name = "routes",
        mixinStandardHelpOptions = true,
        description = "Visit routes: plan each rep's next day of store visits (overdue first, then high potential).",
        subcommands = {RoutesCommand.PlanDay.class})
final class RoutesCommand implements Callable<Integer> {
    /** Days are the team's calendar days, as on the dashboards. */
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** How far back the rep's first check-ins of the day count for the usual start. */
    static final int START_WEEKS = 4;
    /** Stops of a day when --stops is not given: a day of store visits. */
    static final int DEFAULT_STOPS = 8;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Plan every rep of a tenant for a day: up to --stops open customers with an outlet (overdue",
                "first, longest overdue first; then high potential; then the longest without contact), in the order",
                "that keeps the km down from the rep's usual start. Writes salespulse.visit_plans (planning a day again",
                "replaces it) and prints per rep the stops and km against visiting them in priority order."})
    static final class PlanDay implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--day", description = "The day to plan, YYYY-MM-DD (default: tomorrow in Asia/Shanghai)")
        String day;
        @Option(names = "--stops", defaultValue = "" + DEFAULT_STOPS, description = "Stops per rep and day, 1..30 (default: ${DEFAULT-VALUE})")
        int stops;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (stops < 1 || stops > 30) {
                throw new UserError("--stops must be between 1 and 30, got " + stops, 2);
            }
            LocalDate date;
            try {
                date = day == null ? tomorrow() : LocalDate.parse(day);
            } catch (DateTimeParseException e) {
                throw new UserError("--day: not a date YYYY-MM-DD: " + day, 2);
            }
            Map<String, Plan> plans;
            try (ClickHouse c = ch.connect()) {
                plans = planAndStore(c, tenant, date, stops, Instant.now());
            }
            PrintWriter out = spec.commandLine().getOut();
            print(out, tenant, date, plans);
            if (plans.isEmpty()) {
                throw new UserError("tenant " + tenant + " has no open customer with an outlet: nothing to plan"
                        + " (load outlets with bin/salespulse outlets import)", 1);
            }
            return 0;
        }
    }

    /** The team's tomorrow (Asia/Shanghai). */
    static LocalDate tomorrow() {
        return LocalDate.now(ZONE).plusDays(1);
    }

    /** Plans every rep of the tenant that has open customers with an outlet, writes the plans, returns them by rep. */
    static Map<String, Plan> planAndStore(ClickHouse c, String tenant, LocalDate day, int stops, Instant now)
            throws SQLException {
        Map<String, List<Candidate>> candidates = candidates(c, tenant, now);
        Map<String, List<Point>> firstCheckIns = firstCheckIns(c, tenant, day);
        Map<String, Plan> plans = new TreeMap<>();
        for (Map.Entry<String, List<Candidate>> e : candidates.entrySet()) {
            Point start = RoutePlanner.usualStart(firstCheckIns.getOrDefault(e.getKey(), List.of()),
                    e.getValue().stream().map(Candidate::at).toList());
            plans.put(e.getKey(), RoutePlanner.plan(start, e.getValue(), stops));
        }
        store(c, tenant, day, plans, now);
        return plans;
    }

    /** Each rep's open (active or overdue) customers that have an outlet with coordinates. */
    private static Map<String, List<Candidate>> candidates(ClickHouse c, String tenant, Instant now) throws SQLException {
        String at = "fromUnixTimestamp64Milli(" + now.toEpochMilli() + ")";
        String sql = "SELECT s.rep_id, s.customer_id, o.lat, o.lon, s.status, s.high_potential,"
                + " if(s.status = 'overdue' AND s.due_at IS NOT NULL, greatest(0, dateDiff('second', s.due_at, " + at
                + ")) / 3600, 0) AS overdue_hours,"
                + " dateDiff('second', greatest(s.last_event_at, v.last_visit), " + at + ") / 3600 AS since_contact"
                + " FROM (SELECT * FROM salespulse.customer_status FINAL WHERE tenant = " + quote(tenant)
                + " AND status IN ('active', 'overdue')) AS s"
                + " INNER JOIN (SELECT outlet_id, lat, lon FROM salespulse.outlets FINAL WHERE tenant = " + quote(tenant)
                + " AND kind = 'customer') AS o ON o.outlet_id = s.customer_id"
                + " LEFT JOIN (SELECT customer_id, max(occurred_at) AS last_visit FROM salespulse.visits FINAL"
                + " WHERE tenant = " + quote(tenant) + " GROUP BY customer_id) AS v ON v.customer_id = s.customer_id"
                + " ORDER BY s.rep_id, s.customer_id SETTINGS join_use_nulls = 0";
        Map<String, List<Candidate>> out = new TreeMap<>();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Reason reason = rs.getString(5).equals("overdue") ? Reason.OVERDUE
                        : rs.getBoolean(6) ? Reason.HIGH_POTENTIAL : Reason.DUE_FOR_VISIT;
                out.computeIfAbsent(rs.getString(1), r -> new ArrayList<>()).add(new Candidate(rs.getString(2),
                        new Point(rs.getDouble(3), rs.getDouble(4)), reason, rs.getDouble(7), rs.getDouble(8)));
            }
        }
        return out;
    }

    /** Per rep, the position of the first positioned check-in of each day of the four weeks before the day. */
    private static Map<String, List<Point>> firstCheckIns(ClickHouse c, String tenant, LocalDate day) throws SQLException {
        Instant to = day.atStartOfDay(ZONE).toInstant();
        Instant from = day.minusWeeks(START_WEEKS).atStartOfDay(ZONE).toInstant();
        String sql = "SELECT rep_id, argMin(lat, occurred_at), argMin(lon, occurred_at) FROM salespulse.visits FINAL"
                + " WHERE tenant = " + quote(tenant) + " AND lat IS NOT NULL AND lon IS NOT NULL"
                + " AND occurred_at >= fromUnixTimestamp64Milli(" + from.toEpochMilli() + ")"
                + " AND occurred_at < fromUnixTimestamp64Milli(" + to.toEpochMilli() + ")"
                + " GROUP BY rep_id, toDate(occurred_at, 'Asia/Shanghai')";
        Map<String, List<Point>> out = new TreeMap<>();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), r -> new ArrayList<>()).add(new Point(rs.getDouble(2), rs.getDouble(3)));
            }
        }
        return out;
    }

    private static void store(ClickHouse c, String tenant, LocalDate day, Map<String, Plan> plans, Instant now)
            throws SQLException {
        if (plans.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.connection().prepareStatement("INSERT INTO salespulse.visit_plans (tenant, day,"
                + " rep_id, seq, customer_id, lat, lon, reason, overdue_hours, leg_km, planned_at, version) VALUES (?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Plan> e : plans.entrySet()) {
                for (Stop s : e.getValue().stops()) {
                    ps.setString(1, tenant);
                    ps.setObject(2, day);
                    ps.setString(3, e.getKey());
                    ps.setInt(4, s.seq());
                    ps.setString(5, s.customer().customerId());
                    ps.setDouble(6, s.customer().at().lat());
                    ps.setDouble(7, s.customer().at().lon());
                    ps.setString(8, s.customer().reason().code());
                    ps.setDouble(9, s.customer().overdueHours());
                    ps.setDouble(10, s.legKm());
                    ps.setObject(11, now.truncatedTo(ChronoUnit.MILLIS));
                    ps.setLong(12, ChronoUnit.MICROS.between(Instant.EPOCH, now));
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    static void print(PrintWriter out, String tenant, LocalDate day, Map<String, Plan> plans) {
        out.println("Routes of tenant " + tenant + " for " + day + ":");
        double planned = 0;
        double priority = 0;
        for (Map.Entry<String, Plan> e : plans.entrySet()) {
            Plan p = e.getValue();
            long overdue = p.stops().stream().filter(s -> s.customer().reason() == Reason.OVERDUE).count();
            long high = p.stops().stream().filter(s -> s.customer().reason() == Reason.HIGH_POTENTIAL).count();
            out.println(String.format(Locale.ROOT, "  %-8s %2d stops (%d overdue, %d high potential)  %6.1f km"
                    + "  (priority order %6.1f km)", e.getKey(), p.stops().size(), overdue, high, p.totalKm(),
                    p.priorityOrderKm()));
            planned += p.totalKm();
            priority += p.priorityOrderKm();
        }
        out.println(String.format(Locale.ROOT, "  total: %d reps, %.1f km planned, %.1f km in priority order", plans.size(),
                planned, priority));
        out.println("Written to salespulse.visit_plans (the map dashboard's 明日拜访路线).");
        out.flush();
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

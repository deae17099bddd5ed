package io.salespulse.cli;

import io.salespulse.cli.cash.CashBook;
import io.salespulse.cli.cash.CashBook.Contract;
import io.salespulse.cli.cash.CashBook.Installment;
import io.salespulse.cli.cash.CashBook.Invoice;
import io.salespulse.cli.cash.CashBook.Payment;
import io.salespulse.cli.cash.CashForecast;
import io.salespulse.cli.cash.CashForecast.Forecast;
import io.salespulse.cli.cash.CashForecast.Month;
import io.salespulse.cli.cash.StageRuns;
import io.salespulse.contract.Stage;
import java.io.PrintWriter;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Lead to cash (docs/cash.md): {@code cash forecast} makes the monthly cash-flow forecast from what ClickHouse holds
 * (contracts, invoices, payments, stage cards) and writes it to {@code salespulse.cash_forecasts}; {@code cash status}
 * prints each region's collection cycle against the benchmark and the receivables past due; {@code cash benchmark}
 * sets the tenant's industry collection cycle.
 */
@Command(name = "cash",
        mixinStandardHelpOptions = true,
        description = "Lead to cash: collection cycles against the industry, receivables past due, the monthly cash-flow"
                + " forecast.",
        subcommands = {CashCommand.ForecastMonths.class, CashCommand.Status.class, CashCommand.Benchmark.class})
final class CashCommand implements Callable<Integer> {
    /** How much of the past the forecast reads: a year of payments and stage runs, plus the longest open ones. */
    static final Duration HISTORY = Duration.ofDays(550);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "forecast", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Forecast a tenant's collections per region and calendar month (Asia/Shanghai; this month from",
                "today): open invoices by the region's payment delays, signed installments not invoiced yet, open",
                "opportunities by their stage's win chance. Writes salespulse.cash_forecasts (forecasting the same day",
                "again replaces it) and prints the months with their 80% interval."})
    static final class ForecastMonths implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--months", defaultValue = "3", description = "Months ahead, this one included, 1..12 (default: ${DEFAULT-VALUE})")
        int months;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (months < 1 || months > 12) {
                throw new UserError("--months must be between 1 and 12, got " + months, 2);
            }
            Forecast f;
            try (ClickHouse c = ch.connect()) {
                f = forecastAndStore(c, tenant, Instant.now(), months);
            }
            print(spec.commandLine().getOut(), tenant, f);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Per region: contracts collected in the last 180 days and their mean collection cycle (signing to",
                "the last payment) against the tenant's benchmark, open receivables and those past due; then the",
                "largest balances past due."})
    static final class Status implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--top", defaultValue = "10", description = "Balances past due to list (default: ${DEFAULT-VALUE})")
        int top;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (ClickHouse c = ch.connect()) {
                printStatus(spec.commandLine().getOut(), c, tenant, top);
            }
            return 0;
        }
    }

    @Command(name = "benchmark", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Set the industry collection cycle a tenant compares itself with: days from signing a contract",
                "to collecting all of it (default 45). The dashboards and cash status read it at once."})
    static final class Benchmark implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--days", required = true, description = "Days, 1..365 (required)")
        int days;
        @Option(names = "--author", required = true, description = "Who changes it (required)")
        String author;
        @Mixin
        SilenceCommand.Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (days < 1 || days > 365) {
                throw new UserError("--days must be between 1 and 365, got " + days, 2);
            }
            try (ClickHouse c = ch.connect()) {
                TenantSettings.update(c, tenant, author, null, days);
            }
            spec.commandLine().getOut().println("tenant " + tenant + ": collection cycles are compared with " + days
                    + " days (by " + author + ")");
            return 0;
        }
    }

    /** Reads the tenant's book as of {@code asOf}, forecasts, writes the rows; what the demo runs too. */
    static Forecast forecastAndStore(ClickHouse c, String tenant, Instant asOf, int months) throws SQLException {
        CashBook book = load(c, tenant, asOf);
        Forecast f = CashForecast.make(book, asOf, CashForecast.Settings.defaults().withMonths(months));
        store(c, tenant, f, Instant.now());
        return f;
    }

    static CashBook load(ClickHouse c, String tenant, Instant asOf) throws SQLException {
        String t = quote(tenant);
        String until = "fromUnixTimestamp64Milli(" + asOf.toEpochMilli() + ")";
        String since = "fromUnixTimestamp64Milli(" + asOf.minus(HISTORY).toEpochMilli() + ")";
        List<Contract> contracts = new ArrayList<>();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT contract_id,"
                + " customer_id, region, toUnixTimestamp64Milli(occurred_at), amount, terms_days,"
                + " arrayMap(d -> toString(d), schedule_dates), schedule_amounts FROM salespulse.contracts FINAL"
                + " WHERE tenant = " + t + " AND occurred_at <= " + until + " AND occurred_at >= " + since)) {
            while (rs.next()) {
                String[] dates = strings(rs.getArray(7));
                double[] amounts = doubles(rs.getArray(8));
                List<Installment> schedule = new ArrayList<>();
                for (int i = 0; i < Math.min(dates.length, amounts.length); i++) {
                    schedule.add(new Installment(LocalDate.parse(dates[i]), amounts[i]));
                }
                contracts.add(new Contract(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), rs.getDouble(5), rs.getInt(6), schedule));
            }
        }
        List<Invoice> invoices = new ArrayList<>();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT invoice_id,"
                + " contract_id, region, toUnixTimestamp64Milli(occurred_at), toUnixTimestamp64Milli(due_at), amount"
                + " FROM salespulse.invoices FINAL WHERE tenant = " + t + " AND occurred_at <= " + until
                + " AND occurred_at >= " + since)) {
            while (rs.next()) {
                invoices.add(new Invoice(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), rs.getDouble(6)));
            }
        }
        List<Payment> payments = new ArrayList<>();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT invoice_id,"
                + " contract_id, toUnixTimestamp64Milli(occurred_at), amount FROM salespulse.payments FINAL"
                + " WHERE tenant = " + t + " AND occurred_at <= " + until + " AND occurred_at >= " + since)) {
            while (rs.next()) {
                payments.add(new Payment(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getDouble(4)));
            }
        }
        StageRuns runs = new StageRuns();
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT customer_id, region,"
                + " stage, ifNull(outcome, ''), deal_value, toUnixTimestamp64Milli(occurred_at)"
                + " FROM salespulse.stage_events FINAL WHERE tenant = " + t + " AND occurred_at <= " + until
                + " AND occurred_at >= " + since + " ORDER BY customer_id, occurred_at, event_id")) {
            while (rs.next()) {
                Object value = rs.getObject(5);
                runs.card(rs.getString(1), rs.getString(2), Stage.fromCode(rs.getString(3)).orElse(null), rs.getString(4),
                        value == null ? null : ((Number) value).doubleValue(), Instant.ofEpochMilli(rs.getLong(6)));
            }
        }
        return new CashBook(contracts, invoices, payments, runs.finish());
    }

    private static void store(ClickHouse c, String tenant, Forecast f, Instant now) throws SQLException {
        try (PreparedStatement ps = c.connection().prepareStatement("INSERT INTO salespulse.cash_forecasts (tenant,"
                + " made_on, region, month, invoiced, scheduled, pipeline, expected, low, high, made_at, version) VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Month m : f.months()) {
                ps.setString(1, tenant);
                ps.setObject(2, f.today());
                ps.setString(3, m.region());
                ps.setObject(4, m.month());
                ps.setDouble(5, m.invoiced());
                ps.setDouble(6, m.scheduled());
                ps.setDouble(7, m.pipeline());
                ps.setDouble(8, m.expected());
                ps.setDouble(9, m.low());
                ps.setDouble(10, m.high());
                ps.setObject(11, now.truncatedTo(ChronoUnit.MILLIS));
                ps.setLong(12, ChronoUnit.MICROS.between(Instant.EPOCH, now));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static void print(PrintWriter out, String tenant, Forecast f) {
        out.println("Cash-flow forecast of tenant " + tenant + ", made " + f.today() + " (CNY; 80% interval):");
        out.println(String.format(Locale.ROOT, "  %-10s %-8s %14s %14s %14s %14s   %s", "region", "month", "invoiced",
                "contracted", "pipeline", "expected", "80% interval"));
        for (Month m : f.months()) {
            out.println(String.format(Locale.ROOT, "  %-10s %-8s %,14.0f %,14.0f %,14.0f %,14.0f   %,.0f - %,.0f",
                    m.region().isEmpty() ? "(all)" : m.region(), m.month().toString().substring(0, 7), m.invoiced(),
                    m.scheduled(), m.pipeline(), m.expected(), m.low(), m.high()));
        }
        StringBuilder delays = new StringBuilder();
        f.meanDelayDays().forEach((r, d) -> delays.append(delays.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.1f", r, d)));
        out.println("  mean payment delay after due, days: " + (delays.isEmpty() ? "no invoices yet" : delays));
        if (f.unplaced() >= 0.5) {
            out.println(String.format(Locale.ROOT, "  not in any month: %,.0f of open invoices unpaid longer than the history"
                    + " saw invoices paid (or like those never paid); see cash status", f.unplaced()));
        }
    }

    static void printStatus(PrintWriter out, ClickHouse c, String tenant, int top) throws SQLException {
        String t = quote(tenant);
        out.println("Collections of tenant " + tenant + " (CNY):");
        out.println(String.format(Locale.ROOT, "  %-10s %9s %11s %10s %14s %14s", "region", "collected", "cycle days",
                "benchmark", "open", "past due"));
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT region,"
                + " countIf(collected_at >= now64(3) - INTERVAL 180 DAY), avgIf(cycle_days, collected_at >= now64(3) -"
                + " INTERVAL 180 DAY), any(benchmark_days), (SELECT sum(balance) FROM salespulse.receivables"
                + " WHERE tenant = " + t + " AND region = cc.region),"
                + " (SELECT sum(balance) FROM salespulse.receivables WHERE tenant = " + t + " AND region = cc.region"
                + " AND status = 'overdue') FROM salespulse.collection_cycles AS cc WHERE tenant = " + t
                + " GROUP BY region ORDER BY region")) {
            while (rs.next()) {
                double cycle = rs.getDouble(3);
                out.println(String.format(Locale.ROOT, "  %-10s %9d %11s %10d %,14.0f %,14.0f", rs.getString(1),
                        rs.getLong(2), rs.getLong(2) == 0 || Double.isNaN(cycle) ? "-" : String.format(Locale.ROOT,
                                "%.1f", cycle), rs.getInt(4), rs.getDouble(5), rs.getDouble(6)));
            }
        }
        out.println("Largest balances past due:");
        try (Statement st = c.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT invoice_id,"
                + " customer_id, rep_id, region, balance, days_past_due FROM salespulse.receivables WHERE tenant = " + t
                + " AND status = 'overdue' ORDER BY balance DESC, invoice_id LIMIT " + Math.max(0, top))) {
            boolean any = false;
            while (rs.next()) {
                any = true;
                out.println(String.format(Locale.ROOT, "  %-16s %-10s %-8s %-10s %,12.0f  %d days", rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getString(4), rs.getDouble(5), rs.getLong(6)));
            }
            if (!any) {
                out.println("  none");
            }
        }
    }

    private static String[] strings(Array a) throws SQLException {
        Object v = a == null ? null : a.getArray();
        if (v instanceof Object[] objects) {
            return Arrays.stream(objects).map(String::valueOf).toArray(String[]::new);
        }
        return new String[0];
    }

    private static double[] doubles(Array a) throws SQLException {
        Object v = a == null ? null : a.getArray();
        if (v instanceof double[] d) {
            return d;
        }
        if (v instanceof Object[] objects) {
            return Arrays.stream(objects).mapToDouble(o -> ((Number) o).doubleValue()).toArray();
        }
        return new double[0];
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

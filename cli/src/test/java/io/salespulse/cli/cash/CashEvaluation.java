package io.salespulse.cli.cash;

import io.salespulse.cli.cash.CashForecast.Forecast;
import io.salespulse.cli.cash.CashForecast.Month;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The forecast against what happened: simulated years (the simulator's contracts, invoices and payments, with one slow
 * region), cut at dates; at each cut the forecast is made from what was known then and compared, month by month, with
 * the money the simulated customers paid after the cut. The baseline is what finance does without SalesPulse: the
 * average month of the last three full months (for the current month, its share of the days left).
 */
final class CashEvaluation {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant END = Instant.parse("2026-12-01T00:00:00Z");
    /** The defaults, or other common uncertainties to calibrate them: -Dcash.region-shift-days, -Dcash.pipeline-spread. */
    static final CashForecast.Settings SETTINGS = settings();

    private static CashForecast.Settings settings() {
        CashForecast.Settings d = CashForecast.Settings.defaults();
        return new CashForecast.Settings(d.months(), d.draws(), d.seed(), d.zone(),
                Double.parseDouble(System.getProperty("cash.region-shift-days", String.valueOf(d.regionShiftDays()))),
                Double.parseDouble(System.getProperty("cash.pipeline-spread", String.valueOf(d.pipelineSpread()))));
    }

    /** One forecast month against its outcome. */
    record Outcome(long seed, LocalDate cut, int ahead, String region, double forecast, double low, double high,
            double naive, double actual, double[] forecastBySource, double[] actualBySource) {}

    private CashEvaluation() {}

    static List<Outcome> run(Scenario scenario, long seed, int weeks, Function<SimulationSettings.Builder,
            SimulationSettings.Builder> tune) throws Exception {
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSettings.Builder b = SimulationSettings.builder().scenario(scenario).seed(seed).erpHistoryMonths(12)
                .duration(Duration.ofDays(7L * weeks)).end(END);
        new Simulator(tune.apply(b).build()).run(sink);
        SimulatedBooks books = SimulatedBooks.of(sink.records());
        List<Outcome> out = new ArrayList<>();
        LocalDate first = LocalDate.ofInstant(END.minus(Duration.ofDays(7L * weeks)), ZONE).plusWeeks(20);
        LocalDate last = LocalDate.ofInstant(END, ZONE).minusMonths(3).withDayOfMonth(1).minusDays(1);
        for (LocalDate cut = first; !cut.isAfter(last); cut = cut.plusDays(19)) {
            Instant asOf = cut.atTime(18, 0).atZone(ZONE).toInstant();
            Forecast f = CashForecast.make(books.asOf(asOf), asOf, SETTINGS);
            for (Month m : f.months()) {
                int ahead = (int) java.time.temporal.ChronoUnit.MONTHS.between(cut.withDayOfMonth(1), m.month());
                Instant from = ahead == 0 ? asOf : m.month().atStartOfDay(ZONE).toInstant();
                Instant to = m.month().plusMonths(1).atStartOfDay(ZONE).toInstant();
                double actual = books.collected(m.region(), from, to);
                double naive = naive(books, m.region(), cut, ahead, asOf);
                out.add(new Outcome(seed, cut, ahead, m.region(), m.expected(), m.low(), m.high(), naive, actual,
                        new double[] {m.invoiced(), m.scheduled(), m.pipeline()},
                        books.collectedBySource(m.region(), asOf, from, to)));
            }
        }
        return out;
    }

    private static double naive(SimulatedBooks books, String region, LocalDate cut, int ahead, Instant asOf) {
        LocalDate thisMonth = cut.withDayOfMonth(1);
        double sum = books.collected(region, thisMonth.minusMonths(3).atStartOfDay(ZONE).toInstant(),
                thisMonth.atStartOfDay(ZONE).toInstant());
        double month = sum / 3;
        if (ahead > 0) {
            return month;
        }
        double days = thisMonth.lengthOfMonth();
        double left = Duration.between(asOf, thisMonth.plusMonths(1).atStartOfDay(ZONE).toInstant()).toHours() / 24.0;
        return month * left / days;
    }

    /** Weighted absolute percentage error, bias, interval coverage; per months ahead, tenant totals. */
    static String table(List<Outcome> outcomes) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-22s %6s %14s %10s %10s %10s %10s%n", "months ahead (tenant)", "n",
                "mean actual", "WAPE", "naive WAPE", "bias", "80% cover"));
        for (int ahead = 0; ahead < 3; ahead++) {
            int a = ahead;
            List<Outcome> rows = outcomes.stream().filter(o -> o.ahead() == a && o.region().isEmpty()).toList();
            s.append(line(ahead == 0 ? "0 (rest of the month)" : String.valueOf(ahead), rows));
        }
        s.append(String.format(Locale.ROOT, "%-22s %14s %14s %14s%n", "by source (tenant)", "open invoices",
                "signed, not inv.", "opportunities"));
        for (int ahead = 0; ahead < 3; ahead++) {
            int a = ahead;
            List<Outcome> rows = outcomes.stream().filter(o -> o.ahead() == a && o.region().isEmpty()).toList();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", "  " + ahead + ": forecast/actual"));
            for (int src = 0; src < 3; src++) {
                int k = src;
                double f = rows.stream().mapToDouble(o -> o.forecastBySource()[k]).sum();
                double act = rows.stream().mapToDouble(o -> o.actualBySource()[k]).sum();
                line.append(String.format(Locale.ROOT, " %14.3f", act == 0 ? Double.NaN : f / act));
            }
            s.append(line).append(System.lineSeparator());
        }
        s.append(String.format(Locale.ROOT, "%-22s%n", "next month, per region"));
        outcomes.stream().map(Outcome::region).filter(r -> !r.isEmpty()).distinct().sorted().forEach(r ->
                s.append(line("  " + r, outcomes.stream().filter(o -> o.ahead() == 1 && o.region().equals(r)).toList())));
        return s.toString();
    }

    private static String line(String label, List<Outcome> rows) {
        return String.format(Locale.ROOT, "%-22s %6d %,14.0f %10.3f %10.3f %+10.3f %10.3f%n", label, rows.size(),
                rows.stream().mapToDouble(Outcome::actual).average().orElse(0), wape(rows, false), wape(rows, true),
                bias(rows), coverage(rows));
    }

    static double wape(List<Outcome> rows, boolean naive) {
        double err = 0;
        double total = 0;
        for (Outcome o : rows) {
            err += Math.abs((naive ? o.naive() : o.forecast()) - o.actual());
            total += o.actual();
        }
        return total == 0 ? Double.NaN : err / total;
    }

    static double bias(List<Outcome> rows) {
        double err = 0;
        double total = 0;
        for (Outcome o : rows) {
            err += o.forecast() - o.actual();
            total += o.actual();
        }
        return total == 0 ? Double.NaN : err / total;
    }

    static double coverage(List<Outcome> rows) {
        return rows.isEmpty() ? Double.NaN
                : rows.stream().filter(o -> o.actual() >= o.low() - 0.5 && o.actual() <= o.high() + 0.5).count()
                        / (double) rows.size();
    }
}

package io.salespulse.cli.cash;

import io.salespulse.cli.cash.CashBook.Contract;
import io.salespulse.cli.cash.CashBook.Installment;
import io.salespulse.cli.cash.CashBook.Invoice;
import io.salespulse.cli.cash.CashBook.Opportunity;
import io.salespulse.cli.cash.CashBook.Payment;
import io.salespulse.cli.cash.DayCurve.Observation;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The monthly cash-flow forecast (docs/cash.md): how much money comes in, per region and calendar month, from three
 * sources, each item's amount spread over the days it may arrive on:
 * <ol>
 *   <li><b>Open invoices</b>: the balance, paid after its due date by the region's payment delay, given that it is
 *       still unpaid today. The delay curve is the amount-weighted Kaplan-Meier estimate over the region's invoices
 *       (paid money happened on its day; unpaid balances are cut off today), the tenant's when the region has fewer
 *       than {@value #MIN_REGION_INVOICES} invoices due.</li>
 *   <li><b>Signed contracts not invoiced yet</b>: the installments left (the latest ones: invoices are issued in
 *       schedule order), invoiced on their day (today if late), due after the contract's terms, then the delay.</li>
 *   <li><b>Open opportunities</b>: the chance that a customer at its stage wins, and when (Kaplan-Meier over the
 *       tenant's past runs from that stage: a lost run never wins, an open one is cut off today, given the days it
 *       has already spent there), times its deal value (or the region's median contract), then the tenant's usual
 *       days from a win to signing, its installment pattern, the region's mix of terms and the delay.</li>
 *   <li><b>Customers not contacted yet</b>: the region's rate of new contacts over the last {@value #NEW_CONTACT_DAYS}
 *       days goes on; each future contact is an opportunity at the contact stage from its day.</li>
 * </ol>
 * The expected value per month is exact for that model; the 80% interval comes from {@code draws} joint draws of
 * every item's day (the installments of one contract share their draw: a slow customer is slow on all of them), with
 * a common shift of each region's days and a common factor on the opportunities' money per draw.
 */
public final class CashForecast {
    /** A region's own payment delays count once it has this many invoices past due; until then the tenant's. */
    static final int MIN_REGION_INVOICES = 20;
    /** Earliest payment before the due date the delay curve keeps apart (earlier ones count on this day). */
    static final int EARLIEST_DAY = -90;
    /** The longest wait the curves follow; anything later is beyond every forecast. */
    static final int LATEST_DAY = 400;
    static final int DEFAULT_SIGN_LAG_DAYS = 2;
    static final int DEFAULT_TERMS_DAYS = 30;
    /** The window over which the rate of new contacts is measured. */
    static final int NEW_CONTACT_DAYS = 56;

    /**
     * How far ahead, how many draws for the interval, the draws' seed, the calendar of days and months, and the two
     * common uncertainties of the interval: the standard deviation in days of a whole region paying earlier or later
     * than its history ({@code regionShiftDays}), and of the log of the pipeline converting better or worse
     * ({@code pipelineSpread}).
     */
    public record Settings(int months, int draws, long seed, ZoneId zone, double regionShiftDays, double pipelineSpread) {
        public static Settings defaults() {
            return new Settings(3, 2000, 20261202L, ZoneId.of("Asia/Shanghai"), 1, 0.10);
        }

        public Settings withMonths(int n) {
            return new Settings(n, draws, seed, zone, regionShiftDays, pipelineSpread);
        }
    }

    /** One region's (empty: the tenant's) forecast of one month. */
    public record Month(String region, LocalDate month, double invoiced, double scheduled, double pipeline,
            double expected, double low, double high) {}

    /**
     * The forecast, and what it was made from: each region's mean delay after due and the tenant's win chances;
     * {@code unplaced} is the open invoices' money the history cannot put on any day (unpaid longer than any invoice it
     * saw paid, or like those never paid), in no month.
     */
    public record Forecast(Instant asOf, LocalDate today, List<Month> months, Map<String, Double> meanDelayDays,
            double[] winChance, double unplaced) {}

    private enum Source { INVOICED, SCHEDULED, PIPELINE }

    /** An amount that arrives on a day drawn from {@code curve} (days from today); items of one group draw together. */
    private record Item(String region, Source source, double amount, DayCurve curve, String group) {}

    private CashForecast() {}

    public static Forecast make(CashBook book, Instant asOf, Settings settings) {
        ZoneId zone = settings.zone();
        LocalDate today = LocalDate.ofInstant(asOf, zone);
        List<LocalDate> monthStarts = new ArrayList<>();
        for (int m = 0; m < settings.months(); m++) {
            monthStarts.add(today.withDayOfMonth(1).plusMonths(m));
        }
        int horizon = (int) ChronoUnit.DAYS.between(today, monthStarts.get(monthStarts.size() - 1).plusMonths(1)) - 1;

        Map<String, List<Payment>> paymentsByInvoice = new HashMap<>();
        for (Payment p : book.payments()) {
            if (!p.receivedAt().isAfter(asOf)) {
                paymentsByInvoice.computeIfAbsent(p.invoiceId(), k -> new ArrayList<>()).add(p);
            }
        }
        List<Invoice> invoices = book.invoices().stream().filter(i -> !i.issuedAt().isAfter(asOf)).toList();
        Delays delays = Delays.of(invoices, paymentsByInvoice, asOf, today, zone);

        List<Item> items = new ArrayList<>();
        double unplaced = 0;
        Map<String, Double> invoicedByContract = new HashMap<>();
        for (Invoice i : invoices) {
            invoicedByContract.merge(i.contractId(), i.amount(), Double::sum);
            double balance = i.amount() - paid(paymentsByInvoice.get(i.invoiceId()), asOf);
            if (balance > 0.01) {
                int k = days(i.dueAt(), today, zone);
                // Unpaid through yesterday (today may still bring it): day k - 1 + j of the curve is j days from today - 1.
                DayCurve unpaidSoFar = delays.of(i.region()).givenNothingBy(k - 1).shift(-1);
                unplaced += balance * (1 - unpaidSoFar.total());
                items.add(new Item(i.region(), Source.INVOICED, balance, unpaidSoFar.truncate(horizon), i.contractId()));
            }
        }

        List<Contract> contracts = book.contracts().stream().filter(c -> !c.signedAt().isAfter(asOf)).toList();
        for (Contract c : contracts) {
            double left = c.amount() - invoicedByContract.getOrDefault(c.contractId(), 0.0);
            List<Installment> schedule = c.schedule().isEmpty()
                    ? List.of(new Installment(LocalDate.ofInstant(c.signedAt(), zone), c.amount()))
                    : c.schedule().stream().sorted(Comparator.comparing(Installment::invoiceOn)).toList();
            for (int n = schedule.size() - 1; n >= 0 && left > 0.01; n--) {
                Installment inst = schedule.get(n);
                double amount = Math.min(inst.amount(), left);
                left -= amount;
                int invoiceIn = Math.max(0, (int) ChronoUnit.DAYS.between(today, inst.invoiceOn()));
                DayCurve when = delays.of(c.region()).shift(invoiceIn + c.termsDays()).from(0).truncate(horizon);
                items.add(new Item(c.region(), Source.SCHEDULED, amount, when, c.contractId()));
            }
        }

        Pipeline pipeline = Pipeline.of(book.opportunities(), contracts, asOf, today, zone);
        Map<String, DayCurve> afterWin = new HashMap<>();
        Map<String, DayCurve> cache = new HashMap<>();
        for (Opportunity o : book.opportunities()) {
            int stage = o.currentStage();
            if (!o.open() || stage < 0 || o.reached().get(stage).isAfter(asOf)) {
                continue;
            }
            double value = o.dealValue() != null && o.dealValue() > 0 ? o.dealValue() : pipeline.typicalAmount(o.region());
            if (value <= 0) {
                continue;
            }
            int waited = days(o.reached().get(stage), today, zone);
            DayCurve tail = afterWin.computeIfAbsent(o.region(), r -> pipeline.afterWin(r, delays.of(r), horizon));
            DayCurve curve = cache.computeIfAbsent(o.region() + "|" + stage + "|" + waited,
                    k -> pipeline.win(stage).givenNothingBy(waited - 1).shift(-1).truncate(horizon).then(tail)
                            .from(0).truncate(horizon));
            items.add(new Item(o.region(), Source.PIPELINE, value, curve, o.customerId()));
        }

        // Customers not in the pipeline yet: the region's rate of new contacts over the last weeks goes on, and each
        // new contact follows the contact stage's win curve from its day.
        Map<String, Integer> contacts = new TreeMap<>();
        Instant since = asOf.minus(java.time.Duration.ofDays(NEW_CONTACT_DAYS));
        for (Opportunity o : book.opportunities()) {
            Instant first = o.reached().isEmpty() ? null : o.reached().get(0);
            if (first != null && first.isAfter(since) && !first.isAfter(asOf)) {
                contacts.merge(o.region(), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> e : contacts.entrySet()) {
            String region = e.getKey();
            double perDay = e.getValue() / (double) NEW_CONTACT_DAYS;
            double value = pipeline.typicalAmount(region);
            if (value <= 0) {
                continue;
            }
            DayCurve tail = afterWin.computeIfAbsent(region, r -> pipeline.afterWin(r, delays.of(r), horizon));
            DayCurve fromContact = pipeline.win(0).truncate(horizon).then(tail).truncate(horizon);
            for (int k = 0; ; k++) {
                int day = 1 + (int) ((k + 0.5) / perDay);
                if (day > horizon) {
                    break;
                }
                items.add(new Item(region, Source.PIPELINE, value, fromContact.shift(day).truncate(horizon),
                        "new|" + region + "|" + k));
            }
        }

        return new Forecast(asOf, today, months(items, today, monthStarts, horizon, settings), delays.means(),
                pipeline.winChances(), unplaced);
    }

    private static List<Month> months(List<Item> items, LocalDate today, List<LocalDate> monthStarts, int horizon,
            Settings settings) {
        int[] monthOfDay = new int[horizon + 1];
        int[][] bounds = new int[monthStarts.size()][2];
        for (int m = 0; m < monthStarts.size(); m++) {
            int from = Math.max(0, (int) ChronoUnit.DAYS.between(today, monthStarts.get(m)));
            int to = (int) ChronoUnit.DAYS.between(today, monthStarts.get(m).plusMonths(1)) - 1;
            bounds[m] = new int[] {from, to};
            Arrays.fill(monthOfDay, from, to + 1, m);
        }
        TreeSet<String> regions = new TreeSet<>();
        items.forEach(i -> regions.add(i.region()));
        List<String> keys = new ArrayList<>(regions);
        keys.add(0, "");
        Map<String, Integer> index = new HashMap<>();
        for (int r = 0; r < keys.size(); r++) {
            index.put(keys.get(r), r);
        }
        int months = monthStarts.size();
        double[][][] expected = new double[keys.size()][months][Source.values().length];
        for (Item item : items) {
            for (int m = 0; m < months; m++) {
                double v = item.amount() * item.curve().between(bounds[m][0], bounds[m][1]);
                expected[index.get(item.region())][m][item.source().ordinal()] += v;
                expected[0][m][item.source().ordinal()] += v;
            }
        }

        // Joint draws: one uniform per group and draw, so a contract's installments land together.
        double[][][] drawn = new double[keys.size()][months][settings.draws()];
        Map<String, Long> groupSeeds = new HashMap<>();
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        List<Item> ordered = new ArrayList<>(items);
        ordered.sort(Comparator.comparing(Item::group).thenComparing(Item::region).thenComparing(i -> i.source().name())
                .thenComparingDouble(Item::amount));
        // What the items' independent draws leave out: a whole region paying a few days earlier or later than its
        // history (a slow month, a holiday), and the pipeline converting better or worse than before. One shift per
        // region and draw, one factor per draw; their sizes are calibrated on simulated years (docs/cash.md).
        SplittableRandom common = new SplittableRandom(settings.seed() + 1);
        int[][] shift = new int[keys.size()][settings.draws()];
        double[] pipelineFactor = new double[settings.draws()];
        for (int d = 0; d < settings.draws(); d++) {
            for (int r = 1; r < keys.size(); r++) {
                shift[r][d] = (int) Math.round(settings.regionShiftDays() * gaussian(common));
            }
            pipelineFactor[d] = Math.exp(settings.pipelineSpread() * gaussian(common)
                    - settings.pipelineSpread() * settings.pipelineSpread() / 2);
        }
        for (Item item : ordered) {
            long seed = groupSeeds.computeIfAbsent(item.group(), g -> seeds.nextLong());
            SplittableRandom random = new SplittableRandom(seed);
            int r = index.get(item.region());
            for (int d = 0; d < settings.draws(); d++) {
                int day = item.curve().sample(random.nextDouble());
                if (day == Integer.MAX_VALUE) {
                    continue;
                }
                day = Math.max(0, day + shift[r][d]);
                if (day <= horizon) {
                    int m = monthOfDay[day];
                    double amount = item.source() == Source.PIPELINE ? item.amount() * pipelineFactor[d] : item.amount();
                    drawn[r][m][d] += amount;
                    drawn[0][m][d] += amount;
                }
            }
        }

        List<Month> out = new ArrayList<>();
        for (String region : keys) {
            int r = index.get(region);
            for (int m = 0; m < months; m++) {
                double[] e = expected[r][m];
                double[] sample = drawn[r][m].clone();
                Arrays.sort(sample);
                out.add(new Month(region, monthStarts.get(m), e[0], e[1], e[2], e[0] + e[1] + e[2],
                        quantile(sample, 0.10), quantile(sample, 0.90)));
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        double u = Math.max(1e-12, random.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static double paid(List<Payment> payments, Instant asOf) {
        double s = 0;
        if (payments != null) {
            for (Payment p : payments) {
                if (!p.receivedAt().isAfter(asOf)) {
                    s += p.amount();
                }
            }
        }
        return s;
    }

    /** Calendar days from the day of {@code at} to {@code today}. */
    static int days(Instant at, LocalDate today, ZoneId zone) {
        return (int) ChronoUnit.DAYS.between(LocalDate.ofInstant(at, zone), today);
    }

    static double median(List<Double> values, double otherwise) {
        if (values.isEmpty()) {
            return otherwise;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /** Each region's payment delay after the due date, in days, as a curve. */
    private record Delays(Map<String, DayCurve> byRegion, DayCurve tenant, Map<String, Double> means) {
        static Delays of(List<Invoice> invoices, Map<String, List<Payment>> paymentsByInvoice, Instant asOf,
                LocalDate today, ZoneId zone) {
            Map<String, List<Observation>> byRegion = new TreeMap<>();
            Map<String, Integer> due = new HashMap<>();
            List<Observation> all = new ArrayList<>();
            for (Invoice i : invoices) {
                LocalDate dueOn = LocalDate.ofInstant(i.dueAt(), zone);
                List<Payment> ps = new ArrayList<>(paymentsByInvoice.getOrDefault(i.invoiceId(), List.of()));
                ps.sort(Comparator.comparing(Payment::receivedAt));
                double left = i.amount();
                List<Observation> obs = byRegion.computeIfAbsent(i.region(), r -> new ArrayList<>());
                for (Payment p : ps) {
                    double w = Math.min(left, p.amount());
                    if (w <= 0) {
                        break;
                    }
                    left -= w;
                    Observation o = new Observation((int) ChronoUnit.DAYS.between(dueOn,
                            LocalDate.ofInstant(p.receivedAt(), zone)), w, true);
                    obs.add(o);
                    all.add(o);
                }
                if (left > 0.01) {
                    Observation o = new Observation((int) ChronoUnit.DAYS.between(dueOn, today) - 1, left, false);
                    obs.add(o);
                    all.add(o);
                }
                if (!dueOn.isAfter(today)) {
                    due.merge(i.region(), 1, Integer::sum);
                }
            }
            DayCurve tenant = DayCurve.kaplanMeier(all, EARLIEST_DAY, LATEST_DAY);
            Map<String, DayCurve> curves = new HashMap<>();
            Map<String, Double> means = new TreeMap<>();
            byRegion.forEach((region, obs) -> {
                DayCurve c = due.getOrDefault(region, 0) >= MIN_REGION_INVOICES
                        ? DayCurve.kaplanMeier(obs, EARLIEST_DAY, LATEST_DAY) : tenant;
                curves.put(region, c);
                means.put(region, mean(c));
            });
            return new Delays(curves, tenant, means);
        }

        DayCurve of(String region) {
            return byRegion.getOrDefault(region, tenant);
        }

        /** The mean delay of the money this history saw paid (the beyond mass left out). */
        static double mean(DayCurve c) {
            double s = 0;
            double w = 0;
            for (int d = c.first(); d <= c.last(); d++) {
                s += d * c.p(d);
                w += c.p(d);
            }
            return w == 0 ? Double.NaN : s / w;
        }
    }

    /** The tenant's win chances per stage and what follows a win: signing, invoicing, terms. */
    private record Pipeline(DayCurve[] winCurves, DayCurve installments, int signLagDays,
            Map<String, DayCurve> termsByRegion, Map<String, Double> amountByRegion, double tenantAmount,
            DayCurve tenantTerms) {
        static Pipeline of(List<Opportunity> opportunities, List<Contract> contracts, Instant asOf, LocalDate today,
                ZoneId zone) {
            int stages = 5;
            List<List<Observation>> observations = new ArrayList<>();
            for (int s = 0; s < stages; s++) {
                observations.add(new ArrayList<>());
            }
            Map<String, Instant> lastWin = new HashMap<>();
            for (Opportunity o : opportunities) {
                boolean won = o.wonAt() != null && !o.wonAt().isAfter(asOf);
                boolean lost = o.lostAt() != null && !o.lostAt().isAfter(asOf);
                if (won) {
                    lastWin.merge(o.customerId(), o.wonAt(), (a, b) -> a.isAfter(b) ? a : b);
                }
                for (int s = 0; s < Math.min(stages, o.reached().size()); s++) {
                    Instant at = o.reached().get(s);
                    if (at == null || at.isAfter(asOf)) {
                        continue;
                    }
                    LocalDate from = LocalDate.ofInstant(at, zone);
                    if (won) {
                        observations.get(s).add(new Observation((int) ChronoUnit.DAYS.between(from,
                                LocalDate.ofInstant(o.wonAt(), zone)), 1, true));
                    } else if (lost) {
                        observations.get(s).add(new Observation(LATEST_DAY, 1, false));
                    } else {
                        observations.get(s).add(new Observation((int) ChronoUnit.DAYS.between(from, today) - 1, 1,
                                false));
                    }
                }
            }
            DayCurve[] win = new DayCurve[stages];
            for (int s = 0; s < stages; s++) {
                win[s] = DayCurve.kaplanMeier(observations.get(s), 0, LATEST_DAY);
            }

            List<Double> lags = new ArrayList<>();
            List<Observation> offsets = new ArrayList<>();
            Map<String, List<Observation>> terms = new HashMap<>();
            Map<String, List<Double>> amounts = new HashMap<>();
            List<Observation> allTerms = new ArrayList<>();
            List<Double> allAmounts = new ArrayList<>();
            for (Contract c : contracts) {
                Instant wonAt = lastWin.get(c.customerId());
                if (wonAt != null && !wonAt.isAfter(c.signedAt())) {
                    lags.add((double) ChronoUnit.DAYS.between(LocalDate.ofInstant(wonAt, zone),
                            LocalDate.ofInstant(c.signedAt(), zone)));
                }
                LocalDate signedOn = LocalDate.ofInstant(c.signedAt(), zone);
                if (c.schedule().isEmpty()) {
                    offsets.add(new Observation(0, 1, true));
                } else {
                    for (Installment i : c.schedule()) {
                        offsets.add(new Observation((int) Math.max(0, ChronoUnit.DAYS.between(signedOn, i.invoiceOn())),
                                i.amount() / c.amount(), true));
                    }
                }
                Observation t = new Observation(c.termsDays(), c.amount(), true);
                terms.computeIfAbsent(c.region(), r -> new ArrayList<>()).add(t);
                amounts.computeIfAbsent(c.region(), r -> new ArrayList<>()).add(c.amount());
                allTerms.add(t);
                allAmounts.add(c.amount());
            }
            // The terms as the amount-weighted mix the region signs (30, 45, 60 days...), not one typical value: a
            // month's money depends on which contracts fall due in it.
            Map<String, DayCurve> termsByRegion = new HashMap<>();
            terms.forEach((r, t) -> termsByRegion.put(r, DayCurve.kaplanMeier(t, 0, LATEST_DAY)));
            Map<String, Double> amountByRegion = new HashMap<>();
            // The expected value of a win is the mean contract, not the median: amounts are skewed.
            amounts.forEach((r, a) -> amountByRegion.put(r, mean(a)));
            DayCurve installments = offsets.isEmpty() ? DayCurve.at(0) : DayCurve.kaplanMeier(offsets, 0, LATEST_DAY);
            return new Pipeline(win, installments, (int) Math.round(median(lags, DEFAULT_SIGN_LAG_DAYS)), termsByRegion,
                    amountByRegion, mean(allAmounts), allTerms.isEmpty() ? DayCurve.at(DEFAULT_TERMS_DAYS)
                            : DayCurve.kaplanMeier(allTerms, 0, LATEST_DAY));
        }

        DayCurve win(int stage) {
            return winCurves[stage];
        }

        double typicalAmount(String region) {
            return amountByRegion.getOrDefault(region, tenantAmount);
        }

        /** From the win to the money: signing lag, the installment pattern, the region's terms, its delay. */
        DayCurve afterWin(String region, DayCurve delay, int horizon) {
            DayCurve terms = termsByRegion.getOrDefault(region, tenantTerms);
            return installments.shift(signLagDays).then(terms).truncate(horizon).then(delay.truncate(horizon))
                    .truncate(horizon);
        }

        /** Per stage, the chance that a run there wins (within the history's longest wait). */
        double[] winChances() {
            double[] p = new double[winCurves.length];
            for (int s = 0; s < p.length; s++) {
                p[s] = winCurves[s].between(0, LATEST_DAY);
            }
            return p;
        }
    }
}

package io.salespulse.pipeline.funnel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Drop detection against the statistical limit (issue 14), on {@link DropHistory} histories: the job's sequential
 * test ({@link SequentialDropTest#judge}, hourly window ends, the job's default settings), the previous 7-day window
 * rule (z-test p &lt; 0.001, 15%, 48 h confirm) and an oracle that knows p0, p1 and the true time-to-advance curve
 * (CUSUM of the exact censored log-likelihood ratios, same evidence threshold). Prints the table of docs/funnel.md;
 * runs only with {@code -Dfunnel.drop-evaluate=true}:
 *
 * <pre>nice -n 5 mvn -o -q -pl pipeline -am test -Dtest=DropEvaluation -Dsurefire.failIfNoSpecifiedTests=false
 *     -Dfunnel.drop-evaluate=true -Dfunnel.seeds=30</pre>
 */
@EnabledIfSystemProperty(named = "funnel.drop-evaluate", matches = "true")
class DropEvaluation {
    static final double[] EFFECTS = {0.15, 0.25, 0.40};
    static final double[] VOLUMES = {5, 12, 25, 60};
    static final long WARM = 35 * DropHistory.DAY;

    record Outcome(DropHistory h, List<Long> alarms, List<Long> recoveries, long oracle, long window) {}

    @Test
    void measure() {
        int seeds = Integer.getInteger("funnel.seeds", 30);
        double evidence = Double.parseDouble(System.getProperty("funnel.evidence",
                String.valueOf(FunnelSettings.defaults().dropEvidence)));
        FunnelSettings s = FunnelSettings.defaults();
        SequentialDropTest test = new SequentialDropTest(s.windowMs, s.baselineWeeks * FunnelSettings.WEEK,
                DropHistory.ZONE, evidence);
        List<DropHistory> histories = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            for (double v : VOLUMES) {
                for (double e : EFFECTS) {
                    histories.add(new DropHistory(DropHistory.Kind.DROP, v, e, seed));
                    histories.add(new DropHistory(DropHistory.Kind.DROP_RECOVERS, v, e, seed));
                }
                for (DropHistory.Kind k : List.of(DropHistory.Kind.PLAIN, DropHistory.Kind.VOLUME_DIP,
                        DropHistory.Kind.SLOW_TREND)) {
                    histories.add(new DropHistory(k, v, 0, seed));
                }
            }
        }
        long started = System.nanoTime();
        List<Outcome> outcomes = IntStream.range(0, histories.size()).parallel()
                .mapToObj(i -> run(histories.get(i), test, s)).toList();
        System.out.printf(Locale.ROOT, "%d histories (%d seeds), evidence %.1f, %.0f s%n", histories.size(), seeds,
                evidence, (System.nanoTime() - started) / 1e9);
        report(outcomes);
    }

    static Outcome run(DropHistory h, SequentialDropTest test, FunnelSettings s) {
        SequentialDropTest.Entries es = h.asEntries();
        DropWatch w = new DropWatch();
        List<Long> alarms = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        SequentialDropTest.Verdict[] last = new SequentialDropTest.Verdict[1];
        long end = DropHistory.T0 + DropHistory.DAYS * DropHistory.DAY;
        for (long t = DropHistory.T0 + WARM; t <= end; t += DropHistory.HOUR) {
            SequentialDropTest.Step step = test.judge(w, es, t, s.dropThreshold, s.minEntered, true, last);
            if (step == SequentialDropTest.Step.OPENED) {
                alarms.add(t);
                if (Boolean.getBoolean("funnel.debug") && (h.changeAt == 0 || t < h.changeAt)) {
                    System.out.printf(Locale.ROOT, "false %s %.0f/day day %.1f (dow %d) %s%n", h.kind, h.volume,
                            (t - DropHistory.T0) / (double) DropHistory.DAY,
                            Math.floorMod((t - DropHistory.T0) / DropHistory.DAY, 7), last[0]);
                    diagnose(h, es, test, t, last[0]);
                }
            } else if (step == SequentialDropTest.Step.RECOVERED) {
                recoveries.add(t);
            }
        }
        long oracle = h.changeAt == 0 ? -1 : oracle(h, es, test.evidence, s.windowMs);
        long window = h.changeAt == 0 ? -1 : windowRule(es, h.changeAt, end, s);
        return new Outcome(h, alarms, recoveries, oracle, window);
    }

    /**
     * With {@code -Dfunnel.debug=true}, for a false alarm: the best sum's entries as the test's clock saw them against
     * the truth (expected advances, ages in median delays; the median of Gamma(2) is 1.678 of its scale) and the
     * clock's working time per day of the last four weeks against the history's.
     */
    static void diagnose(DropHistory h, SequentialDropTest.Entries es, SequentialDropTest test, long t,
            SequentialDropTest.Verdict v) {
        SequentialDropTest.Clock clock = test.new Clock(es, t);
        double now = clock.at(t);
        double estExposure = 0;
        double trueExpected = 0;
        int adv = 0;
        double sumAgeEst = 0;
        double sumAgeTrue = 0;
        for (int i = v.bestFrom; i < v.bestTo; i++) {
            boolean a = es.advancedAt[i] < t;
            adv += a ? 1 : 0;
            double ageEst = now - clock.at(es.entryAt[i]);
            double ageTrue = DropHistory.work(es.entryAt[i], t);
            sumAgeEst += ageEst;
            sumAgeTrue += ageTrue;
            estExposure += a ? 1 : clock.advancedBy(ageEst);
            trueExpected += h.rate(es.entryAt[i]) * DropHistory.delayCdf(ageTrue);
        }
        int n = v.bestTo - v.bestFrom;
        StringBuilder days = new StringBuilder("    days (est/true):");
        long d0 = DropHistory.T0
                + Math.floorDiv(t - 28 * DropHistory.DAY - DropHistory.T0, DropHistory.DAY) * DropHistory.DAY;
        for (long d = d0; d < t; d += DropHistory.DAY) {
            long e = Math.min(t, d + DropHistory.DAY);
            days.append(String.format(Locale.ROOT, " %d:%.0f/%.1f", (d - DropHistory.T0) / DropHistory.DAY,
                    clock.at(e) - clock.at(d), DropHistory.work(d, e)));
        }
        System.out.println(days);
        double trueMedian = 1.678 * DropHistory.MEAN_DELAY_HOURS / 2;
        System.out.printf(Locale.ROOT, "    from day %.1f: n=%d advanced=%d, true expected advances %.1f;"
                + " est exposure %.1f; mean age in median delays: est %.2f true %.2f (baseline delays %d)%n",
                (es.entryAt[v.bestFrom] - DropHistory.T0) / (double) DropHistory.DAY, n, adv, trueExpected,
                estExposure, sumAgeEst / n / clock.delays[clock.delays.length / 2], sumAgeTrue / n / trueMedian,
                clock.delays.length);
    }

    /** The first hour at or after the change where the oracle's CUSUM reaches the evidence; -1 when never. */
    static long oracle(DropHistory h, SequentialDropTest.Entries es, double evidence, long horizon) {
        long start = Math.floorDiv(DropHistory.T0, DropHistory.HOUR) * DropHistory.HOUR;
        long end = DropHistory.T0 + DropHistory.DAYS * DropHistory.DAY;
        int hours = (int) ((end + 30 * DropHistory.DAY - start) / DropHistory.HOUR);
        double[] work = new double[hours + 1];
        for (int i = 0; i < hours; i++) {
            work[i + 1] = work[i] + DropHistory.activity(start + i * DropHistory.HOUR);
        }
        java.util.function.LongToDoubleFunction clock = t -> {
            double x = (double) (t - start) / DropHistory.HOUR;
            int k = (int) x;
            return work[k] + (x - k) * DropHistory.activity(start + k * DropHistory.HOUR);
        };
        double p0 = h.p0;
        double p1 = h.p0 * (1 - h.effect);
        for (long t = Math.floorDiv(h.changeAt, DropHistory.HOUR) * DropHistory.HOUR + DropHistory.HOUR; t <= end;
                t += DropHistory.HOUR) {
            double sum = 0;
            int first = es.from(t - 2 * horizon);
            for (int i = es.from(t) - 1; i >= first; i--) {
                long e = es.entryAt[i];
                long seen = Math.min(t, e + horizon);
                double llr;
                if (es.advancedAt[i] < seen) {
                    llr = Math.log(p1 / p0);
                } else {
                    double g = DropHistory.delayCdf(clock.applyAsDouble(seen) - clock.applyAsDouble(e));
                    llr = Math.log(1 - p1 * g) - Math.log(1 - p0 * g);
                }
                sum += llr;
                if (sum >= evidence) {
                    return t;
                }
            }
        }
        return -1;
    }

    /** The previous rule on the same entries: the first end at or after the change where its episode opens. */
    static long windowRule(SequentialDropTest.Entries es, long from, long end, FunnelSettings s) {
        long droppingSince = 0;
        for (long t = Math.floorDiv(from, DropHistory.HOUR) * DropHistory.HOUR + DropHistory.HOUR; t <= end;
                t += DropHistory.HOUR) {
            long[] now = counts(es, t, t);
            long n0 = 0;
            long a0 = 0;
            for (int k = 1; k <= s.baselineWeeks; k++) {
                long[] b = counts(es, t - k * FunnelSettings.WEEK, t - k * FunnelSettings.WEEK);
                n0 += b[0];
                a0 += b[1];
            }
            boolean dropping = n0 > 0 && a0 > 0 && now[0] >= s.minEntered;
            if (dropping) {
                double rate = (double) now[1] / now[0];
                double base = (double) a0 / n0;
                dropping = (base - rate) / base > s.dropThreshold && DropTest.pValue(now[1], now[0], a0, n0) < s.pValue;
            }
            droppingSince = dropping ? (droppingSince == 0 ? t : droppingSince) : 0;
            if (dropping && t - droppingSince >= s.confirmMs) {
                return t;
            }
        }
        return -1;
    }

    private static long[] counts(SequentialDropTest.Entries es, long windowEnd, long asOf) {
        long n = 0;
        long a = 0;
        for (int i = es.from(windowEnd - 7 * DropHistory.DAY); i < es.entryAt.length && es.entryAt[i] < windowEnd; i++) {
            n++;
            if (es.advancedAt[i] < asOf) {
                a++;
            }
        }
        return new long[] {n, a};
    }

    static void report(List<Outcome> outcomes) {
        int truePositives = 0;
        int falsePositives = 0;
        Map<String, int[]> falseByKind = new TreeMap<>();
        Map<String, List<double[]>> byCell = new TreeMap<>();
        List<Double> recoveryDelays = new ArrayList<>();
        int recoveriesMissed = 0;
        for (Outcome o : outcomes) {
            DropHistory h = o.h;
            long firstTrue = -1;
            for (long a : o.alarms) {
                boolean right = h.changeAt > 0 && a >= h.changeAt && a <= h.changeEnd + 7 * DropHistory.DAY;
                if (right) {
                    truePositives++;
                    if (firstTrue < 0) {
                        firstTrue = a;
                    }
                } else {
                    falsePositives++;
                    falseByKind.computeIfAbsent(h.kind + " " + (int) h.volume + "/day", k -> new int[1])[0]++;
                }
            }
            if (h.changeAt > 0) {
                String cell = String.format(Locale.ROOT, "%2.0f%% drop, %2.0f entries/day", h.effect * 100, h.volume);
                byCell.computeIfAbsent(cell, k -> new ArrayList<>()).add(new double[] {
                        firstTrue < 0 ? Double.NaN : (firstTrue - h.changeAt) / (double) DropHistory.HOUR,
                        o.oracle < 0 ? Double.NaN : (o.oracle - h.changeAt) / (double) DropHistory.HOUR,
                        o.window < 0 ? Double.NaN : (o.window - h.changeAt) / (double) DropHistory.HOUR});
                if (h.kind == DropHistory.Kind.DROP_RECOVERS && firstTrue > 0) {
                    long rec = o.recoveries.stream().filter(r -> r > h.changeEnd).findFirst().orElse(-1L);
                    if (rec < 0) {
                        recoveriesMissed++;
                    } else {
                        recoveryDelays.add((rec - h.changeEnd) / (double) DropHistory.HOUR);
                    }
                }
            }
        }
        int drops = 0;
        int found = 0;
        System.out.println("| drop | volume | drops | found (recall) | delay median / max (h) | oracle median (h) | ratio | 7-day window rule: found, median |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> c : byCell.entrySet()) {
            List<double[]> rows = c.getValue();
            double[] ours = rows.stream().mapToDouble(r -> r[0]).filter(d -> !Double.isNaN(d)).sorted().toArray();
            double[] oracle = rows.stream().mapToDouble(r -> r[1]).filter(d -> !Double.isNaN(d)).sorted().toArray();
            double[] window = rows.stream().mapToDouble(r -> r[2]).filter(d -> !Double.isNaN(d)).sorted().toArray();
            drops += rows.size();
            found += ours.length;
            String[] parts = c.getKey().split(", ");
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d (%.2f) | %s / %s | %s (found %d) | %s | %d, %s |%n",
                    parts[0], parts[1], rows.size(), ours.length, (double) ours.length / rows.size(), median(ours),
                    ours.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", ours[ours.length - 1]), median(oracle),
                    oracle.length, ours.length == 0 || oracle.length == 0 ? "-"
                            : String.format(Locale.ROOT, "%.2f", med(ours) / med(oracle)),
                    window.length, median(window));
        }
        System.out.printf(Locale.ROOT, "precision %.3f (%d right, %d wrong), recall %.3f (%d of %d)%n",
                (double) truePositives / Math.max(1, truePositives + falsePositives), truePositives, falsePositives,
                (double) found / drops, found, drops);
        System.out.println("wrong alerts by history: " + falseByKind.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()[0]).toList());
        double[] rec = recoveryDelays.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "recovery: %d of %d recovering drops found recovered, median %s h after the rate"
                + " came back (max %s)%n", rec.length, rec.length + recoveriesMissed, median(rec),
                rec.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", rec[rec.length - 1]));
    }

    private static double med(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String median(double[] sorted) {
        return sorted.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f", med(sorted));
    }

    static String describe(double[] a) {
        return Arrays.toString(a);
    }
}

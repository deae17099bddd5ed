package io.salespulse.pipeline.funnel;

import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Arrays;

/**
 * The sequential drop test of one (tenant, region, stage), as of a moment t: plain Java, no Flink (docs/funnel.md,
 * "Drop alerts").
 *
 * <p><b>Model.</b> A customer who enters the stage advances within the horizon H (the window, 7 days) with
 * probability p, after a delay whose distribution G does not change with p. Before a drop p = p0, measured on the
 * baseline: the entries of [t - H - B, t - L) (B = the baseline weeks, L = the evidence's reach, 2 H = 14 days with
 * the defaults), whose outcomes are all known at t and which a drop of the last L cannot be in. A drop of relative
 * size δ is p1 = p0 (1 - δ).
 *
 * <p><b>What an entry says at t.</b> One that advanced: log(p1 / p0) = log(1 - δ). One that has not (yet), at age a:
 * log((1 - p1 G(a)) / (1 - p0 G(a))): a customer who entered an hour ago says almost nothing, one that would have
 * advanced by now under the baseline's time-to-advance curve says nearly a full "no". That is why the test does not
 * wait for a window to fill.
 *
 * <p><b>The clock of G.</b> Nobody advances at night, on Sundays or on a holiday, so the age is measured in the
 * region's working time: each local hour of the week weighs by how many of the key's cards (entries and advances,
 * last H + B) fall in it, and each local day by its cards against what that weekday usually has (a holiday with a
 * trickle of cards is a day off and weighs nothing; the day of t, by its cards so far against the usual up to that
 * hour). No calendar has to be configured.
 *
 * <p><b>The test.</b> CUSUM: the largest sum of these log-likelihood ratios over the newest entries (every start
 * point within the last L, at least the minimum volume of entries), for δ in {threshold, 25%, 40%, 60%} (each at
 * least the threshold). Alarm when it reaches {@code evidence} (natural log units) and the rate estimated on the
 * entries of that sum is more than the threshold below the baseline. The baseline rate is taken one
 * standard error below its estimate, so that a baseline that came out high by chance does not make an ordinary
 * period look like a drop. The start point of the largest sum estimates when the drop began.
 *
 * <p><b>Recovery</b>: the same sums with the roles swapped, p0 at the episode's start against p0 (1 - δ) of the
 * episode, over the entries since the episode opened.
 */
final class SequentialDropTest {
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    private static final double[] EFFECTS = {0.25, 0.40, 0.60};
    /** Weight of the flat prior in the hour-of-week profile, relative to its mean bin. */
    private static final double FLAT_PRIOR = 0.1;
    /** A day with this share of its weekday's usual cards counts as a full working day. */
    private static final double DAY_FULL = 0.6;
    /**
     * A day with at most this share of its weekday's usual cards is a day off: the trickle of cards of a holiday (a
     * rep who works anyway, the advances of customers who were nearly there) does not move the clock.
     */
    private static final double DAY_OFF = 0.15;

    final long horizonMs;
    final long baselineMs;
    final double evidence;
    private final ZoneRules zone;

    /** How far back the evidence reaches; the baseline ends there, so a drop under way is never in it. */
    final long lookbackMs;

    SequentialDropTest(long horizonMs, long baselineMs, ZoneId zone, double evidence) {
        this.horizonMs = horizonMs;
        this.baselineMs = baselineMs;
        this.lookbackMs = lookback(horizonMs, baselineMs);
        this.zone = zone.getRules();
        this.evidence = evidence;
    }

    /** How far back the evidence reaches: 2 H, but at least H and leaving the baseline at least H. */
    static long lookback(long horizonMs, long baselineMs) {
        return Math.max(horizonMs, Math.min(2 * horizonMs, baselineMs - horizonMs));
    }

    /** What the test says at one moment. */
    static final class Verdict {
        /** The baseline (p0, as estimated, and the conservative value tested) and its entries; NaN without one. */
        double baselineRate = Double.NaN;
        double testedRate = Double.NaN;
        int baselineEntered;
        /** The largest log-likelihood ratio sum, the δ and the first entry time (change point) it came from. */
        double score;
        double effect;
        long since;
        /** Entries in that sum, how many advanced, and p estimated from them with the censored ones weighted. */
        int entered;
        int advanced;
        double rate = Double.NaN;
        boolean alarm;
        /** Index range of the best sum in the sorted entries. */
        int bestFrom = -1;
        int bestTo;

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Verdict{p0=%.3f n0=%d score=%.2f δ=%.2f n=%d a=%d p=%.3f%s}",
                    baselineRate, baselineEntered, score, effect, entered, advanced, rate, alarm ? " ALARM" : "");
        }
    }

    /**
     * The entries of a key, sorted by entry time (advanced = {@link FunnelEntry#NOT_ADVANCED} when not, or later
     * than anything known).
     */
    static final class Entries {
        final long[] entryAt;
        final long[] advancedAt;

        Entries(long[] entryAt, long[] advancedAt) {
            Integer[] order = new Integer[entryAt.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> entryAt[a] != entryAt[b] ? Long.compare(entryAt[a], entryAt[b])
                    : Long.compare(advancedAt[a], advancedAt[b]));
            this.entryAt = new long[order.length];
            this.advancedAt = new long[order.length];
            for (int i = 0; i < order.length; i++) {
                this.entryAt[i] = entryAt[order[i]];
                this.advancedAt[i] = advancedAt[order[i]];
            }
        }

        static Entries of(Iterable<FunnelEntry> all) {
            int n = 0;
            for (FunnelEntry e : all) {
                n++;
            }
            long[] at = new long[n];
            long[] adv = new long[n];
            int i = 0;
            for (FunnelEntry e : all) {
                at[i] = e.entryAt;
                adv[i++] = e.advancedAt;
            }
            return new Entries(at, adv);
        }

        /** Index of the first entry at or after {@code t}. */
        int from(long t) {
            int lo = 0;
            int hi = entryAt.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (entryAt[mid] < t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** The key's working-time clock and time-to-advance curve as of t (see the class comment). */
    final class Clock {
        private final long start;
        private final double[] cumulative;
        private final double[] rate;
        /** Baseline delays in working time, sorted. */
        final double[] delays;

        Clock(Entries es, long t) {
            long lo = t - horizonMs - baselineMs;
            start = Math.floorDiv(lo, HOUR) * HOUR;
            int hours = (int) ((t - start + HOUR - 1) / HOUR) + 1;
            double[] profile = new double[168];
            int firstDay = localDay(start);
            int[] dayEvents = new int[hours / 24 + 3];
            int events = 0;
            for (int i = es.from(lo); i < es.entryAt.length && es.entryAt[i] < t; i++) {
                events += mark(es.entryAt[i], profile, dayEvents, firstDay);
                long adv = es.advancedAt[i];
                if (adv != FunnelEntry.NOT_ADVANCED && adv < t && adv - es.entryAt[i] < horizonMs) {
                    events += mark(adv, profile, dayEvents, firstDay);
                }
            }
            // Per weekday, the hours' counts are averaged over the working days of that weekday (more than DAY_OFF of
            // its busiest): a holiday week does not make its weekdays look slow, whether its days had a few cards or
            // none.
            int[] busiest = new int[7];
            for (int d = 0; d < dayEvents.length; d++) {
                int weekday = Math.floorMod(firstDay + d + 3, 7); // 1970-01-01 was a Thursday
                busiest[weekday] = Math.max(busiest[weekday], dayEvents[d]);
            }
            int[] activeDays = new int[7];
            for (int d = 0; d < dayEvents.length; d++) {
                int weekday = Math.floorMod(firstDay + d + 3, 7);
                if (dayEvents[d] > DAY_OFF * busiest[weekday]) {
                    activeDays[weekday]++;
                }
            }
            double total = 0;
            for (int b = 0; b < 168; b++) {
                profile[b] /= Math.max(1, activeDays[b / 24]);
                total += profile[b];
            }
            double mean = Math.max(total, 1e-9) / 168.0;
            rate = new double[hours];
            cumulative = new double[hours + 1];
            // A day weighs by its cards against what its weekday usually has (up to t on the day of t): a day with
            // at least DAY_FULL of the usual counts fully, a holiday with a trickle of cards (DAY_OFF or less) not at
            // all, and in between in proportion.
            double expected = 0;
            int day = -1;
            double factor = 0;
            int nowHour = (int) ((t - start) / HOUR);
            for (int h = 0; h < hours; h++) {
                long at = start + h * HOUR;
                int d = localDay(at) - firstDay;
                if (d != day) {
                    day = d;
                    expected = 0;
                    int how0 = hourOfWeek(at) / 24 * 24;
                    int upTo = localDay(t) - firstDay == d ? hourOfWeek(t) - how0 : 24;
                    for (int k = 0; k < upTo && k < 24; k++) {
                        expected += profile[how0 + k];
                    }
                    int seen = d >= 0 && d < dayEvents.length ? dayEvents[d] : 0;
                    factor = expected <= 0 ? (seen > 0 ? 1 : 0)
                            : Math.max(0, Math.min(1, (seen / expected - DAY_OFF) / (DAY_FULL - DAY_OFF)));
                }
                double w = (profile[hourOfWeek(at)] + FLAT_PRIOR * mean) / ((1 + FLAT_PRIOR) * mean);
                rate[h] = h > nowHour ? 0 : w * factor;
                cumulative[h + 1] = cumulative[h] + rate[h];
            }
            int n = 0;
            double[] d = new double[es.entryAt.length];
            for (int i = es.from(lo); i < es.entryAt.length && es.entryAt[i] < t - lookbackMs; i++) {
                long adv = es.advancedAt[i];
                if (adv != FunnelEntry.NOT_ADVANCED && adv - es.entryAt[i] < horizonMs) {
                    d[n++] = at(adv) - at(es.entryAt[i]);
                }
            }
            delays = Arrays.copyOf(d, n);
            Arrays.sort(delays);
        }

        private int mark(long at, double[] profile, int[] dayEvents, int firstDay) {
            int day = localDay(at) - firstDay;
            if (day >= 0 && day < dayEvents.length) {
                dayEvents[day]++;
            }
            profile[hourOfWeek(at)]++;
            return 1;
        }

        /** Working time from the clock's start to {@code at}, in average hours. */
        double at(long at) {
            double h = (double) (at - start) / HOUR;
            if (h <= 0) {
                return 0;
            }
            int k = (int) h;
            if (k >= rate.length) {
                return cumulative[rate.length];
            }
            return cumulative[k] + (h - k) * rate[k];
        }

        /** Share of the baseline's advances that took at most {@code age} working time. */
        double advancedBy(double age) {
            if (delays.length == 0) {
                return 1;
            }
            int lo = 0;
            int hi = delays.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (delays[mid] <= age) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return (double) lo / delays.length;
        }
    }

    private int localDay(long at) {
        return (int) Math.floorDiv(at + zone.getOffset(java.time.Instant.ofEpochMilli(at)).getTotalSeconds() * 1000L, DAY);
    }

    /** 0 = Monday 00:00-01:00 local. */
    private int hourOfWeek(long at) {
        long local = at + zone.getOffset(java.time.Instant.ofEpochMilli(at)).getTotalSeconds() * 1000L;
        long day = Math.floorDiv(local, DAY);
        int dow = (int) Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday
        return dow * 24 + (int) (Math.floorMod(local, DAY) / HOUR);
    }

    /**
     * Is there a drop of at least {@code threshold} (a fraction) at t, judged on the entries since {@code since}?
     * No alarm without {@code minVolume} entries in the baseline and in the sum.
     */
    Verdict drop(Entries es, long t, long since, double threshold, int minVolume) {
        Verdict v = new Verdict();
        long baseFrom = t - horizonMs - baselineMs;
        long baseTo = t - lookbackMs;
        int n0 = 0;
        int a0 = 0;
        for (int i = es.from(baseFrom); i < es.entryAt.length && es.entryAt[i] < baseTo; i++) {
            n0++;
            if (es.advancedAt[i] != FunnelEntry.NOT_ADVANCED && es.advancedAt[i] - es.entryAt[i] < horizonMs) {
                a0++;
            }
        }
        v.baselineEntered = n0;
        if (n0 < minVolume || a0 == 0) {
            return v;
        }
        double p0 = (double) a0 / n0;
        v.baselineRate = p0;
        v.testedRate = Math.max(p0 - Math.sqrt(p0 * (1 - p0) / n0), p0 / 2);
        Clock clock = new Clock(es, t);
        int first = es.from(Math.max(t - lookbackMs, since));
        int last = es.from(t);
        double[] effects = effects(threshold);
        v.score = Double.NEGATIVE_INFINITY;
        for (double effect : effects) {
            sums(es, clock, t, first, last, v.testedRate, effect, false, minVolume, v);
        }
        estimate(es, clock, t, v);
        // A CUSUM designed for a drop δ also moves on smaller ones (its indifference point is about δ / 2): the drop
        // it estimates must be beyond the threshold too, so the threshold keeps its meaning ("more than 15% down").
        v.alarm = v.score >= evidence && v.rate < v.baselineRate * (1 - threshold);
        return v;
    }

    /** Has the rate come back to {@code p0} from {@code p0 (1 - effect)}, judged on the entries since {@code since}? */
    Verdict recovery(Entries es, long t, long since, double p0, double effect, int minVolume) {
        Verdict v = new Verdict();
        v.baselineRate = p0;
        v.testedRate = p0;
        v.score = Double.NEGATIVE_INFINITY;
        Clock clock = new Clock(es, t);
        sums(es, clock, t, es.from(Math.max(t - horizonMs, since)), es.from(t), p0, effect, true, minVolume, v);
        estimate(es, clock, t, v);
        v.alarm = v.score >= evidence;
        return v;
    }

    /** The largest sum over the newest entries [i, last) for one δ (negated for recovery); keeps the best in v. */
    private void sums(Entries es, Clock clock, long t, int first, int last, double p0, double effect, boolean recovery,
            int minVolume, Verdict v) {
        double p1 = p0 * (1 - effect);
        double ifAdvanced = Math.log(1 - effect);
        double sum = 0;
        double now = clock.at(t);
        for (int i = last - 1, count = 1; i >= first; i--, count++) {
            double llr;
            if (es.advancedAt[i] < t) {
                llr = ifAdvanced;
            } else {
                double g = clock.advancedBy(now - clock.at(es.entryAt[i]));
                llr = Math.log(1 - p1 * g) - Math.log(1 - p0 * g);
            }
            sum += recovery ? -llr : llr;
            if (count >= minVolume && sum > v.score) {
                v.score = sum;
                v.effect = effect;
                v.since = es.entryAt[i];
                v.bestFrom = i;
                v.bestTo = last;
            }
        }
    }

    /** p of the entries [from, last) at t: advanced / (advanced + Σ G(age) of the others). */
    private static void estimate(Entries es, Clock clock, long t, Verdict v) {
        if (v.bestFrom < 0) {
            v.score = 0;
            return;
        }
        int from = v.bestFrom;
        int last = v.bestTo;
        double now = clock.at(t);
        double exposure = 0;
        int advanced = 0;
        for (int i = from; i < last; i++) {
            if (es.advancedAt[i] < t) {
                advanced++;
                exposure++;
            } else {
                exposure += clock.advancedBy(now - clock.at(es.entryAt[i]));
            }
        }
        v.entered = last - from;
        v.advanced = advanced;
        v.rate = exposure <= 0 ? Double.NaN : Math.min(1, advanced / exposure);
    }

    /** The designed drops: the threshold, then 25%, 40%, 60% where larger. */
    static double[] effects(double threshold) {
        double[] out = new double[EFFECTS.length + 1];
        int n = 0;
        out[n++] = threshold;
        for (double e : EFFECTS) {
            if (e > threshold + 1e-9) {
                out[n++] = e;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** What a window end did to the episode. */
    enum Step { NONE, OPENED, RECOVERED }

    /**
     * Moves the episode on to window end t (in place). Closed: a drop alarm on the entries since the last recovery
     * opens one (not before the key has history for its whole baseline: {@code warm}). Open: a recovery alarm on the
     * entries since it opened closes it. The verdict of t is left in {@code last}.
     */
    Step judge(DropWatch w, Entries es, long t, double threshold, int minVolume, boolean warm, Verdict[] last) {
        if (!w.open) {
            Verdict v = drop(es, t, w.recoveredAt, threshold, minVolume);
            last[0] = v;
            if (warm && v.alarm) {
                w.open = true;
                w.startedAt = t;
                w.baselineAtStart = v.testedRate;
                w.rateAtStart = v.rate;
                w.effect = v.effect;
                w.changeAt = v.since;
                return Step.OPENED;
            }
            return Step.NONE;
        }
        Verdict v = recovery(es, t, w.startedAt, w.baselineAtStart, w.effect, minVolume);
        last[0] = v;
        if (v.alarm) {
            w.open = false;
            w.recoveredAt = t;
            w.recoveredRate = v.rate;
            return Step.RECOVERED;
        }
        return Step.NONE;
    }
}

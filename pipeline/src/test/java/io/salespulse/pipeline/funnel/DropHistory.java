package io.salespulse.pipeline.funnel;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One region's entries into a stage over 15 weeks, with what fools drop detectors, and the truth about them: the
 * rate before and after a drop and when it began and ended. Entries follow the working week (Monday to Friday
 * 09:00-18:00 full, Saturday 40%, Sunday 5%, evenings 2%, local time), public holidays (days 38-40 and 77-83: almost
 * nothing happens); a customer advances with probability p(entry time) after a delay of working time (Gamma, shape 2,
 * mean {@link #MEAN_DELAY_HOURS} working hours: spread over about three days), so nobody advances at night or on a
 * holiday. Volume is per calendar day on average.
 */
final class DropHistory {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    /** 2026-06-01 00:00 Asia/Shanghai, a Monday. */
    static final long T0 = 1_780_243_200_000L;
    static final int DAYS = 105;
    static final double MEAN_DELAY_HOURS = 14;
    static final int[][] HOLIDAYS = {{38, 40}, {77, 83}};

    enum Kind { PLAIN, DROP, DROP_RECOVERS, VOLUME_DIP, SLOW_TREND }

    final Kind kind;
    final double volume;
    final double p0;
    final double effect;
    /** Drop start and end (end = history end unless it recovers); 0 when there is no drop. */
    long changeAt;
    long changeEnd;
    final List<long[]> entries = new ArrayList<>();

    DropHistory(Kind kind, double volume, double effect, long seed) {
        this.kind = kind;
        this.volume = volume;
        this.effect = kind == Kind.DROP || kind == Kind.DROP_RECOVERS ? effect : 0;
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + kind.ordinal() * 7919L + (long) (volume * 31)
                + (long) (effect * 1000));
        this.p0 = 0.4 + 0.3 * rnd.nextDouble();
        long end = T0 + DAYS * DAY;
        if (this.effect > 0) {
            changeAt = T0 + (49 + rnd.nextInt(22)) * DAY + rnd.nextInt(24) * HOUR;
            changeEnd = kind == Kind.DROP_RECOVERS ? changeAt + (10 + rnd.nextInt(11)) * DAY : end;
        }
        long dipFrom = T0 + (49 + rnd.nextInt(22)) * DAY;
        double mean = meanActivity();
        for (long h = T0; h < end; h += HOUR) {
            double lambda = volume * activity(h) / (24 * mean);
            if (kind == Kind.VOLUME_DIP && h >= dipFrom && h < dipFrom + 10 * DAY) {
                lambda *= 0.4;
            }
            if (kind == Kind.SLOW_TREND) {
                lambda *= 0.7 + 0.6 * (h - T0) / (double) (end - T0);
            }
            int n = poisson(lambda, rnd);
            for (int i = 0; i < n; i++) {
                long at = h + rnd.nextLong(HOUR);
                long advanced = FunnelEntry.NOT_ADVANCED;
                if (rnd.nextDouble() < rate(at)) {
                    double work = MEAN_DELAY_HOURS / 2 * (-Math.log(1 - rnd.nextDouble()) - Math.log(1 - rnd.nextDouble()));
                    advanced = afterWork(at, work);
                }
                entries.add(new long[] {at, advanced});
            }
        }
    }

    /** The true probability of advancing (eventually) of a customer entering at t. */
    double rate(long t) {
        if (kind == Kind.SLOW_TREND) {
            return p0 * (1 - 0.10 * (t - T0) / (double) (DAYS * DAY)); // 10% lower over 15 weeks, 2.7% in 4 weeks
        }
        return effect > 0 && t >= changeAt && t < changeEnd ? p0 * (1 - effect) : p0;
    }

    static double activity(long t) {
        long local = t + 8 * HOUR;
        int day = (int) Math.floorDiv(local - (T0 + 8 * HOUR), DAY);
        for (int[] hol : HOLIDAYS) {
            if (day >= hol[0] && day <= hol[1]) {
                return 0.01;
            }
        }
        int dow = (int) Math.floorMod(Math.floorDiv(local, DAY) + 3, 7); // 0 = Monday
        int hour = (int) (Math.floorMod(local, DAY) / HOUR);
        double w = dow == 6 ? 0.05 : dow == 5 ? 0.4 : 1.0;
        if (hour >= 9 && hour < 18) {
            return w;
        }
        return hour >= 18 && hour < 21 ? 0.02 * w : 0;
    }

    private static double meanActivity() {
        double s = 0;
        for (long h = 0; h < 7 * DAY; h += HOUR) {
            s += activity(T0 + 14 * DAY + h);
        }
        return s / 168;
    }

    /** The moment {@code work} working hours after t. */
    static long afterWork(long t, double work) {
        long h = Math.floorDiv(t, HOUR) * HOUR;
        double left = work;
        double firstPart = (double) (h + HOUR - t) / HOUR * activity(h);
        if (firstPart >= left && activity(h) > 0) {
            return t + (long) (left / activity(h) * HOUR);
        }
        left -= firstPart;
        for (h += HOUR; h < T0 + 200 * DAY; h += HOUR) {
            double a = activity(h);
            if (a >= left && a > 0) {
                return h + (long) (left / a * HOUR);
            }
            left -= a;
        }
        return FunnelEntry.NOT_ADVANCED;
    }

    /** Working hours in [a, b). */
    static double work(long a, long b) {
        if (b <= a) {
            return 0;
        }
        long h = Math.floorDiv(a, HOUR) * HOUR;
        double s = 0;
        for (; h < b; h += HOUR) {
            long lo = Math.max(h, a);
            long hi = Math.min(h + HOUR, b);
            s += (double) (hi - lo) / HOUR * activity(h);
        }
        return s;
    }

    /** P(delay &lt;= w working hours): Gamma(2, mean MEAN_DELAY_HOURS). */
    static double delayCdf(double w) {
        double x = w / (MEAN_DELAY_HOURS / 2);
        return 1 - Math.exp(-x) * (1 + x);
    }

    private static int poisson(double lambda, SplittableRandom rnd) {
        if (lambda <= 0) {
            return 0;
        }
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    SequentialDropTest.Entries asEntries() {
        long[] at = new long[entries.size()];
        long[] adv = new long[entries.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = entries.get(i)[0];
            adv[i] = entries.get(i)[1];
        }
        return new SequentialDropTest.Entries(at, adv);
    }
}

package io.salespulse.cli.cash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A distribution over whole days {@code first .. first + mass.length - 1}, plus the mass that falls after its last
 * day or never ({@link #beyond()}). Estimated by {@link #kaplanMeier} from observations some of which are cut off
 * (an invoice still unpaid today: paid at some day after the days seen so far, or never).
 */
public final class DayCurve {
    private final int first;
    private final double[] mass;
    private final double beyond;

    DayCurve(int first, double[] mass, double beyond) {
        this.first = first;
        this.mass = mass;
        this.beyond = Math.max(0, beyond);
    }

    /** Everything on one day. */
    public static DayCurve at(int day) {
        return new DayCurve(day, new double[] {1}, 0);
    }

    /** Nothing ever happens: all mass beyond. */
    public static DayCurve never() {
        return new DayCurve(0, new double[0], 1);
    }

    /**
     * One observation: {@code weight} (an amount of money, or 1 for a customer) that either happened on {@code day}
     * ({@code happened}) or was still waiting after {@code day} (cut off: it may happen later or never).
     */
    public record Observation(int day, double weight, boolean happened) {}

    /**
     * The weighted Kaplan-Meier estimate: for each day in order, the share of the weight still waiting that happened
     * that day. Observations cut off on a day count as waiting through that day and drop out after it. Weight still
     * waiting after the last day any observation reached is {@link #beyond()}: this history cannot say when, if ever.
     * Days are clamped to {@code [minDay, maxDay]}.
     */
    public static DayCurve kaplanMeier(List<Observation> observations, int minDay, int maxDay) {
        if (observations.isEmpty()) {
            return never();
        }
        List<Observation> sorted = new ArrayList<>(observations.size());
        int last = minDay;
        for (Observation o : observations) {
            int d = Math.max(minDay, Math.min(maxDay, o.day()));
            sorted.add(new Observation(d, o.weight(), o.happened()));
            last = Math.max(last, d);
        }
        sorted.sort(Comparator.comparingInt(Observation::day));
        double atRisk = 0;
        for (Observation o : sorted) {
            atRisk += o.weight();
        }
        double[] mass = new double[last - minDay + 1];
        double surviving = 1;
        int i = 0;
        while (i < sorted.size()) {
            int day = sorted.get(i).day();
            double events = 0;
            double cut = 0;
            for (; i < sorted.size() && sorted.get(i).day() == day; i++) {
                if (sorted.get(i).happened()) {
                    events += sorted.get(i).weight();
                } else {
                    cut += sorted.get(i).weight();
                }
            }
            if (atRisk > 0 && events > 0) {
                double p = surviving * Math.min(1, events / atRisk);
                mass[day - minDay] += p;
                surviving -= p;
            }
            atRisk -= events + cut;
        }
        return new DayCurve(minDay, mass, surviving);
    }

    public int first() {
        return first;
    }

    public int last() {
        return first + mass.length - 1;
    }

    /** The probability of {@code day}. */
    public double p(int day) {
        int i = day - first;
        return i < 0 || i >= mass.length ? 0 : mass[i];
    }

    /** The mass after the last day, or never. */
    public double beyond() {
        return beyond;
    }

    /** The probability of a day after {@code day}, the mass beyond included. */
    public double after(int day) {
        double s = beyond;
        for (int d = Math.max(day + 1, first); d <= last(); d++) {
            s += p(d);
        }
        return s;
    }

    /**
     * The curve given that nothing happened up to and including {@code day}, shifted so that day {@code day + k}
     * becomes day {@code k}: what is left of an invoice unpaid {@code day} days after its due date, in days from now.
     * When the history gives no chance left, all mass is beyond.
     */
    public DayCurve givenNothingBy(int day) {
        double left = after(day);
        if (left <= 1e-12) {
            return never();
        }
        int from = Math.max(day + 1, first);
        if (from > last()) {
            return new DayCurve(1, new double[0], 1);
        }
        double[] m = new double[last() - from + 1];
        for (int d = from; d <= last(); d++) {
            m[d - from] = p(d) / left;
        }
        return new DayCurve(from - day, m, beyond / left);
    }

    /** The curve given that nothing happened before {@code day}, on the same days: money not in yet is not early. */
    public DayCurve from(int day) {
        return day <= first ? this : givenNothingBy(day - 1).shift(day - 1);
    }

    /** This curve shifted by {@code days}. */
    public DayCurve shift(int days) {
        return new DayCurve(first + days, mass, beyond);
    }

    /** The sum of two independent waits: the convolution. Beyond on either side is beyond. */
    public DayCurve then(DayCurve next) {
        if (mass.length == 0 || next.mass.length == 0) {
            return never();
        }
        double[] m = new double[mass.length + next.mass.length - 1];
        for (int i = 0; i < mass.length; i++) {
            if (mass[i] == 0) {
                continue;
            }
            for (int j = 0; j < next.mass.length; j++) {
                m[i + j] += mass[i] * next.mass[j];
            }
        }
        double inside = total() * next.total();
        return new DayCurve(first + next.first, m, 1 - inside);
    }

    /** The mass on days {@code from .. to} inclusive. */
    public double between(int from, int to) {
        double s = 0;
        for (int d = Math.max(from, first); d <= Math.min(to, last()); d++) {
            s += p(d);
        }
        return s;
    }

    /** The mass on days, beyond excluded. */
    public double total() {
        double s = 0;
        for (double m : mass) {
            s += m;
        }
        return s;
    }

    /** This curve with the mass after {@code day} moved beyond: what falls after a forecast's horizon. */
    public DayCurve truncate(int day) {
        if (day >= last()) {
            return this;
        }
        if (day < first) {
            return never();
        }
        double[] m = java.util.Arrays.copyOf(mass, day - first + 1);
        double moved = 0;
        for (int i = m.length; i < mass.length; i++) {
            moved += mass[i];
        }
        return new DayCurve(first, m, beyond + moved);
    }

    /** The day at quantile {@code u} in [0, 1), or {@link Integer#MAX_VALUE} when {@code u} falls beyond. */
    public int sample(double u) {
        double[] c = cumulative();
        int lo = 0;
        int hi = c.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < c[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo < c.length ? first + lo : Integer.MAX_VALUE;
    }

    private double[] cumulative;

    private double[] cumulative() {
        if (cumulative == null) {
            double[] c = new double[mass.length];
            double s = 0;
            for (int i = 0; i < mass.length; i++) {
                s += mass[i];
                c[i] = s;
            }
            cumulative = c;
        }
        return cumulative;
    }
}

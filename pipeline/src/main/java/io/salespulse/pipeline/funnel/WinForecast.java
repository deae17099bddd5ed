package io.salespulse.pipeline.funnel;

import java.util.Arrays;

/**
 * The digest's forecast of wins in the next 7 days as a predictive distribution, and its 80% interval.
 *
 * <p>Each class (stage x overdue) contributes a beta-binomial: its open customers, each won with the class's
 * rate, the rate uncertain as a beta posterior. The posterior counts the class's history in effective customers
 * (customer-digests divided by the team's design effect: one customer open on several earlier digests is not that
 * many independent trials) and starts from a prior of {@link #PRIOR_CUSTOMERS} customers at the stage's pooled
 * rate, so a class with little history leans on its stage. Customers not open yet add a negative binomial: the
 * average of such wins per earlier digest, uncertain as a gamma posterior on the distinct customers behind it.
 * The distributions are convolved exactly; the interval is the shortest run of counts around the mode whose
 * probability is nearest {@link #LEVEL} (counts are whole, so no interval holds exactly 80%; nearest keeps the
 * average coverage at 80% rather than always above it).
 */
final class WinForecast {
    static final double LEVEL = 0.80;
    /** Weight of the stage's pooled rate in a class's rate, in effective customers. */
    static final double PRIOR_CUSTOMERS = 4;
    /** Probability left out at each end of a distribution and of the convolution. */
    private static final double TAIL = 1e-12;

    final double mean;
    final long low;
    final long high;
    /** The predictive probability of [low, high] (near {@link #LEVEL}). */
    final double mass;

    private WinForecast(double mean, long low, long high, double mass) {
        this.mean = mean;
        this.high = high;
        this.low = low;
        this.mass = mass;
    }

    /**
     * A predictive distribution of a count: {@code p[k]} is the probability of {@code offset + k}. Immutable once
     * built.
     */
    static final class Pmf {
        final int offset;
        final double[] p;

        Pmf(int offset, double[] p) {
            this.offset = offset;
            this.p = p;
        }

        static Pmf zero() {
            return new Pmf(0, new double[] {1});
        }

        double mean() {
            double m = 0;
            for (int k = 0; k < p.length; k++) {
                m += (offset + k) * p[k];
            }
            return m;
        }

        Pmf plus(Pmf o) {
            double[] c = new double[p.length + o.p.length - 1];
            for (int i = 0; i < p.length; i++) {
                if (p[i] == 0) {
                    continue;
                }
                for (int j = 0; j < o.p.length; j++) {
                    c[i + j] += p[i] * o.p[j];
                }
            }
            return trimmed(offset + o.offset, c);
        }

        /** The shortest run of counts around the mode whose probability is nearest {@code level}. */
        long[] interval(double level) {
            int mode = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[mode]) {
                    mode = k;
                }
            }
            int lo = mode;
            int hi = mode;
            double mass = p[mode];
            while (true) {
                double left = lo > 0 ? p[lo - 1] : -1;
                double right = hi < p.length - 1 ? p[hi + 1] : -1;
                double next = Math.max(left, right);
                if (next <= 0 || Math.abs(mass + next - level) >= Math.abs(mass - level)) {
                    break;
                }
                if (right >= left) {
                    hi++;
                } else {
                    lo--;
                }
                mass += next;
            }
            return new long[] {offset + lo, offset + hi};
        }
    }

    /** The forecast (mean and 80% interval) of a predictive distribution. */
    static WinForecast of(Pmf pmf) {
        long[] i = pmf.interval(LEVEL);
        double mass = 0;
        for (long k = i[0]; k <= i[1]; k++) {
            mass += pmf.p[(int) (k - pmf.offset)];
        }
        return new WinForecast(pmf.mean(), i[0], i[1], mass);
    }

    /**
     * Wins among {@code n} customers of a class whose history counts {@code won} of {@code seen} (effective
     * customers), with the prior at {@code stageRate}. A stage without any history gives no wins.
     */
    static Pmf betaBinomial(int n, double won, double seen, double stageRate, boolean stageHasHistory) {
        if (n == 0 || !stageHasHistory) {
            return Pmf.zero();
        }
        double alpha = PRIOR_CUSTOMERS * stageRate + won;
        double beta = PRIOR_CUSTOMERS * (1 - stageRate) + (seen - won);
        if (alpha <= 0) {
            return Pmf.zero();
        }
        if (beta <= 0) {
            double[] all = new double[n + 1];
            all[n] = 1;
            return trimmed(0, all);
        }
        // log P(0) = sum_j log((beta + j) / (alpha + beta + j)); then P(k+1)/P(k) = (n-k)(k+alpha)/((k+1)(n-k-1+beta)).
        double[] logP = new double[n + 1];
        for (int j = 0; j < n; j++) {
            logP[0] += Math.log((beta + j) / (alpha + beta + j));
        }
        for (int k = 0; k < n; k++) {
            logP[k + 1] = logP[k] + Math.log((n - k) * (k + alpha) / ((k + 1) * (n - k - 1 + beta)));
        }
        return fromLogs(logP);
    }

    /** Wins of customers not open yet: mean {@code perDigest}, its uncertainty that of {@code distinct} customers. */
    static Pmf negativeBinomial(double perDigest, double distinct) {
        if (perDigest <= 0 || distinct <= 0) {
            return Pmf.zero();
        }
        // Gamma(distinct, distinct / perDigest) posterior of the mean, Poisson counts: NB(r = distinct, mean).
        double r = distinct;
        double q = perDigest / (r + perDigest);
        int max = (int) Math.ceil(perDigest + 40 * Math.sqrt(perDigest * (1 + perDigest / r)) + 40);
        double[] logP = new double[max + 1];
        logP[0] = r * Math.log(1 - q);
        for (int k = 0; k < max; k++) {
            logP[k + 1] = logP[k] + Math.log((k + r) / (k + 1) * q);
        }
        return fromLogs(logP);
    }

    private static Pmf fromLogs(double[] logP) {
        double top = Arrays.stream(logP).max().orElse(0);
        double[] p = new double[logP.length];
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logP[k] - top);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return trimmed(0, p);
    }

    /** Without the negligible ends (at most {@link #TAIL} each), renormalised. */
    private static Pmf trimmed(int offset, double[] p) {
        int lo = 0;
        double cut = 0;
        while (lo < p.length - 1 && cut + p[lo] <= TAIL) {
            cut += p[lo++];
        }
        int hi = p.length - 1;
        cut = 0;
        while (hi > lo && cut + p[hi] <= TAIL) {
            cut += p[hi--];
        }
        double[] kept = Arrays.copyOfRange(p, lo, hi + 1);
        double sum = 0;
        for (double x : kept) {
            sum += x;
        }
        for (int k = 0; k < kept.length; k++) {
            kept[k] /= sum;
        }
        return new Pmf(offset + lo, kept);
    }
}

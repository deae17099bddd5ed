package io.salespulse.pipeline.funnel;

/**
 * When a team's script adoption is credibly below the minimum for two weeks, rather than below it by chance.
 *
 * <p>Two weeks running, each week's share of objection cards quoting an answer card is below the minimum, and the
 * two weeks together are too few quoting cards for a team at the minimum: with n cards of which x quote one, the
 * chance that a team whose true adoption is the minimum quotes x or fewer (exact binomial) is below
 * {@link #ALPHA}. Equivalently, the one-sided {@code 1 - ALPHA} upper confidence bound of the two weeks'
 * adoption (Clopper-Pearson) lies below the minimum. A team at or above the minimum is thus coached by chance in
 * at most one check in 100,000; a team below it is found once its cards are enough to show the gap
 * ({@link #cardsNeeded}: about 750 cards over the two weeks for a gap of 10 points).
 */
final class ScriptAdoption {
    /**
     * Chance of coaching a team whose true adoption is exactly the minimum, per two-week check: small enough that
     * no team at the minimum is coached in the evaluation's 38,500 team-weeks ({@code CoachingEvaluation}).
     */
    static final double ALPHA = 1e-5;
    /** {@link #ALPHA} in the alert's words. */
    static final String ALPHA_WORDS = "十万分之一";
    /** Fewer objection cards than this in a week say nothing about a team's adoption. */
    static final int MIN_WEEKLY_OBJECTIONS = 5;

    private ScriptAdoption() {}

    /** The two weeks (in order) show adoption credibly below {@code minimum}. */
    static boolean credibleBelow(ObjectionCounts first, ObjectionCounts second, double minimum) {
        return credibleBelow(first, second, minimum, ALPHA);
    }

    /** The same at another level {@code alpha} (for the evaluation). */
    static boolean credibleBelow(ObjectionCounts first, ObjectionCounts second, double minimum, double alpha) {
        if (first == null || second == null || first.total < MIN_WEEKLY_OBJECTIONS
                || second.total < MIN_WEEKLY_OBJECTIONS) {
            return false;
        }
        if ((double) first.scripted / first.total >= minimum || (double) second.scripted / second.total >= minimum) {
            return false;
        }
        return atMost(first.scripted + second.scripted, first.total + second.total, minimum) < alpha;
    }

    /** P(X &lt;= x) for X binomial with {@code n} trials of probability {@code p}. */
    static double atMost(int x, int n, double p) {
        if (x >= n) {
            return 1;
        }
        if (p <= 0) {
            return 1;
        }
        if (p >= 1) {
            return 0;
        }
        // Summed in logs from k = 0 upward: log C(n, k) p^k (1-p)^(n-k).
        double log = n * Math.log1p(-p);
        double sum = 0;
        double ratio = Math.log(p) - Math.log1p(-p);
        for (int k = 0; k <= x; k++) {
            if (k > 0) {
                log += Math.log((double) (n - k + 1) / k) + ratio;
            }
            sum += Math.exp(log);
        }
        return Math.min(1, sum);
    }

    /** The one-sided {@code 1 - ALPHA} upper confidence bound of the adoption (Clopper-Pearson), by bisection. */
    static double upperBound(int x, int n) {
        if (x >= n) {
            return 1;
        }
        double lo = (double) x / n;
        double hi = 1;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (atMost(x, n, mid) >= ALPHA) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Objection cards over two weeks for a team {@code gap} below {@code minimum} to be found with probability
     * {@code power} (normal approximation of the exact test).
     */
    static int cardsNeeded(double minimum, double gap, double power, double alpha) {
        double zAlpha = quantile(1 - alpha);
        double zPower = quantile(power);
        double p = minimum - gap;
        double root = (zAlpha * Math.sqrt(minimum * (1 - minimum)) + zPower * Math.sqrt(p * (1 - p))) / gap;
        return (int) Math.ceil(root * root);
    }

    /** The standard normal quantile, by bisection on {@link #normal}. */
    static double quantile(double q) {
        double lo = -10;
        double hi = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (normal(mid) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** The standard normal distribution function, from erfc by the Chebyshev fit of Numerical Recipes (error < 1.2e-7). */
    private static double normal(double z) {
        double t = 1 / (1 + 0.5 * Math.abs(z) / Math.sqrt(2));
        double x = Math.abs(z) / Math.sqrt(2);
        double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? 1 - erfc / 2 : erfc / 2;
    }
}

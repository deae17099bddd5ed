package io.salespulse.pipeline.funnel;

/**
 * One-sided two-proportion z-test: is the window's rate significantly below the pooled baseline's? With the
 * sample sizes in the test, a small team's ±10% swings stay below significance while a region's real drop
 * does not.
 */
final class DropTest {
    private DropTest() {}

    /** p-value of "rate a/n is lower than baseline a0/n0"; 1 when there is nothing to compare. */
    static double pValue(long a, long n, long a0, long n0) {
        if (n == 0 || n0 == 0) {
            return 1.0;
        }
        double p = (double) a / n;
        double p0 = (double) a0 / n0;
        double pooled = (double) (a + a0) / (n + n0);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n + 1.0 / n0));
        if (se == 0) {
            return p < p0 ? 0.0 : 1.0;
        }
        return 1.0 - normalCdf((p0 - p) / se);
    }

    /** Standard normal CDF (Abramowitz-Stegun 7.1.26 for erf, error below 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1.0 / (1.0 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}

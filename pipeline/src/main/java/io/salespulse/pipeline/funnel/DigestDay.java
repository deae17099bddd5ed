package io.salespulse.pipeline.funnel;

/**
 * One digest moment of a team: how many open customers were in each class (stage x overdue) and how many of
 * them were won within the following 7 days. The ratio is the "recent rate" of later forecasts.
 */
public class DigestDay {
    public int[] open = new int[ForecastDigest.CLASSES];
    public int[] wonWithin7d = new int[ForecastDigest.CLASSES];
    /** Customers won within 7 days who were not open at this digest (new customers, or not yet seen). */
    public int newWonWithin7d;

    public DigestDay() {}
}

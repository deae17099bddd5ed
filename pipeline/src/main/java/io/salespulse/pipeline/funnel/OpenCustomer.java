package io.salespulse.pipeline.funnel;

/** An open customer of the team, for the digest; with the digest days it was counted on (last 8 days). */
public class OpenCustomer {
    public String rep;
    public String region;
    public String stage;
    public long stageEnteredAt;
    public boolean highPotential;
    public long[] digestDays = new long[0];
    public int[] digestClasses = new int[0];

    public OpenCustomer() {}
}

package io.salespulse.pipeline.funnel;

/** One row of {@code forecast_digests}: a team's digest, per stage and for all stages ({@code stage = all}). */
public class DigestRow {
    public String tenant;
    public String region;
    public String team;
    public long digestAt;
    public String stage;
    public long customers;
    public long overdue;
    public long atRisk;
    public double expectedWins7d;
    /** The 80% interval of the wins in the 7 days: lowest and highest count in it ({@link WinForecast}). */
    public long winsLow7d;
    public long winsHigh7d;
    public String message;
    /** When it was computed, strictly later than the team's rows computed before (see {@link ConversionRow#computedAt}). */
    public long computedAt;

    public DigestRow() {}
}

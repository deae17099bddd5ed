package io.salespulse.pipeline.funnel;

/** One row of {@code stage_conversion}: a team's (or, with team {@code *}, the region's) window. */
public class ConversionRow {
    public static final String ALL_TEAMS = "*";

    public String tenant;
    public String region;
    public String team;
    public String fromStage;
    public long windowStart;
    public long windowEnd;
    public long entered;
    public long advanced;
    public double rate;
    public Double baselineRate;
    public Double changePct;
    public boolean flagged;
    /** Pooled baseline counts (not stored in the table, used by tests and the diagnosis). */
    public long baselineEntered;
    public long baselineAdvanced;
    /**
     * When it was computed (processing time), strictly later than the key's rows computed before: a correction
     * always outranks the row it corrects in ClickHouse, even when both reach the sink within a millisecond.
     */
    public long computedAt;

    public ConversionRow() {}

    @Override
    public String toString() {
        return "ConversionRow{" + region + "/" + team + " " + fromStage + " end " + windowEnd + " " + advanced + "/"
                + entered + " base " + baselineRate + (flagged ? " flagged" : "") + "}";
    }
}

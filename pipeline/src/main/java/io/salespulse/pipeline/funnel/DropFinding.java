package io.salespulse.pipeline.funnel;

/** A drop episode that just opened, with what the window operator can say about it; diagnosed per region. */
public class DropFinding {
    public String tenant;
    public String region;
    /** {@link ConversionRow#ALL_TEAMS} for the whole region. */
    public String team;
    public String stage;
    /** Window end at which the episode opened: part of the alert id. */
    public long windowEnd;
    public long windowStart;
    public long entered;
    public long advanced;
    public double rate;
    public double baselineRate;
    public double pValue;
    public double baselineEnteredPerWindow;
    /** The relative drop threshold (fraction) in force for the region when the episode opened (policy or setting). */
    public double dropThreshold;
    /** Chinese: which teams/reps account for most of the missing advances. */
    public String concentration;
    /** Teams named in {@link #concentration}, comma separated (for the alert's team field). */
    public String mainTeams;
    /** The reps of those teams accounting for most of it, comma separated. */
    public String mainReps;

    public DropFinding() {}
}

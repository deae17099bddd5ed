package io.salespulse.pipeline.funnel;

/**
 * A drop episode that just opened, with what the window operator can say about it; diagnosed per region. Or, with
 * {@link #retraction}, an episode alerted before that a recomputation no longer opens.
 */
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
    /** A later computation no longer opens this episode: withdraw its alert (only the key fields are set). */
    public boolean retraction;
    /**
     * {@code live} or {@code history} (an episode opened more than a day before it was decided); for a retraction,
     * the retracted alert's.
     */
    public String origin = "live";
    /**
     * Found by the sequential test: {@link #rate} is then the rate estimated on the entries since {@link #changeAt}
     * (those not advanced yet weighted by the time-to-advance curve), {@link #baselineRate} the baseline's, and
     * {@link #evidence} the log-likelihood ratio that reached {@link #evidenceThreshold}.
     */
    public boolean sequential;
    public double evidence;
    public double evidenceThreshold;
    public long changeAt;
    public long changeEntered;
    public long changeAdvanced;
    /** The episode (id of {@link #windowEnd}) has recovered at window end {@link #recoveredAt}; rate = the rate then. */
    public boolean recovery;
    public long recoveredAt;
    public double rateAtStart;

    public DropFinding() {}
}

package io.salespulse.pipeline.funnel;

/** Drop state of one row key (a team or the region): open from {@link #startedAt} until recovered long enough. */
public class DropEpisode {
    public boolean open;
    public long startedAt;
    /** Baseline rate when the episode opened: recovery is judged against it, not against the drifting baseline. */
    public double baselineAtStart;
    /** Window end since which the rate has been recovered; 0 while it is not. */
    public long recoveredSince;
    /** First window end of the current unbroken run of dropping windows; 0 while not dropping. */
    public long droppingSince;

    public DropEpisode() {}

    DropEpisode copy() {
        DropEpisode c = new DropEpisode();
        c.open = open;
        c.startedAt = startedAt;
        c.baselineAtStart = baselineAtStart;
        c.recoveredSince = recoveredSince;
        c.droppingSince = droppingSince;
        return c;
    }
}

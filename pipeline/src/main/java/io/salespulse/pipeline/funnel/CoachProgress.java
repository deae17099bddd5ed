package io.salespulse.pipeline.funnel;

/** Where a region's weekly script-adoption checks stand (state POJO of {@link RegionCoach}). */
public class CoachProgress extends KeyProgress {
    /** Every local week starting at or before this has been checked; MIN_VALUE before the first. */
    public long lastWeek = Long.MIN_VALUE;
    /** The first week to (re)check: objection cards of it arrived; MAX_VALUE when none. */
    public long dirtyWeek = Long.MAX_VALUE;
    /** The first week that can still be rechecked (weeks of an earlier version's state are final). */
    public long correctableFrom = Long.MIN_VALUE;

    public CoachProgress() {}
}

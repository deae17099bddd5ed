package io.salespulse.pipeline.funnel;

/**
 * Where a conversion key stands besides its entries and its log (state POJO of {@link ConversionWindow}).
 */
public class WindowProgress extends KeyProgress {
    /** The first window end still to (re)compute: changed entries or pending ends; MAX_VALUE when none. */
    public long dirtyFrom = Long.MAX_VALUE;
    /**
     * The first window end that can still be recomputed: ends before it have lost entries or log records (they lie
     * more than the retention before the last end computed, or were computed by an earlier version of the job).
     * MIN_VALUE while nothing was dropped: then every end can be, also ends before the key's first one (a history
     * imported into a young key).
     */
    public long correctableFrom = Long.MIN_VALUE;
    /** The episode after the newest judged window end dropped from the log ({@link #baseEnd}); null when none was. */
    public DropEpisode base;
    public long baseEnd = Long.MIN_VALUE;

    public WindowProgress() {}
}

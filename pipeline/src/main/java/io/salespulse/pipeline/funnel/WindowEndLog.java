package io.salespulse.pipeline.funnel;

/**
 * What {@link ConversionWindow} computed for one window end, kept for the retention so a recomputation re-sends
 * only the rows that changed and re-runs the drop episodes from the first end whose region row changed (state
 * POJO).
 */
public class WindowEndLog {
    /** Teams of the rows emitted for this end (team {@code *} is the region), with the hash of each row as sent. */
    public String[] teams = new String[0];
    public long[] rowHashes = new long[0];
    /** Hash of the region row's counts (what the episode logic judges); 0 when the end had no region row. */
    public long regionCounts;
    /** The region's drop episode after judging this end; null when the end was not judged (no region row). */
    public DropEpisode episode;
    /** Arrival time at which it was last computed. */
    public long computedAt;

    public WindowEndLog() {}

    long hashOf(String team) {
        for (int i = 0; i < teams.length; i++) {
            if (teams[i].equals(team)) {
                return rowHashes[i];
            }
        }
        return 0;
    }
}

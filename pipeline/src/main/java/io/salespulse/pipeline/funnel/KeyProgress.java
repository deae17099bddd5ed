package io.salespulse.pipeline.funnel;

/**
 * What every keyed funnel function deciding on arrival time keeps per key besides its data (state POJO, the base of
 * {@link WindowProgress}, {@link DigestProgress} and {@link CoachProgress}): the imports it waits for and its one
 * timer.
 */
public class KeyProgress {
    public ImportHolds holds = new ImportHolds();
    /** The one timer registered (0: none). */
    public long timerAt;
    /** {@code computed_at} of the key's last rows (processing time): the next ones get a later one. */
    public long lastComputedAt;

    public KeyProgress() {}

    /** The {@code computed_at} for rows computed now: the processing time, and later than any before. */
    long computedAt(long processingTime) {
        lastComputedAt = Math.max(processingTime, lastComputedAt + 1);
        return lastComputedAt;
    }
}

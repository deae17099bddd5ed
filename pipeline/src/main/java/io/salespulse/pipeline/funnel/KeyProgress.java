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

    public KeyProgress() {}
}

package io.salespulse.pipeline.funnel;

/**
 * The sequential drop test's episode of one (tenant, region, stage) after a window end (state POJO of
 * {@link ConversionWindow}, one per logged end, beside {@link WindowEndLog}; {@link SequentialDropTest#judge}).
 */
public class DropWatch {
    /** An episode is open: the region's rows are flagged and the test watches for the recovery. */
    public boolean open;
    /** Window end that opened the episode (its alert id), 0 before the first. */
    public long startedAt;
    /** The baseline rate tested when it opened: recovery means back to it. */
    public double baselineAtStart;
    /** The rate estimated when it opened, and the designed drop (fraction) whose sum raised it. */
    public double rateAtStart;
    public double effect;
    /** When the drop began, as estimated when it opened (the first entry of the largest sum). */
    public long changeAt;
    /** Window end that closed the last episode, 0 when none did: a new episode is judged on entries from there. */
    public long recoveredAt;
    /** The rate estimated when the last episode closed. */
    public double recoveredRate;
    /** The window end this state is after. */
    public long end;

    public DropWatch() {}

    DropWatch copy() {
        DropWatch c = new DropWatch();
        c.open = open;
        c.startedAt = startedAt;
        c.baselineAtStart = baselineAtStart;
        c.rateAtStart = rateAtStart;
        c.effect = effect;
        c.changeAt = changeAt;
        c.recoveredAt = recoveredAt;
        c.recoveredRate = recoveredRate;
        c.end = end;
        return c;
    }

    /** From the episode of the window-rate rule (state of earlier versions): open or not, start and baseline kept. */
    static DropWatch of(DropEpisode e, double threshold) {
        DropWatch w = new DropWatch();
        if (e != null && e.open) {
            w.open = true;
            w.startedAt = e.startedAt;
            w.baselineAtStart = e.baselineAtStart;
            w.effect = Math.max(threshold, 0.25);
            w.changeAt = e.startedAt;
        }
        return w;
    }

    /** The old-style episode (kept in the log so a rollback to the previous version reads a consistent state). */
    DropEpisode episode() {
        DropEpisode e = new DropEpisode();
        e.open = open;
        e.startedAt = startedAt;
        e.baselineAtStart = baselineAtStart;
        return e;
    }
}

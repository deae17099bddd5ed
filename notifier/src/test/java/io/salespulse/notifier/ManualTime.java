package io.salespulse.notifier;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test time: {@link #sleep} moves the clock instead of waiting, so a minute of rate limiting takes no time. While
 * {@link #freeze frozen}, sleeping leaves the clock alone: it moves only when the test advances it.
 */
public final class ManualTime implements NotifierTime {
    private final AtomicReference<Instant> now;
    private volatile boolean frozen;

    public ManualTime(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant now() {
        return now.get();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        if (!frozen) {
            advance(d);
        }
        Thread.sleep(1);
    }

    /** Frozen, waiting (a robot's rate limit, a backoff) lasts until the test advances the clock. */
    public void freeze(boolean on) {
        frozen = on;
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}

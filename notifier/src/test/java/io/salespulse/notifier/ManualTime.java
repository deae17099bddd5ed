package io.salespulse.notifier;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** Test time: {@link #sleep} moves the clock instead of waiting, so a minute of rate limiting takes no time. */
public final class ManualTime implements NotifierTime {
    private final AtomicReference<Instant> now;

    public ManualTime(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant now() {
        return now.get();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        advance(d);
        Thread.sleep(1);
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}

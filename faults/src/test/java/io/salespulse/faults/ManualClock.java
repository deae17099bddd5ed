package io.salespulse.faults;

import io.salespulse.notifier.NotifierTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** The notifier's clock for tests: waiting moves it forward, so minutes of retries and throttling take no time. */
final class ManualClock implements NotifierTime {
    private final AtomicReference<Instant> now;

    ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant now() {
        return now.get();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        now.updateAndGet(t -> t.plus(d));
        Thread.sleep(1);
    }
}

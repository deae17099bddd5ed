package io.salespulse.notifier;

import java.time.Duration;
import java.time.Instant;

/**
 * The notifier's notion of now and of waiting. Rate limits, retries, escalation windows and "how late"
 * all go through it, so tests drive hours of escalation and minutes of rate limiting in milliseconds.
 */
public interface NotifierTime {
    Instant now();

    void sleep(Duration d) throws InterruptedException;

    NotifierTime SYSTEM = new NotifierTime() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            if (!d.isNegative() && !d.isZero()) {
                Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
            }
        }
    };
}

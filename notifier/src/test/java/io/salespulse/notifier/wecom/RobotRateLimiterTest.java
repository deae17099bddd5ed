package io.salespulse.notifier.wecom;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RobotRateLimiterTest {

    @Test
    void neverMoreThanTwentyInAnySlidingMinuteButAFullBurstAtOnce() {
        ManualTime time = new ManualTime(Instant.parse("2030-01-01T00:00:00Z"));
        RobotRateLimiter limiter = new RobotRateLimiter(20, Duration.ZERO, time);
        List<Instant> sent = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            while (!limiter.tryAcquire("hz")) {
                assertThat(limiter.nextTokenIn("hz")).isPositive();
                time.advance(limiter.nextTokenIn("hz"));
            }
            sent.add(time.now());
            time.advance(Duration.ofMillis(700));
        }
        for (int i = 0; i < sent.size(); i++) {
            Instant start = sent.get(i);
            long inWindow = sent.stream().filter(t -> !t.isBefore(start) && t.isBefore(start.plusSeconds(60))).count();
            assertThat(inWindow).isLessThanOrEqualTo(20);
        }
        assertThat(sent.get(19)).isEqualTo(sent.get(0).plusMillis(19 * 700));
        assertThat(sent.get(20)).as("the 21st waits until the first token is back").isEqualTo(sent.get(0).plusSeconds(60));
        assertThat(limiter.available("other")).isEqualTo(20);
    }

    @Test
    void aRateLimitAnswerSpendsTheWholeBudget() {
        ManualTime time = new ManualTime(Instant.parse("2030-01-01T00:00:00Z"));
        RobotRateLimiter limiter = new RobotRateLimiter(20, Duration.ofSeconds(1), time);
        limiter.exhausted("hz");
        assertThat(limiter.available("hz")).isZero();
        assertThat(limiter.tryAcquire("hz")).isFalse();
        assertThat(limiter.nextTokenIn("hz")).isEqualTo(Duration.ofSeconds(61));
        time.advance(Duration.ofSeconds(61));
        assertThat(limiter.available("hz")).isEqualTo(20);
    }
}

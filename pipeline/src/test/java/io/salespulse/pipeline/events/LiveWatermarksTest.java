package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class LiveWatermarksTest {
    private static final long NOW = 1_800_000_000_000L;

    private final ManualClock clock = new ManualClock();
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    };
    private final WatermarkGenerator<InputRecord> generator = new LiveWatermarks(Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30), clock)
            .createWatermarkGenerator(null);

    @Test
    void followsEventTimeWhileRecordsFlow() {
        event(NOW - 10_000, NOW);
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW - 12_001);
    }

    @Test
    void caughtUpAndQuietFollowsTheWallClock() {
        event(NOW - 10_000, NOW);
        clock.advance(1_000);
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW + 1_000 - 2_001);
        clock.advance(60_000);
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW + 61_000 - 2_001);
    }

    @Test
    void oldBacklogDoesNotJumpToTheWallClockUntilDrained() {
        // Records written to Kafka a week ago: a replay. A short pause must not fire future timers.
        long weekAgo = NOW - Duration.ofDays(7).toMillis();
        event(weekAgo, weekAgo);
        clock.advance(5_000);
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(weekAgo - 2_001);
        clock.advance(25_000); // 30 s without a record: drained
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW + 30_000 - 2_001);
    }

    @Test
    void emptyPartitionStopsHoldingBackAfterDrainTimeout() {
        generator.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();
        clock.advance(30_000);
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(NOW + 30_000 - 2_001);
    }

    @Test
    void deadLettersNeverMoveEventTimeAndWatermarksNeverGoBack() {
        event(NOW - 10_000, NOW);
        generator.onPeriodicEmit(output);
        InputRecord bad = InputRecord.of(NOW);
        bad.deadLetter = new DeadLetter();
        generator.onEvent(bad, bad.eventTime(), output);
        event(NOW - 60_000, NOW); // late record
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 12_001);
    }

    private void event(long occurredAt, long kafkaTimestamp) {
        InputRecord r = InputRecord.of(kafkaTimestamp);
        r.stage = new StageEvent();
        r.stage.occurredAt = occurredAt;
        generator.onEvent(r, r.eventTime(), output);
    }

    private long last() {
        return emitted.get(emitted.size() - 1);
    }

    static final class ManualClock implements LiveWatermarks.Clock {
        private long offset;

        void advance(long ms) {
            offset += ms;
        }

        @Override
        public long currentTimeMillis() {
            return NOW + offset;
        }

        @Override
        public long nanoTime() {
            return offset * 1_000_000L;
        }
    }
}

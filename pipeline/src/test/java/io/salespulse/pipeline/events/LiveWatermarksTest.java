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
        pass(1_000);
        assertThat(last()).isEqualTo(NOW + 1_000 - 2_001);
        pass(60_000);
        assertThat(last()).isEqualTo(NOW + 61_000 - 2_001);
    }

    @Test
    void oldBacklogDoesNotJumpToTheWallClockUntilDrained() {
        // Records written to Kafka a week ago: a replay. A short pause must not fire future timers.
        long weekAgo = NOW - Duration.ofDays(7).toMillis();
        event(weekAgo, weekAgo);
        pass(5_000);
        assertThat(last()).isEqualTo(weekAgo - 2_001);
        pass(25_000); // 30 s without a record: drained
        assertThat(last()).isEqualTo(NOW + 30_000 - 2_001);
    }

    @Test
    void blockedTaskThreadIsNotMistakenForADrainedPartition() {
        long weekAgo = NOW - Duration.ofDays(7).toMillis();
        event(weekAgo, weekAgo);
        generator.onPeriodicEmit(output);
        clock.advance(45_000); // no periodic call for 45 s: the chain was blocked, not the partition drained
        generator.onPeriodicEmit(output);
        assertThat(last()).isEqualTo(weekAgo - 2_001);
        pass(30_000); // 30 s of real silence, polled as Flink does
        assertThat(last()).isEqualTo(NOW + 75_000 - 2_001);
    }

    @Test
    void emptyPartitionStopsHoldingBackAfterDrainTimeout() {
        generator.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();
        pass(30_000);
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

    /** Lets {@code ms} pass with Flink's periodic watermark calls every 200 ms. */
    private void pass(long ms) {
        for (long t = 0; t < ms; t += 200) {
            clock.advance(200);
            generator.onPeriodicEmit(output);
        }
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

package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.MonitorJob;
import io.salespulse.pipeline.config.PipelineConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** The generator on a manual clock, with the drain probe faked. LiveWatermarksKafkaTest runs the real probe. */
class LiveWatermarksTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final long WEEK_AGO = NOW - Duration.ofDays(7).toMillis();

    private final ManualClock clock = new ManualClock();
    private final FakeProbe probe = new FakeProbe();
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
            Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30), () -> probe, clock)
            .createWatermarkGenerator(null);
    private long nextOffset;

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
        assertThat(probe.questions).isEmpty();
    }

    @Test
    void unreadBacklogStaysOnEventTimePastTheDrainTimeout() {
        // Records written to Kafka a week ago: a replay. The reader stalls (back-pressure, other splits, broker
        // away) while the partition still holds records: however long the silence, event time must wait.
        event(WEEK_AGO, WEEK_AGO);
        pass(10 * 60_000);
        assertThat(emitted).containsOnly(WEEK_AGO - 2_001);
        assertThat(probe.questions).last().isEqualTo("sales.stages/2@1");
    }

    @Test
    void backlogReadToTheEndFollowsTheWallClock() {
        event(WEEK_AGO, WEEK_AGO);
        event(WEEK_AGO + 1_000, WEEK_AGO + 1_000);
        probe.drainedFrom = 2;
        pass(800);
        assertThat(probe.questions).isEmpty(); // silent less than idle-timeout: no question yet
        assertThat(last()).isEqualTo(WEEK_AGO + 1_000 - 2_001);
        pass(200);
        assertThat(probe.questions).containsExactly("sales.stages/2@2");
        assertThat(last()).isEqualTo(NOW + 1_000 - 2_001);
    }

    @Test
    void aConfirmationForAnEarlierOffsetIsNotEnough() {
        event(WEEK_AGO, WEEK_AGO);
        probe.drainedFrom = 5;
        pass(60_000);
        assertThat(emitted).containsOnly(WEEK_AGO - 2_001);
    }

    @Test
    void eventTimeStopsWhenTheProbeNoLongerConfirms() {
        event(WEEK_AGO, WEEK_AGO);
        probe.drainedFrom = 1;
        pass(2_000);
        assertThat(last()).isEqualTo(NOW + 2_000 - 2_001);
        probe.drainedFrom = Long.MAX_VALUE; // the broker stopped answering, or new records came
        pass(60_000);
        assertThat(last()).isEqualTo(NOW + 2_000 - 2_001);
        probe.drainedFrom = 1;
        pass(200);
        assertThat(last()).isEqualTo(NOW + 62_200 - 2_001);
    }

    @Test
    void aNewRecordRestartsTheQuietTime() {
        event(WEEK_AGO, WEEK_AGO);
        probe.drainedFrom = 1;
        pass(2_000);
        event(WEEK_AGO + 5_000, WEEK_AGO + 5_000); // offset 1, written after that check
        probe.drainedFrom = 2;
        pass(800);
        assertThat(last()).isEqualTo(NOW + 2_000 - 2_001);
        assertThat(probe.questions).last().isEqualTo("sales.stages/2@1");
        pass(200);
        assertThat(probe.questions).last().isEqualTo("sales.stages/2@2");
        assertThat(last()).isEqualTo(NOW + 3_000 - 2_001);
    }

    @Test
    void deadLettersTellTheOffsetToo() {
        event(WEEK_AGO, WEEK_AGO);
        InputRecord bad = InputRecord.of("sales.stages", 2, nextOffset++, WEEK_AGO);
        bad.deadLetter = new DeadLetter();
        generator.onEvent(bad, bad.eventTime(), output);
        probe.drainedFrom = 2;
        pass(1_000);
        assertThat(probe.questions).containsExactly("sales.stages/2@2");
        assertThat(last()).isEqualTo(NOW + 1_000 - 2_001);
    }

    @Test
    void blockedTaskThreadIsNotMistakenForSilence() {
        generator.onPeriodicEmit(output);
        clock.advance(45_000); // no periodic call for 45 s: the chain was blocked, the partition not silent
        generator.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();
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
    void emptyPartitionCountsSilenceOnlyWhileKafkaAnswers() {
        // No record yet, so no offset to check: perhaps an empty partition, perhaps a backlog not read yet.
        probe.kafkaAnswers = false;
        pass(10 * 60_000);
        assertThat(emitted).isEmpty();
        probe.kafkaAnswers = true;
        pass(29_800);
        assertThat(emitted).isEmpty();
        pass(200);
        assertThat(last()).isEqualTo(NOW + 630_000 - 2_001);
        probe.kafkaAnswers = false; // the broker went away: not silence any more
        pass(10_000);
        assertThat(last()).isEqualTo(NOW + 630_000 - 2_001);
    }

    @Test
    void deadLettersNeverMoveEventTimeAndWatermarksNeverGoBack() {
        event(NOW - 10_000, NOW);
        generator.onPeriodicEmit(output);
        InputRecord bad = InputRecord.of("sales.stages", 2, nextOffset++, NOW);
        bad.deadLetter = new DeadLetter();
        generator.onEvent(bad, bad.eventTime(), output);
        event(NOW - 60_000, NOW); // late record
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 12_001);
    }

    @Test
    void theDeserializerTellsWhereEachRecordWasRead() {
        ContractDeserializer deserializer = new ContractDeserializer("sales.stages", "sales.visits", "sales.acks",
                Duration.ofHours(1));
        InputRecord r = deserializer.parse("sales.visits", 1, 4711, null, "not json".getBytes(StandardCharsets.UTF_8),
                NOW);
        assertThat(r.deadLetter).isNotNull();
        assertThat(r.topic).isEqualTo("sales.visits");
        assertThat(r.partition).isEqualTo(1);
        assertThat(r.offset).isEqualTo(4711);
    }

    @Test
    void theJobsStrategyTravelsWithTheJobGraph() throws Exception {
        WatermarkStrategy<InputRecord> strategy = MonitorJob.watermarks(PipelineConfig.defaults());
        WatermarkStrategy<InputRecord> copy = InstantiationUtil.clone(strategy);
        assertThat(copy.createWatermarkGenerator(null)).isNotNull();
    }

    private void event(long occurredAt, long kafkaTimestamp) {
        InputRecord r = InputRecord.of("sales.stages", 2, nextOffset++, kafkaTimestamp);
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

    /** Confirms "drained" from {@link #drainedFrom} on; remembers every question. */
    static final class FakeProbe implements DrainProbe {
        long drainedFrom = Long.MAX_VALUE;
        boolean kafkaAnswers = true;
        final List<String> questions = new ArrayList<>();

        @Override
        public boolean confirmsDrained(String topic, int partition, long nextOffset) {
            questions.add(topic + "/" + partition + "@" + nextOffset);
            return nextOffset >= drainedFrom;
        }

        @Override
        public boolean kafkaAnswers() {
            return kafkaAnswers;
        }
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

package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A reader waiting for records wakes when the drain probe answers, not only at its next check: the answer is what
 * moves an idle job's clock past a due time, and a reader that read it only at its next tick added up to a whole
 * drain-check interval to every alert. The probe here is the test's, so that it answers exactly when told; the real
 * probe against a broker is {@link ArrivalTimeSourceKafkaTest}'s.
 */
class ArrivalTimeSourceWakeTest {
    private static final long HOUR_MS = 3_600_000L;
    private static final long OUT_OF_ORDERNESS_MS = 500;

    @Test
    void anAnswerWakesTheReaderAndMovesItsClockBeforeItsNextCheck() throws Exception {
        TellingProbe probe = new TellingProbe();
        ArrivalTimeSource.Reader reader = reader(probe);
        Clock out = new Clock();
        reader.pollNext(out); // the first check asks; nothing is confirmed yet
        assertThat(out.watermarks).isEmpty();

        CompletableFuture<Void> waiting = reader.isAvailable();
        assertThat(waiting).isNotDone();

        long checkStarted = System.currentTimeMillis();
        probe.answer(checkStarted);
        waiting.get(10, TimeUnit.SECONDS);
        reader.pollNext(out);

        assertThat(out.watermarks).containsExactly(checkStarted - OUT_OF_ORDERNESS_MS - 1);
    }

    @Test
    void withoutANewAnswerTheReaderChecksOncePerInterval() throws Exception {
        TellingProbe probe = new TellingProbe();
        ArrivalTimeSource.Reader reader = reader(probe);
        Clock out = new Clock();
        reader.pollNext(out);
        int asked = probe.questions;
        for (int i = 0; i < 100; i++) {
            reader.pollNext(out); // pollNext runs once per record: it must not ask the probe every time
        }
        assertThat(probe.questions).isEqualTo(asked);
        assertThat(reader.isAvailable()).isNotDone();
    }

    /**
     * A reader of one partition, its partitions all handed out, with a check interval of an hour: whatever moves its
     * clock in these tests, it is not the reader's own tick.
     */
    private static ArrivalTimeSource.Reader reader(DrainProbe probe) {
        ArrivalTimeSource.Reader reader = new ArrivalTimeSource.Reader(new NothingToRead(), probe, HOUR_MS,
                OUT_OF_ORDERNESS_MS);
        reader.addSplits(List.of(new KafkaPartitionSplit(new TopicPartition("t", 0), 0)));
        reader.handleSourceEvents(new SettlingEnumerator.Settled());
        return reader;
    }

    /** Confirms the partition drained from offset 0 when the test says so. */
    private static final class TellingProbe implements DrainProbe {
        private volatile long drainedAt = Long.MIN_VALUE;
        private volatile long answers;
        private volatile CompletableFuture<Void> next = new CompletableFuture<>();
        int questions;

        void answer(long checkStartedAt) {
            drainedAt = checkStartedAt;
            answers++;
            CompletableFuture<Void> done = next;
            next = new CompletableFuture<>();
            done.complete(null);
        }

        @Override
        public long drainedAt(Map<TopicPartition, Long> nextOffsets) {
            questions++;
            return drainedAt;
        }

        @Override
        public long answers() {
            return answers;
        }

        @Override
        public CompletableFuture<Void> nextAnswer() {
            return next;
        }
    }

    private static final class Clock implements ReaderOutput<InputRecord> {
        final List<Long> watermarks = new ArrayList<>();

        @Override
        public void collect(InputRecord record) {}

        @Override
        public void collect(InputRecord record, long timestamp) {}

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<InputRecord> createOutputForSplit(String splitId) {
            return new SourceOutput<>() {
                @Override
                public void collect(InputRecord record) {}

                @Override
                public void collect(InputRecord record, long timestamp) {}

                @Override
                public void emitWatermark(Watermark watermark) {}

                @Override
                public void markIdle() {}

                @Override
                public void markActive() {}
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }

    /** The Kafka source's reader on a partition that has nothing: no record ever comes by itself. */
    private static final class NothingToRead implements SourceReader<InputRecord, KafkaPartitionSplit> {
        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<InputRecord> output) {
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return new CompletableFuture<>();
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {}

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void pauseOrResumeSplits(Collection<String> pause, Collection<String> resume) {}

        @Override
        public void close() {}
    }
}

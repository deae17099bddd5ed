package io.salespulse.pipeline.events;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.common.TopicPartition;

/**
 * The jobs' Kafka input, with a clock that follows the wall clock whenever Kafka confirms that nothing is left
 * to read.
 *
 * <p>Per partition, {@link ArrivalWatermarks} moves the clock with the arrival times of the records read. But a
 * quiet partition delivers nothing, so on a quiet night an alert due at 3 a.m. would wait for the next record.
 * This source's reader knows what a watermark generator does not: which partitions it owns and how far it has
 * read each. Every {@code drain-check-interval} it asks the {@link DrainProbe} whether Kafka holds anything
 * beyond that; when every partition of the reader is read to its end as of a check that started at t, nothing
 * that arrived before t is still to come, and the reader moves its clock to t − out-of-orderness. A reader with
 * no partitions follows the wall clock once the enumerator has said that every partition has been handed out
 * ({@link SettlingEnumerator}): before that, right after a start, it may simply not have been given its partitions
 * yet. A partition that has delivered nothing since a start or a restore is checked from its starting offset, so an
 * empty topic holds nothing back.
 *
 * <p>While a backlog is being read (a replay, the minutes after an outage) the end is not reached and the clock
 * follows the records' arrival times: decisions are the same as they were live. Savepoints are unchanged: the
 * splits, their state and the enumerator are the Kafka source's own.
 */
public final class ArrivalTimeSource
        implements Source<InputRecord, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<InputRecord> {
    private static final long serialVersionUID = 1L;

    /** Wakes idle readers for their next check; daemon, shared by every reader of the JVM. */
    private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "salespulse-arrival-clock");
        t.setDaemon(true);
        return t;
    });

    private final KafkaSource<InputRecord> kafka;
    private final DrainProbe.Factory probe;
    private final long checkIntervalMillis;
    private final long outOfOrdernessMillis;

    public ArrivalTimeSource(KafkaSource<InputRecord> kafka, DrainProbe.Factory probe, Duration checkInterval,
            Duration outOfOrderness) {
        this.kafka = kafka;
        this.probe = probe;
        this.checkIntervalMillis = Math.max(10, checkInterval.toMillis());
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SourceReader<InputRecord, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        SourceReader<InputRecord, KafkaPartitionSplit> reader = kafka.createReader(context);
        if (kafka.getBoundedness() == Boundedness.BOUNDED) {
            return reader; // a bounded replay ends with the end of its input; no wall clock in it
        }
        return new Reader(reader, probe.open(), checkIntervalMillis, outOfOrdernessMillis);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        if (kafka.getBoundedness() == Boundedness.BOUNDED) {
            return kafka.createEnumerator(context);
        }
        return new SettlingEnumerator(context, kafka::createEnumerator);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        if (kafka.getBoundedness() == Boundedness.BOUNDED) {
            return kafka.restoreEnumerator(context, state);
        }
        return new SettlingEnumerator(context, c -> kafka.restoreEnumerator(c, state));
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return kafka.getProducedType();
    }

    /** The Kafka source's reader, plus the partitions it owns, how far it has read them, and the drain checks. */
    static final class Reader implements SourceReader<InputRecord, KafkaPartitionSplit> {
        private final SourceReader<InputRecord, KafkaPartitionSplit> kafka;
        private final DrainProbe probe;
        private final long checkIntervalMillis;
        private final long outOfOrdernessMillis;
        /** Partition -> the offset after the last record delivered, or the split's starting offset (maybe a marker). */
        private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        private final Map<String, SourceOutput<InputRecord>> splitOutputs = new HashMap<>();
        /** Splits that have delivered no record yet: they hold the clock back until they do, or prove empty. */
        private final Map<String, TopicPartition> waiting = new HashMap<>();
        /** Every owned split's partition, and the clock last moved on each split by a drain check. */
        private final Map<String, TopicPartition> owned = new HashMap<>();
        private final Map<String, Long> splitClocks = new HashMap<>();
        private ReaderOutput<InputRecord> output;
        private ReaderOutput<InputRecord> counting;
        private long lastWatermark = Long.MIN_VALUE;
        /** Whether the enumerator has handed out every partition there was at the start (see SettlingEnumerator). */
        private boolean settled;
        private long lastCheckNanos;
        /** The probe's answer count at the last check: a new answer is worth a check before the interval is up. */
        private long answersSeen = -1;
        /** The partition of the last record: records come in runs per split, so this saves an allocation each. */
        private TopicPartition lastPartition;

        Reader(SourceReader<InputRecord, KafkaPartitionSplit> kafka, DrainProbe probe, long checkIntervalMillis,
                long outOfOrdernessMillis) {
            this.kafka = kafka;
            this.probe = probe;
            this.checkIntervalMillis = checkIntervalMillis;
            this.outOfOrdernessMillis = outOfOrdernessMillis;
            this.lastCheckNanos = System.nanoTime() - checkIntervalMillis * 1_000_000L;
        }

        @Override
        public void start() {
            kafka.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<InputRecord> out) throws Exception {
            ReaderOutput<InputRecord> counted = counting(out);
            // Flink creates a split's watermark output only when the split's first records are fetched, so a split
            // still to be read (after a start or a restore, behind other splits of this reader) would not hold the
            // clock back. Created here for every owned split, each holds it until it delivers or proves empty.
            for (String splitId : waiting.keySet()) {
                counted.createOutputForSplit(splitId);
            }
            InputStatus status = kafka.pollNext(counted);
            long now = System.nanoTime();
            long answers = probe.answers();
            if (now - lastCheckNanos < checkIntervalMillis * 1_000_000L && answers == answersSeen) {
                return status; // pollNext runs once per record: ask once per interval, or when an answer came
            }
            lastCheckNanos = now;
            answersSeen = answers;
            releaseEmptySplits();
            advanceQuietSplits();
            if (!settled) {
                return status; // partitions may still be on their way to this reader: its own clock must wait
            }
            long drainedAt = probe.drainedAt(nextOffsets);
            if (drainedAt != Long.MIN_VALUE) {
                long watermark = drainedAt - outOfOrdernessMillis - 1;
                if (watermark > lastWatermark) {
                    lastWatermark = watermark;
                    out.emitWatermark(new Watermark(watermark));
                }
            }
            return status;
        }

        /**
         * Wakes up when Kafka has records, when the probe has answered a check (the answer may move the clock), or at
         * the next check, whichever comes first.
         */
        @Override
        public CompletableFuture<Void> isAvailable() {
            CompletableFuture<Void> records = kafka.isAvailable();
            if (records.isDone()) {
                return records;
            }
            // The future before the count: the probe counts an answer before it completes the future of the answer,
            // so an answer that comes in between is either counted here or completes the future taken.
            CompletableFuture<Void> answer = probe.nextAnswer();
            if (probe.answers() != answersSeen) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> wake = new CompletableFuture<>();
            TICKS.schedule(() -> wake.complete(null), checkIntervalMillis, TimeUnit.MILLISECONDS);
            answer.thenRun(() -> wake.complete(null));
            return records.applyToEither(wake, ignored -> null);
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return kafka.snapshotState(checkpointId);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            for (KafkaPartitionSplit s : splits) {
                nextOffsets.putIfAbsent(s.getTopicPartition(), s.getStartingOffset());
                waiting.put(s.splitId(), s.getTopicPartition());
                owned.put(s.splitId(), s.getTopicPartition());
            }
            kafka.addSplits(splits);
        }

        /** A split that delivered nothing and that Kafka confirms holds nothing more stops holding the clock back. */
        private void releaseEmptySplits() {
            for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                TopicPartition tp = e.getValue();
                if (probe.drainedAt(Map.of(tp, nextOffsets.get(tp))) != Long.MIN_VALUE) {
                    SourceOutput<InputRecord> split = splitOutputs.get(e.getKey());
                    if (split != null) {
                        split.markIdle();
                    }
                    it.remove();
                }
            }
        }

        /**
         * A split that delivered records and has been read to its end moves to the wall clock of the drain check that
         * found it so, while the reader's other splits are still busy. Without this, one quiet partition (a few acks
         * an hour, while cards stream in) held the whole clock at its last record until every partition of the reader
         * was quiet at once: alerts came a whole busy stretch late.
         */
        private void advanceQuietSplits() {
            for (Map.Entry<String, SourceOutput<InputRecord>> e : splitOutputs.entrySet()) {
                TopicPartition tp = owned.get(e.getKey());
                if (tp == null || waiting.containsKey(e.getKey())) {
                    continue; // not ours, or still to deliver its first record (releaseEmptySplits decides those)
                }
                long drainedAt = probe.drainedAt(Map.of(tp, nextOffsets.get(tp)));
                if (drainedAt == Long.MIN_VALUE) {
                    continue;
                }
                long watermark = drainedAt - outOfOrdernessMillis - 1;
                if (watermark > splitClocks.getOrDefault(e.getKey(), Long.MIN_VALUE)) {
                    splitClocks.put(e.getKey(), watermark);
                    e.getValue().emitWatermark(new Watermark(watermark));
                }
            }
        }

        @Override
        public void notifyNoMoreSplits() {
            kafka.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            if (event instanceof SettlingEnumerator.Settled) {
                settled = true;
                return;
            }
            kafka.handleSourceEvents(event);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> pause, Collection<String> resume) {
            kafka.pauseOrResumeSplits(pause, resume);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            kafka.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            kafka.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            kafka.close();
        }

        /** The task's output, with every split's records counted into {@link #nextOffsets} on their way out. */
        private ReaderOutput<InputRecord> counting(ReaderOutput<InputRecord> out) {
            if (out != output) {
                output = out;
                splitOutputs.clear();
                counting = new ReaderOutput<>() {
                    @Override
                    public void collect(InputRecord record) {
                        out.collect(record);
                    }

                    @Override
                    public void collect(InputRecord record, long timestamp) {
                        out.collect(record, timestamp);
                    }

                    @Override
                    public void emitWatermark(Watermark watermark) {
                        out.emitWatermark(watermark);
                    }

                    @Override
                    public void markIdle() {
                        out.markIdle();
                    }

                    @Override
                    public void markActive() {
                        out.markActive();
                    }

                    @Override
                    public SourceOutput<InputRecord> createOutputForSplit(String splitId) {
                        return splitOutputs.computeIfAbsent(splitId, id -> counted(out.createOutputForSplit(id)));
                    }

                    @Override
                    public void releaseOutputForSplit(String splitId) {
                        splitOutputs.remove(splitId);
                        splitClocks.remove(splitId);
                        out.releaseOutputForSplit(splitId);
                    }
                };
            }
            return counting;
        }

        private SourceOutput<InputRecord> counted(SourceOutput<InputRecord> split) {
            return new SourceOutput<>() {
                @Override
                public void collect(InputRecord record) {
                    read(record);
                    split.collect(record);
                }

                @Override
                public void collect(InputRecord record, long timestamp) {
                    read(record);
                    split.collect(record, timestamp);
                }

                @Override
                public void emitWatermark(Watermark watermark) {
                    split.emitWatermark(watermark);
                }

                @Override
                public void markIdle() {
                    split.markIdle();
                }

                @Override
                public void markActive() {
                    split.markActive();
                }
            };
        }

        private void read(InputRecord record) {
            if (record.topic == null) {
                return;
            }
            TopicPartition tp = lastPartition;
            if (tp == null || tp.partition() != record.partition || !tp.topic().equals(record.topic)) {
                tp = new TopicPartition(record.topic, record.partition);
                lastPartition = tp;
                if (!waiting.isEmpty()) {
                    waiting.remove(KafkaPartitionSplit.toSplitId(tp));
                }
            }
            nextOffsets.merge(tp, record.offset + 1, (before, now) -> before < 0 ? now : Math.max(before, now));
        }
    }
}

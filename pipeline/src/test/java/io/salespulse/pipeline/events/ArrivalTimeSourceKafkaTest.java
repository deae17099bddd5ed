package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's reader with the real drain probe against the in-process broker. The Kafka source's own reader is
 * played by the test (it hands over records it read with a read_committed consumer, or stops handing them over
 * while the partition still holds some), so the test decides exactly what has been read; what the reader wrapper
 * then emits as the clock is what the jobs get.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArrivalTimeSourceKafkaTest {
    private static final long WEEK_AGO = System.currentTimeMillis() - Duration.ofDays(7).toMillis();
    private static final String BACKLOG = "arrival.backlog";
    private static final String TRANSACTIONS = "arrival.transactions";
    private static final String EMPTY = "arrival.empty";
    private static final String QUIET = "arrival.quiet";
    private static final String GROUP = "arrival-test";

    @TempDir
    static Path dir;
    static LocalKafka kafka;
    static PipelineConfig config;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, BACKLOG, TRANSACTIONS, EMPTY, QUIET);
        config = PipelineConfig.load(Map.of(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers()), Map.of());
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    @Order(1)
    void aBacklogKeepsTheClockOnArrivalTimesUntilItIsRead() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(null)) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(BACKLOG, 0, WEEK_AGO + i * 1_000L, null, value(i)));
            }
        }
        List<InputRecord> backlog = readAll(BACKLOG, 20);
        Reading r = new Reading(split(BACKLOG, KafkaPartitionSplit.EARLIEST_OFFSET));
        r.deliver(backlog.subList(0, 5)); // then the reader stalls with 15 records left
        r.poll(Duration.ofSeconds(3));
        assertThat(r.watermarks).as("no wall clock while records are left").isEmpty();

        long readAt = System.currentTimeMillis();
        r.deliver(backlog.subList(5, 20));
        r.pollUntilWallClock(readAt);
    }

    @Test
    @Order(2)
    void aPartitionEndingInTransactionMarkersIsReadToTheEnd() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer("arrival-transactions")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(TRANSACTIONS, 0, WEEK_AGO + i * 1_000L, null, value(i)));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 5; i < 8; i++) {
                producer.send(new ProducerRecord<>(TRANSACTIONS, 0, WEEK_AGO + i * 1_000L, null, value(i)));
            }
            producer.flush();
            producer.abortTransaction();
        }
        List<InputRecord> committed = readAll(TRANSACTIONS, 5);
        // 5 records, a commit marker, 3 aborted records and an abort marker: the reader ends 5 offsets short.
        assertThat(committed.get(4).offset).isEqualTo(4);
        assertThat(lastStableOffset(TRANSACTIONS)).isEqualTo(10);

        Reading r = new Reading(split(TRANSACTIONS, KafkaPartitionSplit.EARLIEST_OFFSET));
        long readAt = System.currentTimeMillis();
        r.deliver(committed);
        r.pollUntilWallClock(readAt);
    }

    @Test
    @Order(3)
    void emptyTopicsAndTopicsReadBeforeARestartHoldNothingBack() throws Exception {
        // A fresh start: the splits start at "committed, else earliest"; EMPTY has no record at all.
        long start = System.currentTimeMillis();
        Reading fresh = new Reading(split(EMPTY, KafkaPartitionSplit.COMMITTED_OFFSET));
        fresh.pollUntilWallClock(start);
        assertThat(fresh.watermarks.get(0)).as("at once, not after a timeout").isLessThan(start + 5_000);

        // A restart after the backlog was read: the group committed the end, nothing new came since.
        commit(BACKLOG, 20);
        Reading restarted = new Reading(split(BACKLOG, KafkaPartitionSplit.COMMITTED_OFFSET),
                split(EMPTY, KafkaPartitionSplit.COMMITTED_OFFSET));
        long restartAt = System.currentTimeMillis();
        restarted.pollUntilWallClock(restartAt);

        // A restore from a checkpoint: the splits carry concrete offsets.
        Reading restored = new Reading(split(BACKLOG, 20), split(TRANSACTIONS, 5));
        long restoreAt = System.currentTimeMillis();
        restored.pollUntilWallClock(restoreAt);
    }

    @Test
    @Order(4)
    void aQuietPartitionDoesNotHoldTheClockWhileAnotherIsBusy() throws Exception {
        // Acks come a few an hour while cards stream in: the acks partition, read to its end, must not keep the
        // clock at its last record (the latency benchmark found alerts a whole busy stretch late).
        try (KafkaProducer<byte[], byte[]> producer = producer(null)) {
            producer.send(new ProducerRecord<>(QUIET, 0, WEEK_AGO, null, value(0)));
        }
        List<InputRecord> quiet = readAll(QUIET, 1);
        List<InputRecord> busy = readAll(BACKLOG, 20);
        Reading r = new Reading(split(QUIET, KafkaPartitionSplit.EARLIEST_OFFSET),
                split(BACKLOG, KafkaPartitionSplit.EARLIEST_OFFSET));
        long readAt = System.currentTimeMillis();
        r.deliver(List.of(quiet.get(0), busy.get(0))); // the busy partition still has 19 records to deliver
        long target = readAt - config.outOfOrderness.toMillis() - 1;
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String quietSplit = QUIET + "-0";
        while (System.nanoTime() < end && r.splitClock(quietSplit) < target) {
            r.reader.isAvailable().get();
            r.reader.pollNext(r);
        }
        assertThat(r.splitClock(quietSplit)).as("the quiet split moved to the drain check's time").isGreaterThanOrEqualTo(target);
        assertThat(r.splitClock(BACKLOG + "-0")).as("the busy split stays at what it delivered").isLessThan(target);
    }

    @Test
    @Order(5)
    void withoutKafkaTheClockStops() throws Exception {
        Reading r = new Reading(split(BACKLOG, 20));
        r.pollUntilWallClock(System.currentTimeMillis());
        kafka.close();
        r.poll(Duration.ofSeconds(4));
        long stopped = r.last();
        r.poll(Duration.ofSeconds(3));
        assertThat(r.last()).isEqualTo(stopped);
    }

    private static KafkaPartitionSplit split(String topic, long startingOffset) {
        return new KafkaPartitionSplit(new TopicPartition(topic, 0), startingOffset);
    }

    private static byte[] value(int i) {
        return ("record " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("acks", "all");
        if (transactionalId != null) {
            p.setProperty("transactional.id", transactionalId);
        }
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("isolation.level", "read_committed");
        if (group != null) {
            p.setProperty("group.id", group);
        }
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static void commit(String topic, long offset) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(GROUP)) {
            c.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)));
        }
    }

    /** The first {@code count} records of the topic's partition 0, as the source would parse them. */
    private static List<InputRecord> readAll(String topic, int count) {
        List<InputRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    InputRecord in = InputRecord.of(r.topic(), r.partition(), r.offset(), r.timestamp());
                    in.stage = new StageEvent();
                    in.stage.occurredAt = r.timestamp();
                    out.add(in);
                }
            }
        }
        assertThat(out).hasSize(count);
        return out;
    }

    private static long lastStableOffset(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** The wrapper around a scripted Kafka reader, polled like Flink's source task does. */
    private static final class Reading implements ReaderOutput<InputRecord> {
        final Deque<InputRecord> toDeliver = new ArrayDeque<>();
        final List<Long> watermarks = new ArrayList<>();
        final ArrivalTimeSource.Reader reader;

        Reading(KafkaPartitionSplit... splits) {
            reader = new ArrivalTimeSource.Reader(new Scripted(), KafkaDrainProbe.factory(config, GROUP).open(),
                    config.drainCheckInterval.toMillis(), config.outOfOrderness.toMillis());
            reader.addSplits(List.of(splits));
            reader.handleSourceEvents(new SettlingEnumerator.Settled()); // as the enumerator says after assigning
        }

        void deliver(List<InputRecord> records) throws Exception {
            toDeliver.addAll(records);
            while (!toDeliver.isEmpty()) {
                reader.pollNext(this);
            }
        }

        void poll(Duration time) throws Exception {
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) {
                reader.isAvailable().get();
                reader.pollNext(this);
            }
        }

        /** Polls until the clock has passed {@code wallClock} - out-of-orderness; fails after 20 s. */
        void pollUntilWallClock(long wallClock) throws Exception {
            long target = wallClock - config.outOfOrderness.toMillis() - 1;
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end && (watermarks.isEmpty() || last() < target)) {
                reader.isAvailable().get();
                reader.pollNext(this);
            }
            assertThat(watermarks).isNotEmpty();
            assertThat(last()).isGreaterThanOrEqualTo(target);
        }

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }

        /** The newest clock emitted on a split's own output (the drain checks'; the generator is Flink's part). */
        long splitClock(String splitId) {
            return splitClocks.getOrDefault(splitId, Long.MIN_VALUE);
        }

        final Map<String, Long> splitClocks = new java.util.HashMap<>();

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
            Reading reading = this;
            return new SourceOutput<>() {
                @Override
                public void collect(InputRecord record) {}

                @Override
                public void collect(InputRecord record, long timestamp) {}

                @Override
                public void emitWatermark(Watermark watermark) {
                    splitClocks.merge(splitId, watermark.getTimestamp(), Math::max);
                    reading.emitWatermark(watermark);
                }

                @Override
                public void markIdle() {}

                @Override
                public void markActive() {}
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}

        /** Plays the Kafka source's reader: one record per poll, through the split's output. */
        private final class Scripted implements SourceReader<InputRecord, KafkaPartitionSplit> {
            @Override
            public void start() {}

            @Override
            public InputStatus pollNext(ReaderOutput<InputRecord> output) {
                InputRecord r = toDeliver.poll();
                if (r == null) {
                    return InputStatus.NOTHING_AVAILABLE;
                }
                output.createOutputForSplit(r.topic + "-" + r.partition).collect(r, r.kafkaTimestamp);
                return toDeliver.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
            }

            @Override
            public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
                return List.of();
            }

            @Override
            public CompletableFuture<Void> isAvailable() {
                return new CompletableFuture<>(); // nothing comes by itself: only the reader's check wakes it
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
}

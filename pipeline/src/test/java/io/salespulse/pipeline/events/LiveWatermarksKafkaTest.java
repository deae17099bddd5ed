package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.MonitorJob;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * LiveWatermarks with the real drain probe against the in-process broker, as the monitor job wires it
 * (drain-timeout 1 s). The test plays the source's reader: it reads records with a read_committed consumer
 * and hands them to the generator, or stops handing them over while the partition still holds records.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveWatermarksKafkaTest {
    private static final long WEEK_AGO = System.currentTimeMillis() - Duration.ofDays(7).toMillis();
    private static final String BACKLOG = "lw.backlog";
    private static final String TRANSACTIONS = "lw.transactions";
    private static final String EMPTY = "lw.empty";

    @TempDir
    static Path dir;
    static LocalKafka kafka;
    static PipelineConfig config;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, BACKLOG, TRANSACTIONS, EMPTY);
        config = PipelineConfig.load(Map.of(
                Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers(),
                Setting.TOPIC_STAGES, BACKLOG,
                Setting.TOPIC_VISITS, TRANSACTIONS,
                Setting.TOPIC_ACKS, EMPTY,
                Setting.WATERMARK_DRAIN_TIMEOUT, "1s"), Map.of());
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    @Order(1)
    void unreadRecordsKeepEventTimePastTheDrainTimeoutUntilRead() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(null)) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(BACKLOG, 0, WEEK_AGO + i * 1_000L, null, value(i)));
            }
        }
        List<InputRecord> backlog = readAll(BACKLOG, 20);
        Watermarks stalled = new Watermarks();
        stalled.feed(backlog.subList(0, 5)); // then the reader stalls with 15 records left
        Watermarks empty = new Watermarks(); // a witness: it moves once the probe's checks reach Kafka
        empty.runUntilWallClock(System.currentTimeMillis(), stalled);
        stalled.run(Duration.ofSeconds(3), empty);
        assertThat(stalled.emitted).isNotEmpty().containsOnly(WEEK_AGO + 4_000 - config.outOfOrderness.toMillis() - 1);

        long readAt = System.currentTimeMillis();
        stalled.feed(backlog.subList(5, 20));
        stalled.runUntilWallClock(readAt);
    }

    @Test
    @Order(2)
    void partitionEndingInTransactionMarkersIsDrained() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer("lw-transactions")) {
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

        Watermarks w = new Watermarks();
        long readAt = System.currentTimeMillis();
        w.feed(committed);
        w.runUntilWallClock(readAt);
    }

    @Test
    @Order(3)
    void withoutKafkaNothingCountsAsDrained() throws Exception {
        Watermarks drained = new Watermarks();
        drained.feed(readAll(BACKLOG, 20));
        Watermarks empty = new Watermarks(); // never gets a record: its partition is unknown
        long start = System.currentTimeMillis();
        drained.runUntilWallClock(start, empty);
        empty.runUntilWallClock(start, drained);

        kafka.close();
        drained.run(Duration.ofSeconds(4), empty);
        long drainedAt = drained.last();
        long emptyAt = empty.last();
        drained.run(Duration.ofSeconds(3), empty);
        assertThat(drained.last()).isEqualTo(drainedAt);
        assertThat(empty.last()).isEqualTo(emptyAt);
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

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("isolation.level", "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The first {@code count} records of the topic's partition 0, as the source would parse them. */
    private static List<InputRecord> readAll(String topic, int count) {
        List<InputRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
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
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** One partition's generator as the job builds it, called every 200 ms like Flink does. */
    private static final class Watermarks implements WatermarkOutput {
        final WatermarkGenerator<InputRecord> generator = MonitorJob.watermarks(config).createWatermarkGenerator(null);
        final List<Long> emitted = new ArrayList<>();

        void feed(List<InputRecord> records) {
            for (InputRecord r : records) {
                generator.onEvent(r, r.eventTime(), this);
            }
        }

        /** Runs this generator (and {@code others}, as one reader's splits) for {@code time}. */
        void run(Duration time, Watermarks... others) throws InterruptedException {
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) {
                tick(others);
            }
        }

        /** Runs until the watermark has passed {@code wallClock} - out-of-orderness; fails after 20 s. */
        void runUntilWallClock(long wallClock, Watermarks... others) throws InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < end && (emitted.isEmpty() || last() < wallClock - config.outOfOrderness.toMillis() - 1)) {
                tick(others);
            }
            assertThat(emitted).isNotEmpty();
            assertThat(last()).isGreaterThanOrEqualTo(wallClock - config.outOfOrderness.toMillis() - 1);
        }

        private void tick(Watermarks... others) throws InterruptedException {
            Thread.sleep(200);
            generator.onPeriodicEmit(this);
            for (Watermarks o : others) {
                o.generator.onPeriodicEmit(o);
            }
        }

        long last() {
            return emitted.get(emitted.size() - 1);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}

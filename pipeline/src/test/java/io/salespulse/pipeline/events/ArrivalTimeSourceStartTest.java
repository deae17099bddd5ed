package io.salespulse.pipeline.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.wiring.JobInputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.enumerator.subscriber.KafkaSubscriber;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job started on a backlog, in a real MiniCluster with the Kafka source's own reader and enumerator, where the
 * enumerator takes its time to list the partitions (as on a busy machine: a job started after a history import
 * raised hundreds of alerts about the import as live when it did). The readers must not move their clock to the
 * wall clock before they were given their partitions, or the whole backlog is late; and a reader that owns no
 * partition must still follow the wall clock once every partition has been handed out.
 */
class ArrivalTimeSourceStartTest {
    private static final String TOPIC = "start.backlog";
    private static final int RECORDS = 200;
    private static final long WEEK_AGO = System.currentTimeMillis() - Duration.ofDays(7).toMillis();

    private static final AtomicInteger SEEN = new AtomicInteger();
    private static final AtomicInteger LATE = new AtomicInteger();
    private static final AtomicBoolean WALL_CLOCK_REACHED = new AtomicBoolean();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    static Path dir;
    static LocalKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, TOPIC);
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, WEEK_AGO + i * 60_000L, null,
                        ("card " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aBacklogReadByReadersGivenTheirPartitionsLateIsNotLateAndTheClockStillReachesTheWallClock() throws Exception {
        PipelineConfig config = PipelineConfig.load(Map.of(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers()), Map.of());
        KafkaSource<InputRecord> slowToList = KafkaSource.<InputRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaSubscriber(new SlowSubscriber(TOPIC, 3_000))
                .setGroupId("start-test")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new Raw())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
        long startedAt = System.currentTimeMillis();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Two readers for one partition: one of them never owns a partition and must not hold the clock back.
        env.fromSource(JobInputs.live(config, "start-test", slowToList), JobInputs.watermarks(config), "input")
                .setParallelism(2)
                .keyBy(r -> 0)
                .process(new LateOrOnTime(startedAt))
                .setParallelism(1)
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("arrival-time start");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((SEEN.get() < RECORDS || !WALL_CLOCK_REACHED.get()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            job.cancel().get();
        }
        assertThat(SEEN.get()).as("records read").isEqualTo(RECORDS);
        assertThat(LATE.get()).as("records behind the clock when they were read").isZero();
        assertThat(WALL_CLOCK_REACHED.get()).as("the clock reached the wall clock of the start").isTrue();
    }

    /** Counts records at or behind the clock; a timer at the start's wall clock tells when the clock got there. */
    static final class LateOrOnTime extends KeyedProcessFunction<Integer, InputRecord, InputRecord> {
        private final long startedAt;

        LateOrOnTime(long startedAt) {
            this.startedAt = startedAt;
        }

        @Override
        public void processElement(InputRecord r, Context ctx, Collector<InputRecord> out) {
            if (ctx.timestamp() <= ctx.timerService().currentWatermark()) {
                LATE.incrementAndGet();
            }
            SEEN.incrementAndGet();
            ctx.timerService().registerEventTimeTimer(startedAt - 1_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<InputRecord> out) {
            WALL_CLOCK_REACHED.set(true);
        }
    }

    /** The topic's partitions, listed only after a pause. */
    static final class SlowSubscriber implements KafkaSubscriber {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final long pauseMillis;

        SlowSubscriber(String topic, long pauseMillis) {
            this.topic = topic;
            this.pauseMillis = pauseMillis;
        }

        @Override
        public Set<TopicPartition> getSubscribedTopicPartitions(AdminClient admin) {
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return KafkaSubscriber.getTopicListSubscriber(List.of(topic)).getSubscribedTopicPartitions(admin);
        }
    }

    /** Each record as an input record with its Kafka coordinates and timestamp; the payload does not matter here. */
    static final class Raw implements KafkaRecordDeserializationSchema<InputRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputRecord> out) {
            out.collect(InputRecord.of(record.topic(), record.partition(), record.offset(), record.timestamp()));
        }

        @Override
        public TypeInformation<InputRecord> getProducedType() {
            return TypeInformation.of(InputRecord.class);
        }
    }
}

package io.salespulse.pipeline.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.localstack.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.flink.connector.kafka.sink.internal.KafkaCommitter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restore does with the transactions its checkpoint recorded, against the real broker, with the connector's
 * own committer behind ours. Kafka 4 (transactions version 2) bumps a producer's epoch when a transaction ends, so a
 * second commit of an already committed transaction is answered "fenced", which the connector logs as a likely data
 * loss; ours skips those, and leaves every other case to the connector: a transaction still open is committed, an
 * aborted one (a real loss) still fails as before.
 */
class RestoreAwareKafkaSinkTest {
    private static final String TOPIC = "restore-aware";

    @TempDir
    static Path dir;
    static LocalKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, TOPIC);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void kafkaAnswersFencedToASecondCommitOfACommittedTransaction() throws Exception {
        KafkaCommittable recorded = transaction("pin-0-1", Ending.COMMIT);
        try (FlinkKafkaInternalProducer<byte[], byte[]> committer = new FlinkKafkaInternalProducer<>(props(), "pin-0-1")) {
            committer.resumeTransaction(recorded.getProducerId(), recorded.getEpoch());
            assertThatThrownBy(committer::commitTransaction).isInstanceOf(ProducerFencedException.class);
        }
    }

    @Test
    void aRecoveredTransactionKafkaAlreadyCommittedIsNotCommittedAgain() throws Exception {
        Request r = commitAfterRestore(transaction("done-0-1", Ending.COMMIT));
        assertThat(r.outcome).isEqualTo("already committed");
    }

    @Test
    void aRecoveredTransactionStillOpenIsCommitted() throws Exception {
        Request r = commitAfterRestore(transaction("open-0-1", Ending.NONE));
        assertThat(r.outcome).isEqualTo("committed");
        assertThat(committedValues()).contains("open-0-1");
    }

    @Test
    void aRecoveredTransactionKafkaAbortedStillFailsAsALoss() throws Exception {
        Request r = commitAfterRestore(transaction("lost-0-1", Ending.ABORT));
        assertThat(r.outcome).isEqualTo("failed");
        assertThat(committedValues()).doesNotContain("lost-0-1");
    }

    private enum Ending { COMMIT, ABORT, NONE }

    /** A transaction of one record, as a checkpoint records it (producer id and epoch, no producer). */
    private static KafkaCommittable transaction(String id, Ending ending) {
        FlinkKafkaInternalProducer<byte[], byte[]> writer = new FlinkKafkaInternalProducer<>(props(), id);
        writer.initTransactions();
        writer.beginTransaction();
        writer.send(new ProducerRecord<>(TOPIC, id.getBytes(StandardCharsets.UTF_8)), null);
        writer.flush();
        KafkaCommittable recorded = new KafkaCommittable(writer.getProducerId(), writer.getEpoch(), id, null);
        switch (ending) {
            case COMMIT -> writer.commitTransaction();
            case ABORT -> writer.abortTransaction();
            case NONE -> { }
        }
        writer.close(Duration.ZERO);
        return recorded;
    }

    private static Request commitAfterRestore(KafkaCommittable recorded) throws Exception {
        Properties admin = new Properties();
        admin.setProperty("bootstrap.servers", kafka.bootstrapServers());
        Request r = new Request(recorded);
        try (RestoreAwareKafkaSink.SkippingCommitter committer = new RestoreAwareKafkaSink.SkippingCommitter(
                new KafkaCommitter(props(), "test", 0, 0, false, FlinkKafkaInternalProducer::new), admin)) {
            committer.commit(List.of(r));
        }
        return r;
    }

    private static List<String> committedValues() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("isolation.level", "read_committed");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.setProperty("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.setProperty("transaction.timeout.ms", "600000");
        return p;
    }

    /** The commit request as Flink's committer operator hands it over, recording how it ended. */
    private static final class Request implements Committer.CommitRequest<KafkaCommittable> {
        private final KafkaCommittable committable;
        String outcome = "committed"; // Flink's reading of a request the committer returned without a signal

        Request(KafkaCommittable committable) {
            this.committable = committable;
        }

        @Override
        public KafkaCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outcome = "failed";
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outcome = "failed";
        }

        @Override
        public void retryLater() {
            outcome = "retry";
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable committable) {
            outcome = "retry";
        }

        @Override
        public void signalAlreadyCommitted() {
            outcome = "already committed";
        }
    }
}

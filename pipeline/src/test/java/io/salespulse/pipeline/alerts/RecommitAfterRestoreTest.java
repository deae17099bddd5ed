package io.salespulse.pipeline.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.localstack.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why a restore logs "Unable to commit transaction ... producer is already fenced ... most likely signals data loss"
 * at ERROR although nothing was lost (docs/troubleshooting.md). On a restore the Kafka sink's committer commits again
 * the transaction the checkpoint recorded, which was normally committed already when the checkpoint completed. Kafka 4
 * brokers (transactions version 2, KIP-890) bump the producer epoch when a transaction ends, so that second commit,
 * made with the recorded epoch, is answered "fenced"; the connector cannot tell it from a lost transaction and logs
 * the loss message. This test pins the broker behaviour the explanation rests on: when it fails, the explanation in
 * the docs must change.
 */
class RecommitAfterRestoreTest {
    @TempDir
    Path dir;

    @Test
    void aCommittedTransactionCommittedAgainWithItsRecordedEpochIsAnsweredFenced() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(1, "recommit");
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", kafka.bootstrapServers());
            p.setProperty("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
            p.setProperty("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
            long producerId;
            short epoch;
            try (FlinkKafkaInternalProducer<byte[], byte[]> writer =
                    new FlinkKafkaInternalProducer<>(p, "recommit-0-1")) {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>("recommit", "alert".getBytes(StandardCharsets.UTF_8)), null);
                writer.flush();
                producerId = writer.getProducerId();
                epoch = writer.getEpoch(); // what the checkpoint records
                writer.commitTransaction(); // the commit after the checkpoint completed
                assertThat(writer.getEpoch()).as("the broker bumped the epoch at the commit").isGreaterThan(epoch);
            }
            try (FlinkKafkaInternalProducer<byte[], byte[]> committer =
                    new FlinkKafkaInternalProducer<>(p, "recommit-0-1")) {
                committer.resumeTransaction(producerId, epoch); // the restore's commit of the recorded transaction
                assertThatThrownBy(committer::commitTransaction).isInstanceOf(ProducerFencedException.class);
            }
        }
    }
}

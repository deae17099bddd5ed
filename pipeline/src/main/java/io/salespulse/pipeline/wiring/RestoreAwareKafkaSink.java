package io.salespulse.pipeline.wiring;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka exactly-once sink, whose committer does not commit again, after a restore, a transaction Kafka has
 * already committed.
 *
 * <p>On a restore the sink commits again the transactions its checkpoint recorded; normally they were committed when
 * the checkpoint completed. Kafka 4 brokers (transactions version 2) bump a producer's epoch whenever a transaction
 * ends, so that second commit, made with the recorded epoch, is answered "fenced", and the connector logs at ERROR
 * that this "most likely signals data loss" (docs/troubleshooting.md). Before committing a recovered transaction, this
 * committer asks Kafka for its state: committed by the same producer since (its epoch moved on) means nothing is left
 * to do, said at INFO. Anything else (still open, aborted, unknown, Kafka not answering) goes to the connector's own
 * committer as before, so a transaction that really was lost is still reported as a loss.
 *
 * <p>Writer, committer and their state are the Kafka sink's own: savepoints are unchanged.
 */
public final class RestoreAwareKafkaSink<T>
        implements Sink<T>, SupportsWriterState<T, KafkaWriterState>, SupportsCommitter<KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable> {
    private static final long serialVersionUID = 1L;

    private final KafkaSink<T> kafka;
    private final Properties adminProperties;

    RestoreAwareKafkaSink(KafkaSink<T> kafka, String bootstrapServers) {
        this.kafka = kafka;
        this.adminProperties = new Properties();
        adminProperties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProperties.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        adminProperties.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    }

    @Override
    public StatefulSinkWriter<T, KafkaWriterState> createWriter(WriterInitContext context) throws IOException {
        return kafka.createWriter(context);
    }

    @Override
    public StatefulSinkWriter<T, KafkaWriterState> restoreWriter(WriterInitContext context,
            Collection<KafkaWriterState> recoveredState) {
        return kafka.restoreWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return kafka.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return new SkippingCommitter(kafka.createCommitter(context), adminProperties);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return kafka.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        kafka.addPostCommitTopology(committables);
    }

    /** Skips recovered transactions Kafka already committed; hands everything else to the connector's committer. */
    static final class SkippingCommitter implements Committer<KafkaCommittable> {
        private static final Logger LOG = LoggerFactory.getLogger(RestoreAwareKafkaSink.class);
        private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

        private final Committer<KafkaCommittable> kafka;
        private final Properties adminProperties;
        private Admin admin;

        SkippingCommitter(Committer<KafkaCommittable> kafka, Properties adminProperties) {
            this.kafka = kafka;
            this.adminProperties = adminProperties;
        }

        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                throws IOException, InterruptedException {
            List<CommitRequest<KafkaCommittable>> rest = new ArrayList<>(requests.size());
            for (CommitRequest<KafkaCommittable> request : requests) {
                KafkaCommittable c = request.getCommittable();
                // A committable with its producer comes from this run's writer; without, from a checkpoint.
                if (c.getProducer().isEmpty() && committedSince(c)) {
                    LOG.info("Transaction {} of the restored checkpoint was committed before the restore: nothing to"
                            + " commit again", c.getTransactionalId());
                    request.signalAlreadyCommitted();
                } else {
                    rest.add(request);
                }
            }
            if (!rest.isEmpty()) {
                kafka.commit(rest);
            }
        }

        /** Whether Kafka says the transaction was committed by its producer after the recorded epoch. */
        private boolean committedSince(KafkaCommittable c) throws InterruptedException {
            try {
                if (admin == null) {
                    admin = Admin.create(adminProperties);
                }
                TransactionDescription d = admin.describeTransactions(List.of(c.getTransactionalId()))
                        .description(c.getTransactionalId()).get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return d.state() == TransactionState.COMPLETE_COMMIT && d.producerId() == c.getProducerId()
                        && d.producerEpoch() > c.getEpoch();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debug("Could not ask Kafka about transaction {}; committing it as usual", c.getTransactionalId(), e);
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                kafka.close();
            } finally {
                if (admin != null) {
                    admin.close(Duration.ofSeconds(2));
                }
            }
        }
    }
}

package io.salespulse.faults;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Ends a replayed history the way live traffic would: one record written now on every partition of the
 * input topics, so every partition's arrival clock is at "now" even before the source's drain check moves it
 * there. The record is deliberately not JSON (one dead letter per partition): it changes no customer.
 */
final class Touch {
    static final String[] INPUTS = {"sales.stages", "sales.visits", "sales.acks"};
    static final int PARTITIONS = 3;

    private Touch() {}

    /** Returns the number of records written (each one a dead letter). */
    static int allPartitions(String bootstrap) {
        return allPartitions(bootstrap, PARTITIONS);
    }

    /** As {@link #allPartitions(String)} for input topics of {@code partitions} partitions. */
    static int allPartitions(String bootstrap, int partitions) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        int n = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : INPUTS) {
                for (int partition = 0; partition < partitions; partition++) {
                    producer.send(new ProducerRecord<>(topic, partition, System.currentTimeMillis(), null,
                            "end of the replayed history".getBytes(StandardCharsets.UTF_8)));
                    n++;
                }
            }
            producer.flush();
        }
        return n;
    }
}

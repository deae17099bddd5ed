package io.salespulse.bench;

import io.salespulse.producers.simulator.LoadGenerator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Pre-loads the simulator's raw load ({@link LoadGenerator}) into a phase's topics, so the producer is not measured;
 * and the plain producer the benchmark's baselines write with.
 */
final class Loader {
    private Loader() {}

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Sends every event of {@code load}; returns the bytes of all values. */
    static long load(String bootstrap, String phase, LoadGenerator load) throws Exception {
        long[] i = {0};
        return send(bootstrap, () -> {
            if (i[0] == load.events()) {
                return null;
            }
            LoadGenerator.LoadEvent e = load.event(i[0]++);
            return new ProducerRecord<>(MonitorJobs.Topics.of(phase, e.topic()), null, e.timestampMillis(),
                    e.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), e.value());
        });
    }

    /** The records to send, one by one; null after the last. */
    @FunctionalInterface
    interface Records {
        ProducerRecord<byte[], byte[]> next() throws Exception;
    }

    /** Sends every record without waiting for each acknowledgement, then flushes; returns the bytes of all values. */
    static long send(String bootstrap, Records records) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (ProducerRecord<byte[], byte[]> r = records.next(); r != null; r = records.next()) {
                bytes += r.value().length;
                producer.send(r, (m, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    }
                });
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return bytes;
    }
}

package io.salespulse.producers.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records to Kafka with an idempotent producer ({@code acks=all}), so a retried send never
 * duplicates or reorders records within a partition; the duplicates the simulator injects on purpose
 * are separate sends. The record timestamp is the record's arrival instant (its {@code occurred_at} unless
 * field traffic is simulated): the stream time the jobs work in.
 */
public final class KafkaEventSink implements EventSink {
    private final KafkaProducer<byte[], byte[]> producer;
    /** The first asynchronous send failure, rethrown on the next send/flush so no error is lost. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public KafkaEventSink(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be empty");
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "salespulse-simulator");
        this.producer = new KafkaProducer<>(props);
    }

    @Override
    public void send(String topic, String key, byte[] value, long timestampMillis) throws Exception {
        rethrowFailure();
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, null, timestampMillis, keyBytes, value), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void flush() throws Exception {
        producer.flush();
        rethrowFailure();
    }

    @Override
    public void close() throws Exception {
        try {
            flush();
        } finally {
            producer.close();
        }
    }

    private void rethrowFailure() throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to Kafka failed: " + e.getMessage(), e);
        }
    }
}

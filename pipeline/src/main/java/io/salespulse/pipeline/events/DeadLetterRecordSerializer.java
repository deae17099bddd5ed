package io.salespulse.pipeline.events;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Dead letters on {@code sales.dlq}: the original key, and a JSON value with the record, its origin and the reason. */
public final class DeadLetterRecordSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key = d.key == null ? null : d.key.getBytes(StandardCharsets.UTF_8);
        // Stamped with the time of writing, not the original record's: replayed old input must not land in
        // sales.dlq already past the topic's retention. The original time is in the value (received_at).
        return new ProducerRecord<>(topic, null, null, key, d.toJson());
    }
}

package io.salespulse.pipeline.alerts;

import io.salespulse.contract.Alert;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Alerts on {@code sales.alerts}: key = alert_id (so consumers can de-duplicate and compact), value = contract JSON. */
public final class AlertRecordSerializer implements KafkaRecordSerializationSchema<Alert> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public AlertRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context, Long timestamp) {
        // No explicit record timestamp: the producer stamps the time of writing. fired_at can lie days in the
        // past (a replay, a card that proves a missed due time), and a record stamped that old can be
        // deleted by the topic's retention right after it was written.
        return new ProducerRecord<>(topic, null, null, alert.alertId.getBytes(StandardCharsets.UTF_8),
                alert.toJson());
    }
}

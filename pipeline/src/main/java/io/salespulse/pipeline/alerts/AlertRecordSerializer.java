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
        return new ProducerRecord<>(topic, null, alert.firedAt, alert.alertId.getBytes(StandardCharsets.UTF_8),
                alert.toJson());
    }
}

package io.salespulse.pipeline.policy;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Every record of {@code sales.policies} becomes a {@link PolicyUpdate}; nothing is rejected here. */
public final class PolicyDeserializer implements KafkaRecordDeserializationSchema<PolicyUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<PolicyUpdate> out) {
        PolicyUpdate u = new PolicyUpdate();
        u.scope = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        u.value = record.value();
        u.topic = record.topic();
        u.partition = record.partition();
        u.offset = record.offset();
        u.publishedAt = record.timestamp();
        out.collect(u);
    }

    @Override
    public TypeInformation<PolicyUpdate> getProducedType() {
        return TypeInformation.of(PolicyUpdate.class);
    }
}

package io.salespulse.pipeline.wiring;

import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.config.PipelineConfig;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** How both jobs write: Kafka topics exactly once, ClickHouse tables with the configured batching and retries. */
public final class JobOutputs {
    private JobOutputs() {}

    /** The settings of every ClickHouse sink of a job. */
    public static ClickHouseSinkOptions clickHouse(PipelineConfig config) {
        return ClickHouseSinkOptions.builder(config.clickhouseUrl)
                .user(config.clickhouseUser)
                .password(config.clickhousePassword)
                .batchSize(config.clickhouseBatchSize)
                .flushInterval(config.clickhouseFlushInterval)
                .maxRetries(config.clickhouseMaxRetries)
                .build();
    }

    /**
     * A Kafka sink with the exactly-once guarantee: transactions committed on checkpoints. The transactional id
     * prefix names in-flight transactions in the checkpoints: a job keeps its prefixes across releases. After a
     * restore it does not commit again what Kafka already committed ({@link RestoreAwareKafkaSink}).
     */
    public static <T> RestoreAwareKafkaSink<T> exactlyOnce(PipelineConfig config, String transactionalIdPrefix,
            KafkaRecordSerializationSchema<T> serializer) {
        Properties producer = new Properties();
        // Must stay below the broker's transaction.max.timeout.ms (15 min by default).
        producer.setProperty("transaction.timeout.ms", "600000");
        KafkaSink<T> kafka = KafkaSink.<T>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
        return new RestoreAwareKafkaSink<>(kafka, config.kafkaBootstrap);
    }
}

package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.pipeline.alerts.AlertRecordSerializer;
import io.salespulse.pipeline.clickhouse.ClickHouseSink;
import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.clickhouse.ContractTables;
import io.salespulse.pipeline.config.PipelineConfig;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** Where the funnel job's results go. {@link #production} wires Kafka and ClickHouse; tests pass their own. */
public final class FunnelSinks {
    public final Sink<Alert> alertsTopic;
    public final Sink<Alert> alertRows;
    public final Sink<ConversionRow> conversionRows;
    public final Sink<DigestRow> digestRows;

    public FunnelSinks(Sink<Alert> alertsTopic, Sink<Alert> alertRows, Sink<ConversionRow> conversionRows,
            Sink<DigestRow> digestRows) {
        this.alertsTopic = alertsTopic;
        this.alertRows = alertRows;
        this.conversionRows = conversionRows;
        this.digestRows = digestRows;
    }

    /** Alerts exactly once to sales.alerts (own transactional ids) and to the alerts table; rows to ClickHouse. */
    public static FunnelSinks production(PipelineConfig config) {
        ClickHouseSinkOptions ch = ClickHouseSinkOptions.builder(config.clickhouseUrl)
                .user(config.clickhouseUser)
                .password(config.clickhousePassword)
                .batchSize(config.clickhouseBatchSize)
                .flushInterval(config.clickhouseFlushInterval)
                .maxRetries(config.clickhouseMaxRetries)
                .build();
        Properties producer = new Properties();
        // Must stay below the broker's transaction.max.timeout.ms (15 min by default).
        producer.setProperty("transaction.timeout.ms", "600000");
        KafkaSink<Alert> alerts = KafkaSink.<Alert>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new AlertRecordSerializer(config.topicAlerts))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.funnelTransactionalIdPrefix + "-alerts")
                .build();
        return new FunnelSinks(alerts, new ClickHouseSink<>(ch, ContractTables.ALERTS),
                new ClickHouseSink<>(ch, FunnelTables.STAGE_CONVERSION),
                new ClickHouseSink<>(ch, FunnelTables.FORECAST_DIGESTS));
    }
}

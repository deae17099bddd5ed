package io.salespulse.pipeline;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.alerts.AlertRecordSerializer;
import io.salespulse.pipeline.clickhouse.ClickHouseSink;
import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.clickhouse.ContractTables;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.events.DeadLetterRecordSerializer;
import io.salespulse.pipeline.imports.ImportSessionRow;
import io.salespulse.pipeline.overdue.CustomerStatus;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** Where the monitor job's results go. {@link #production} wires Kafka and ClickHouse; tests pass their own. */
public final class MonitorSinks {
    public final Sink<Alert> alertsTopic;
    public final Sink<DeadLetter> deadLetterTopic;
    public final Sink<Alert> alertRows;
    public final Sink<CustomerStatus> statusRows;
    public final Sink<StageEvent> stageRows;
    public final Sink<VisitEvent> visitRows;
    public final Sink<AckEvent> ackRows;
    public final Sink<DeadLetter> deadLetterRows;
    public final Sink<ImportSessionRow> importSessionRows;

    public MonitorSinks(Sink<Alert> alertsTopic, Sink<DeadLetter> deadLetterTopic, Sink<Alert> alertRows,
            Sink<CustomerStatus> statusRows, Sink<StageEvent> stageRows, Sink<VisitEvent> visitRows,
            Sink<AckEvent> ackRows, Sink<DeadLetter> deadLetterRows, Sink<ImportSessionRow> importSessionRows) {
        this.alertsTopic = alertsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.alertRows = alertRows;
        this.statusRows = statusRows;
        this.stageRows = stageRows;
        this.visitRows = visitRows;
        this.ackRows = ackRows;
        this.deadLetterRows = deadLetterRows;
        this.importSessionRows = importSessionRows;
    }

    /**
     * Alerts and dead letters go to Kafka with the exactly-once sink (transactions committed on
     * checkpoints). ClickHouse rows are written in batches, flushed on every checkpoint, into tables that
     * de-duplicate on their keys, so replays and retries never show a row twice when read with FINAL.
     */
    public static MonitorSinks production(PipelineConfig config) {
        ClickHouseSinkOptions ch = ClickHouseSinkOptions.builder(config.clickhouseUrl)
                .user(config.clickhouseUser)
                .password(config.clickhousePassword)
                .batchSize(config.clickhouseBatchSize)
                .flushInterval(config.clickhouseFlushInterval)
                .maxRetries(config.clickhouseMaxRetries)
                .build();
        return new MonitorSinks(
                exactlyOnce(config, "alerts", new AlertRecordSerializer(config.topicAlerts)),
                exactlyOnce(config, "dlq", new DeadLetterRecordSerializer(config.topicDlq)),
                new ClickHouseSink<>(ch, ContractTables.ALERTS),
                new ClickHouseSink<>(ch, ContractTables.CUSTOMER_STATUS),
                new ClickHouseSink<>(ch, ContractTables.STAGE_EVENTS),
                new ClickHouseSink<>(ch, ContractTables.VISITS),
                new ClickHouseSink<>(ch, ContractTables.ALERT_ACKS),
                new ClickHouseSink<>(ch, ContractTables.DEAD_LETTERS),
                new ClickHouseSink<>(ch, ContractTables.IMPORT_SESSIONS));
    }

    private static <T> KafkaSink<T> exactlyOnce(PipelineConfig config, String name,
            KafkaRecordSerializationSchema<T> serializer) {
        Properties producer = new Properties();
        // Must stay below the broker's transaction.max.timeout.ms (15 min by default).
        producer.setProperty("transaction.timeout.ms", "600000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix + "-" + name)
                .build();
    }
}

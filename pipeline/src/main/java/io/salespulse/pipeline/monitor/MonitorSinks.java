package io.salespulse.pipeline.monitor;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
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
import io.salespulse.pipeline.policy.PolicyChange;
import io.salespulse.pipeline.policy.PolicyChangeRows;
import io.salespulse.pipeline.wiring.JobOutputs;
import org.apache.flink.api.connector.sink2.Sink;

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
    public final Sink<PolicyChange> policyChangeRows;
    public final Sink<CashEvent> contractRows;
    public final Sink<CashEvent> invoiceRows;
    public final Sink<CashEvent> paymentRows;

    public MonitorSinks(Sink<Alert> alertsTopic, Sink<DeadLetter> deadLetterTopic, Sink<Alert> alertRows,
            Sink<CustomerStatus> statusRows, Sink<StageEvent> stageRows, Sink<VisitEvent> visitRows,
            Sink<AckEvent> ackRows, Sink<DeadLetter> deadLetterRows, Sink<ImportSessionRow> importSessionRows,
            Sink<PolicyChange> policyChangeRows, Sink<CashEvent> contractRows, Sink<CashEvent> invoiceRows,
            Sink<CashEvent> paymentRows) {
        this.alertsTopic = alertsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.alertRows = alertRows;
        this.statusRows = statusRows;
        this.stageRows = stageRows;
        this.visitRows = visitRows;
        this.ackRows = ackRows;
        this.deadLetterRows = deadLetterRows;
        this.importSessionRows = importSessionRows;
        this.policyChangeRows = policyChangeRows;
        this.contractRows = contractRows;
        this.invoiceRows = invoiceRows;
        this.paymentRows = paymentRows;
    }

    /**
     * Alerts and dead letters go to Kafka with the exactly-once sink (transactions committed on
     * checkpoints). ClickHouse rows are written in batches, flushed on every checkpoint, into tables that
     * de-duplicate on their keys, so replays and retries never show a row twice when read with FINAL.
     */
    public static MonitorSinks production(PipelineConfig config) {
        ClickHouseSinkOptions ch = JobOutputs.clickHouse(config);
        return new MonitorSinks(
                JobOutputs.exactlyOnce(config, config.transactionalIdPrefix + "-alerts",
                        new AlertRecordSerializer(config.topicAlerts)),
                JobOutputs.exactlyOnce(config, config.transactionalIdPrefix + "-dlq",
                        new DeadLetterRecordSerializer(config.topicDlq)),
                new ClickHouseSink<>(ch, ContractTables.ALERTS),
                new ClickHouseSink<>(ch, MonitorTables.CUSTOMER_STATUS),
                new ClickHouseSink<>(ch, ContractTables.STAGE_EVENTS),
                new ClickHouseSink<>(ch, ContractTables.VISITS),
                new ClickHouseSink<>(ch, ContractTables.ALERT_ACKS),
                new ClickHouseSink<>(ch, ContractTables.DEAD_LETTERS),
                new ClickHouseSink<>(ch, ImportSessionRow.TABLE),
                new ClickHouseSink<>(ch, new PolicyChangeRows()),
                new ClickHouseSink<>(ch, ContractTables.CONTRACTS),
                new ClickHouseSink<>(ch, ContractTables.INVOICES),
                new ClickHouseSink<>(ch, ContractTables.PAYMENTS));
    }
}

package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.pipeline.alerts.AlertRecordSerializer;
import io.salespulse.pipeline.clickhouse.ClickHouseSink;
import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.clickhouse.ContractTables;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.wiring.JobOutputs;
import org.apache.flink.api.connector.sink2.Sink;

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
        ClickHouseSinkOptions ch = JobOutputs.clickHouse(config);
        return new FunnelSinks(
                JobOutputs.exactlyOnce(config, config.funnelTransactionalIdPrefix + "-alerts",
                        new AlertRecordSerializer(config.topicAlerts)),
                new ClickHouseSink<>(ch, ContractTables.ALERTS),
                new ClickHouseSink<>(ch, FunnelTables.STAGE_CONVERSION),
                new ClickHouseSink<>(ch, FunnelTables.FORECAST_DIGESTS));
    }
}

package io.salespulse.pipeline;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.events.InputRouter;
import io.salespulse.pipeline.events.LiveWatermarks;
import io.salespulse.pipeline.overdue.CustomerStatus;
import io.salespulse.pipeline.overdue.OverdueDetector;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The monitor job: stage cards, visits and acks in; dead letters, raw history, customer status and
 * overdue alerts out.
 *
 * <pre>
 *   kafka-input (sales.stages, sales.visits, sales.acks; parsed in the source, watermark per partition)
 *     -> parse-and-route --dead letters--> sales.dlq + dead_letters
 *          |-- stage cards --+--> stage_events
 *          |-- visits -------+--> visits
 *          |-- acks ---------> alert_acks
 *          +-> keyBy(tenant, customer) -> overdue-detector -> sales.alerts + alerts
 *                                                   +--status--> customer_status
 * </pre>
 *
 * Operator uids are part of the savepoint format: never change them.
 */
public final class MonitorJob {
    public static final String NAME = "salespulse-monitor";

    private final PipelineConfig config;
    private final Source<InputRecord, ?, ?> input;
    private final WatermarkStrategy<InputRecord> watermarks;
    private final MonitorSinks sinks;

    public MonitorJob(PipelineConfig config, Source<InputRecord, ?, ?> input,
            WatermarkStrategy<InputRecord> watermarks, MonitorSinks sinks) {
        this.config = config;
        this.input = input;
        this.watermarks = watermarks;
        this.sinks = sinks;
    }

    /** Production wiring: Kafka in, Kafka and ClickHouse out. */
    public static MonitorJob fromConfig(PipelineConfig config) {
        return new MonitorJob(config, kafkaInput(config), watermarks(config), MonitorSinks.production(config));
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = PipelineConfig.load(args, System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkSetup.configuration(config));
        fromConfig(config).build(env);
        env.execute(NAME);
    }

    public void build(StreamExecutionEnvironment env) {
        DataStream<InputRecord> records = env.fromSource(input, watermarks, "kafka-input")
                .uid("kafka-input");

        SingleOutputStreamOperator<StageEvent> stages = records
                .process(new InputRouter())
                .name("parse-and-route")
                .uid("parse-and-route");
        DataStream<VisitEvent> visits = stages.getSideOutput(InputRouter.VISITS);
        DataStream<AckEvent> acks = stages.getSideOutput(InputRouter.ACKS);
        DataStream<DeadLetter> deadLetters = stages.getSideOutput(InputRouter.DEAD_LETTERS);

        SingleOutputStreamOperator<Alert> alerts = stages
                .keyBy(card -> OverdueDetector.key(card.tenant, card.customerId))
                .connect(visits.keyBy(visit -> OverdueDetector.key(visit.tenant, visit.customerId)))
                .process(new OverdueDetector(config.sla, config.stateTtl, config.timeZone))
                .name("overdue-detector")
                .uid("overdue-detector");
        DataStream<CustomerStatus> statuses = alerts.getSideOutput(OverdueDetector.STATUS);

        alerts.sinkTo(sinks.alertsTopic).name("alerts-to-kafka").uid("alerts-to-kafka");
        alerts.sinkTo(sinks.alertRows).name("alerts-to-clickhouse").uid("alerts-to-clickhouse");
        statuses.sinkTo(sinks.statusRows).name("customer-status-to-clickhouse").uid("customer-status-to-clickhouse");
        stages.sinkTo(sinks.stageRows).name("stage-events-to-clickhouse").uid("stage-events-to-clickhouse");
        visits.sinkTo(sinks.visitRows).name("visits-to-clickhouse").uid("visits-to-clickhouse");
        acks.sinkTo(sinks.ackRows).name("alert-acks-to-clickhouse").uid("alert-acks-to-clickhouse");
        deadLetters.sinkTo(sinks.deadLetterTopic).name("dead-letters-to-kafka").uid("dead-letters-to-kafka");
        deadLetters.sinkTo(sinks.deadLetterRows).name("dead-letters-to-clickhouse").uid("dead-letters-to-clickhouse");
    }

    public static KafkaSource<InputRecord> kafkaInput(PipelineConfig config) {
        return KafkaSource.<InputRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setTopics(config.topicStages, config.topicVisits, config.topicAcks)
                .setGroupId(config.groupId)
                // First start: from the beginning. After that, a restore resumes from the checkpoint.
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ContractDeserializer(config.topicStages, config.topicVisits, config.topicAcks,
                        config.maxFutureSkew))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    public static LiveWatermarks watermarks(PipelineConfig config) {
        return new LiveWatermarks(config.outOfOrderness, config.idleTimeout, config.caughtUpLag, config.drainTimeout);
    }
}

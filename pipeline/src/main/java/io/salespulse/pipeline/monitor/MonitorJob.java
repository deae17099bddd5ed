package io.salespulse.pipeline.monitor;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ArrivalTimeSource;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.events.InputRouter;
import io.salespulse.pipeline.overdue.CustomerEvent;
import io.salespulse.pipeline.overdue.CustomerStatus;
import io.salespulse.pipeline.overdue.OverdueDetector;
import io.salespulse.pipeline.policy.PolicyUpdate;
import io.salespulse.pipeline.receivables.ReceivablesWatch;
import io.salespulse.pipeline.wiring.FlinkSetup;
import io.salespulse.pipeline.wiring.JobInputs;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The monitor job: stage cards, visits, acks and lead-to-cash records in; dead letters, raw history, customer
 * status, overdue and receivable alerts out.
 *
 * <pre>
 *   kafka-input (sales.stages, sales.visits, sales.acks, sales.cash; parsed in the source, watermark per partition)
 *     -> parse-and-route --dead letters--> sales.dlq + dead_letters
 *          |-- stage cards --+--> stage_events
 *          |-- visits -------+--> visits
 *          |-- acks ---------> alert_acks
 *          |-- contracts ----> contracts
 *          |-- invoices -----+--> invoices
 *          |-- payments -----+--> payments
 *          |                 +-> keyBy(tenant, invoice) -> receivables -> sales.alerts + alerts
 *          +-> cards + visits -> keyBy(tenant, customer) -> overdue-detector -> sales.alerts + alerts
 *                                                   ^          +--status--> customer_status
 *   policies-input (sales.policies) --broadcast-----+          +--policy changes--> policy_changes
 *                                                              +--invalid policies--> dead letters
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
    private final Source<PolicyUpdate, ?, ?> policies;

    public MonitorJob(PipelineConfig config, Source<InputRecord, ?, ?> input,
            WatermarkStrategy<InputRecord> watermarks, MonitorSinks sinks, Source<PolicyUpdate, ?, ?> policies) {
        this.config = config;
        this.input = input;
        this.watermarks = watermarks;
        this.sinks = sinks;
        this.policies = policies;
    }

    /** Production wiring: Kafka in, Kafka and ClickHouse out. */
    public static MonitorJob fromConfig(PipelineConfig config) {
        return new MonitorJob(config, kafkaInput(config), JobInputs.watermarks(config), MonitorSinks.production(config),
                policyInput(config));
    }

    /** The Flink settings the monitor job runs with (see {@link FlinkSetup}). */
    public static Configuration flinkConfiguration(PipelineConfig config) {
        return FlinkSetup.configuration(config, NAME);
    }

    public static void main(String[] args) throws Exception {
        FlinkSetup.run(args, NAME, config -> fromConfig(config)::build);
    }

    public void build(StreamExecutionEnvironment env) {
        // Chained operators pass records on without a defensive copy (a serializer copy per record and
        // operator, 8% of the job's CPU in the throughput profile). Safe here: the source creates new objects
        // for every record, and no operator of this job changes an object after it has passed it on.
        env.getConfig().enableObjectReuse();
        DataStream<InputRecord> records = env.fromSource(input, watermarks, "kafka-input")
                .uid("kafka-input");

        SingleOutputStreamOperator<StageEvent> stages = records
                .process(new InputRouter())
                .name("parse-and-route")
                .uid("parse-and-route");
        DataStream<VisitEvent> visits = stages.getSideOutput(InputRouter.VISITS);
        DataStream<AckEvent> acks = stages.getSideOutput(InputRouter.ACKS);
        DataStream<DeadLetter> deadLetters = stages.getSideOutput(InputRouter.DEAD_LETTERS);
        DataStream<CashEvent> contracts = stages.getSideOutput(InputRouter.CONTRACTS);
        DataStream<CashEvent> invoices = stages.getSideOutput(InputRouter.INVOICES);
        DataStream<CashEvent> payments = stages.getSideOutput(InputRouter.PAYMENTS);

        // Policies carry no event time: the detector's clock is the cards' (see OverdueDetector).
        DataStream<PolicyUpdate> policyUpdates = env
                .fromSource(policies, WatermarkStrategy.noWatermarks(), "policies-input")
                .uid("policies-input")
                .setParallelism(1);
        DataStream<CustomerEvent> customerEvents = stages
                .map(CustomerEvent::of).returns(CustomerEvent.class).name("cards-as-customer-events")
                .uid("cards-as-customer-events")
                .union(visits.map(CustomerEvent::of).returns(CustomerEvent.class).name("visits-as-customer-events")
                        .uid("visits-as-customer-events"));
        SingleOutputStreamOperator<Alert> alerts = customerEvents
                .keyBy(CustomerEvent::key)
                .connect(policyUpdates.broadcast())
                .transform("overdue-detector", TypeInformation.of(Alert.class),
                        new OverdueDetector(OverdueDetector.Settings.of(config)))
                .uid("overdue-detector");
        // Receivables: invoices and their payments meet per (tenant, invoice), on the same arrival-time clock.
        DataStream<Alert> receivableAlerts = invoices.union(payments)
                .keyBy(ReceivablesWatch::key)
                .process(new ReceivablesWatch(ReceivablesWatch.Settings.of(config)))
                .returns(Alert.class)
                .name("receivables")
                .uid("receivables");
        DataStream<CustomerStatus> statuses = alerts.getSideOutput(OverdueDetector.STATUS);
        deadLetters = deadLetters.union(alerts.getSideOutput(OverdueDetector.POLICY_DEAD_LETTERS));
        alerts.getSideOutput(OverdueDetector.POLICY_CHANGES).sinkTo(sinks.policyChangeRows)
                .name("policy-changes-to-clickhouse").uid("policy-changes-to-clickhouse");
        alerts.getSideOutput(OverdueDetector.IMPORT_SESSIONS).sinkTo(sinks.importSessionRows)
                .name("import-sessions-to-clickhouse").uid("import-sessions-to-clickhouse");

        DataStream<Alert> allAlerts = alerts.union(receivableAlerts);
        allAlerts.sinkTo(sinks.alertsTopic).name("alerts-to-kafka").uid("alerts-to-kafka");
        allAlerts.sinkTo(sinks.alertRows).name("alerts-to-clickhouse").uid("alerts-to-clickhouse");
        statuses.sinkTo(sinks.statusRows).name("customer-status-to-clickhouse").uid("customer-status-to-clickhouse");
        stages.sinkTo(sinks.stageRows).name("stage-events-to-clickhouse").uid("stage-events-to-clickhouse");
        visits.sinkTo(sinks.visitRows).name("visits-to-clickhouse").uid("visits-to-clickhouse");
        acks.sinkTo(sinks.ackRows).name("alert-acks-to-clickhouse").uid("alert-acks-to-clickhouse");
        contracts.sinkTo(sinks.contractRows).name("contracts-to-clickhouse").uid("contracts-to-clickhouse");
        invoices.sinkTo(sinks.invoiceRows).name("invoices-to-clickhouse").uid("invoices-to-clickhouse");
        payments.sinkTo(sinks.paymentRows).name("payments-to-clickhouse").uid("payments-to-clickhouse");
        deadLetters.sinkTo(sinks.deadLetterTopic).name("dead-letters-to-kafka").uid("dead-letters-to-kafka");
        deadLetters.sinkTo(sinks.deadLetterRows).name("dead-letters-to-clickhouse").uid("dead-letters-to-clickhouse");
    }

    /** The monitor job's input: stage cards, visits, acks and cash records, with its consumer group. */
    public static ArrivalTimeSource kafkaInput(PipelineConfig config) {
        return JobInputs.inputSource(config, config.groupId, config.topicStages, config.topicVisits, config.topicAcks,
                config.topicCash);
    }

    /** The control topics (policies, imports) with the monitor job's consumer group. */
    public static KafkaSource<PolicyUpdate> policyInput(PipelineConfig config) {
        return JobInputs.policyInput(config, config.groupId);
    }
}

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
import io.salespulse.pipeline.events.KafkaDrainProbe;
import io.salespulse.pipeline.events.ArrivalTimeSource;
import io.salespulse.pipeline.events.ArrivalWatermarks;
import io.salespulse.pipeline.clickhouse.ClickHouseSink;
import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.overdue.CustomerEvent;
import io.salespulse.pipeline.overdue.CustomerStatus;
import io.salespulse.pipeline.overdue.OverdueDetector;
import io.salespulse.pipeline.policy.PolicyChange;
import io.salespulse.pipeline.policy.PolicyChangeRows;
import io.salespulse.pipeline.policy.PolicyDeserializer;
import io.salespulse.pipeline.policy.PolicyUpdate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import java.util.regex.Pattern;
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
    private final Sink<PolicyChange> policyChangeRows;

    public MonitorJob(PipelineConfig config, Source<InputRecord, ?, ?> input,
            WatermarkStrategy<InputRecord> watermarks, MonitorSinks sinks,
            Source<PolicyUpdate, ?, ?> policies, Sink<PolicyChange> policyChangeRows) {
        this.config = config;
        this.input = input;
        this.watermarks = watermarks;
        this.sinks = sinks;
        this.policies = policies;
        this.policyChangeRows = policyChangeRows;
    }

    /** Production wiring: Kafka in, Kafka and ClickHouse out. */
    public static MonitorJob fromConfig(PipelineConfig config) {
        return new MonitorJob(config, kafkaInput(config), watermarks(config), MonitorSinks.production(config),
                policyInput(config), new ClickHouseSink<>(clickHouseOptions(config), new PolicyChangeRows()));
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = PipelineConfig.load(args, System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkSetup.configuration(config));
        fromConfig(config).build(env);
        env.execute(NAME);
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
        DataStream<CustomerStatus> statuses = alerts.getSideOutput(OverdueDetector.STATUS);
        deadLetters = deadLetters.union(alerts.getSideOutput(OverdueDetector.POLICY_DEAD_LETTERS));
        alerts.getSideOutput(OverdueDetector.POLICY_CHANGES).sinkTo(policyChangeRows)
                .name("policy-changes-to-clickhouse").uid("policy-changes-to-clickhouse");
        alerts.getSideOutput(OverdueDetector.IMPORT_SESSIONS).sinkTo(sinks.importSessionRows)
                .name("import-sessions-to-clickhouse").uid("import-sessions-to-clickhouse");

        alerts.sinkTo(sinks.alertsTopic).name("alerts-to-kafka").uid("alerts-to-kafka");
        alerts.sinkTo(sinks.alertRows).name("alerts-to-clickhouse").uid("alerts-to-clickhouse");
        statuses.sinkTo(sinks.statusRows).name("customer-status-to-clickhouse").uid("customer-status-to-clickhouse");
        stages.sinkTo(sinks.stageRows).name("stage-events-to-clickhouse").uid("stage-events-to-clickhouse");
        visits.sinkTo(sinks.visitRows).name("visits-to-clickhouse").uid("visits-to-clickhouse");
        acks.sinkTo(sinks.ackRows).name("alert-acks-to-clickhouse").uid("alert-acks-to-clickhouse");
        deadLetters.sinkTo(sinks.deadLetterTopic).name("dead-letters-to-kafka").uid("dead-letters-to-kafka");
        deadLetters.sinkTo(sinks.deadLetterRows).name("dead-letters-to-clickhouse").uid("dead-letters-to-clickhouse");
    }

    public static ArrivalTimeSource kafkaInput(PipelineConfig config) {
        return inputSource(config, config.groupId, config.topicStages, config.topicVisits, config.topicAcks);
    }

    /** Input topics for one consumer group, parsed by the contract's deserializer (the funnel job reads stages only). */
    public static ArrivalTimeSource inputSource(PipelineConfig config, String groupId, String... topics) {
        return live(config, groupId, kafkaSource(config, groupId, topics));
    }

    /** A Kafka source of the input topics with the jobs' clock: it follows the wall clock once Kafka is read to the end. */
    public static ArrivalTimeSource live(PipelineConfig config, String groupId, KafkaSource<InputRecord> kafka) {
        return new ArrivalTimeSource(kafka, KafkaDrainProbe.factory(config, groupId), config.drainCheckInterval,
                config.outOfOrderness);
    }

    private static KafkaSource<InputRecord> kafkaSource(PipelineConfig config, String groupId, String... topics) {
        return KafkaSource.<InputRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setTopics(topics)
                .setGroupId(groupId)
                // First start: from the beginning. After that, a restore resumes from the checkpoint.
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new ContractDeserializer(config.topicStages, config.topicVisits, config.topicAcks,
                        config.maxFutureSkew))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The compacted policies topic, always from the beginning when the job starts without state: the
     * policies are state rebuilt from the topic, not a position to resume. A restore resumes from the
     * checkpointed offsets instead, with the policies in broadcast state.
     */
    public static KafkaSource<PolicyUpdate> policyInput(PipelineConfig config) {
        return policyInput(config, config.groupId);
    }

    /** The policies and imports topics for one consumer group (the funnel job has its own). */
    public static KafkaSource<PolicyUpdate> policyInput(PipelineConfig config, String groupId) {
        return KafkaSource.<PolicyUpdate>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                // A pattern, not a topic list: a missing topic means "no policies (imports) yet", not a failed
                // start; partition discovery picks the topic up once it is created.
                .setTopicPattern(controlTopics(config))
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new PolicyDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /** The control topics, read by one source per job: sales.policies and sales.imports. */
    public static Pattern controlTopics(PipelineConfig config) {
        return Pattern.compile(Pattern.quote(config.topicPolicies) + "|" + Pattern.quote(config.topicImports));
    }

    private static ClickHouseSinkOptions clickHouseOptions(PipelineConfig config) {
        return ClickHouseSinkOptions.builder(config.clickhouseUrl)
                .user(config.clickhouseUser)
                .password(config.clickhousePassword)
                .batchSize(config.clickhouseBatchSize)
                .flushInterval(config.clickhouseFlushInterval)
                .maxRetries(config.clickhouseMaxRetries)
                .build();
    }

    /** The jobs' clock: arrival time (Kafka timestamps), per partition. */
    public static ArrivalWatermarks watermarks(PipelineConfig config) {
        return new ArrivalWatermarks(config.outOfOrderness);
    }
}

package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.FlinkSetup;
import io.salespulse.pipeline.MonitorJob;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.events.InputRouter;
import io.salespulse.pipeline.policy.PolicyUpdate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The funnel job: stage cards in; conversion windows, drop alerts with a diagnosis, coaching alerts and the
 * daily forecast digest out. Runs beside the monitor job with its own consumer group and transactional ids
 * (dead letters are the monitor job's business; here they are only skipped).
 *
 * <pre>
 *   funnel-kafka-input (sales.stages; parsed in the source, LiveWatermarks)
 *     -> funnel-parse-and-route -> keyBy(tenant, customer) -> funnel-customer
 *          |-- entries --> keyBy(tenant, region, stage) -> funnel-conversion-window --rows--> stage_conversion
 *          |                                                   +--drops--+
 *          |-- objections ----> keyBy(tenant, region) ----------------> funnel-region-coach --+
 *          |-- snapshots -----> keyBy(tenant, team) -> funnel-forecast-digest --rows--> forecast_digests
 *          +-- coaching ----------------------------------------------------------------------+
 *                                                                   funnel-alert-policies --+--> sales.alerts + alerts
 *   funnel-policies-input (sales.policies) --broadcast--> funnel-conversion-window, funnel-alert-policies
 * </pre>
 *
 * Operator uids are part of the savepoint format: never change them. The policy source and
 * {@code funnel-alert-policies} were added later; {@code funnel-conversion-window} kept its uid, keyed state and
 * timers when it gained its broadcast input.
 */
public final class FunnelJob {
    public static final String NAME = "salespulse-funnel";

    private final FunnelSettings settings;
    private final Source<InputRecord, ?, ?> input;
    private final WatermarkStrategy<InputRecord> watermarks;
    private final Source<PolicyUpdate, ?, ?> policies;
    private final FunnelSinks sinks;

    public FunnelJob(FunnelSettings settings, Source<InputRecord, ?, ?> input, WatermarkStrategy<InputRecord> watermarks,
            Source<PolicyUpdate, ?, ?> policies, FunnelSinks sinks) {
        this.settings = settings;
        this.input = input;
        this.watermarks = watermarks;
        this.policies = policies;
        this.sinks = sinks;
    }

    public static FunnelJob fromConfig(PipelineConfig config) {
        return new FunnelJob(FunnelSettings.from(config), kafkaInput(config), MonitorJob.watermarks(config),
                policyInput(config), FunnelSinks.production(config));
    }

    public static Configuration flinkConfiguration(PipelineConfig config) {
        Configuration c = FlinkSetup.configuration(config);
        c.set(PipelineOptions.NAME, NAME);
        return c;
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = PipelineConfig.load(args, System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        fromConfig(config).build(env);
        env.execute(NAME);
    }

    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<StageEvent> cards = env.fromSource(input, watermarks, "funnel-kafka-input")
                .uid("funnel-kafka-input")
                .process(new InputRouter())
                .name("funnel-parse-and-route")
                .uid("funnel-parse-and-route");

        SingleOutputStreamOperator<FunnelEntry> entries = cards
                .keyBy(c -> CustomerFunnel.key(c.tenant, c.customerId))
                .process(new CustomerFunnel(settings))
                .name("funnel-customer")
                .uid("funnel-customer");

        // Policies carry no event time: the operators they reach keep the cards' clock (CardClockBroadcastOperator).
        DataStream<PolicyUpdate> policyUpdates = env
                .fromSource(policies, WatermarkStrategy.noWatermarks(), "funnel-policies-input")
                .uid("funnel-policies-input")
                .setParallelism(1);

        SingleOutputStreamOperator<ConversionRow> rows = entries
                .keyBy(e -> ConversionWindow.key(e.tenant, e.region, e.stage))
                .connect(policyUpdates.broadcast())
                .transform("funnel-conversion-window", TypeInformation.of(ConversionRow.class),
                        new CardClockBroadcastOperator<>(new ConversionWindow(settings)))
                .uid("funnel-conversion-window");

        DataStream<ObjectionFact> objections = entries.getSideOutput(CustomerFunnel.OBJECTIONS);
        SingleOutputStreamOperator<Alert> regionAlerts = rows.getSideOutput(ConversionWindow.DROPS)
                .keyBy(f -> RegionCoach.key(f.tenant, f.region))
                .connect(objections.keyBy(o -> RegionCoach.key(o.tenant, o.region)))
                .process(new RegionCoach(settings))
                .name("funnel-region-coach")
                .uid("funnel-region-coach");

        SingleOutputStreamOperator<Alert> digests = entries.getSideOutput(CustomerFunnel.SNAPSHOTS)
                .keyBy(s -> ForecastDigest.key(s.tenant, s.team))
                .process(new ForecastDigest(settings))
                .name("funnel-forecast-digest")
                .uid("funnel-forecast-digest");

        DataStream<Alert> alerts = regionAlerts.union(digests, entries.getSideOutput(CustomerFunnel.COACHING))
                .connect(policyUpdates.broadcast(FunnelPolicies.STATE))
                .process(new FunnelAlertPolicy(settings))
                .name("funnel-alert-policies")
                .uid("funnel-alert-policies");
        alerts.sinkTo(sinks.alertsTopic).name("funnel-alerts-to-kafka").uid("funnel-alerts-to-kafka");
        alerts.sinkTo(sinks.alertRows).name("funnel-alerts-to-clickhouse").uid("funnel-alerts-to-clickhouse");
        rows.sinkTo(sinks.conversionRows).name("stage-conversion-to-clickhouse").uid("stage-conversion-to-clickhouse");
        digests.getSideOutput(ForecastDigest.ROWS).sinkTo(sinks.digestRows)
                .name("forecast-digests-to-clickhouse").uid("forecast-digests-to-clickhouse");
    }

    /** The policies topic as the monitor job reads it, with the funnel's consumer group. */
    public static KafkaSource<PolicyUpdate> policyInput(PipelineConfig config) {
        return MonitorJob.policyInput(config, config.funnelGroupId);
    }

    /** Only sales.stages; the same parser as the monitor job, so both jobs read the contract identically. */
    public static io.salespulse.pipeline.events.ArrivalTimeSource kafkaInput(PipelineConfig config) {
        return MonitorJob.inputSource(config, config.funnelGroupId, config.topicStages);
    }
}

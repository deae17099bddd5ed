package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ArrivalTimeSource;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.events.InputRouter;
import io.salespulse.pipeline.policy.PolicyUpdate;
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
 * The funnel job: stage cards in; conversion windows, drop alerts with a diagnosis, coaching alerts and the
 * daily forecast digest out. Runs beside the monitor job with its own consumer group and transactional ids
 * (dead letters are the monitor job's business; here they are only skipped). Its clock is arrival time
 * ({@code ArrivalWatermarks}); results about the cards' own time are corrected when cards arrive late, and held
 * while a tenant's history import is being read.
 *
 * <pre>
 *   funnel-kafka-input (sales.stages; parsed in the source, arrival time)
 *     -> funnel-parse-and-route -> keyBy(tenant, customer) -> funnel-customer
 *          |-- entries --> keyBy(tenant, region, stage) -> funnel-conversion-window --rows--> stage_conversion
 *          |                                                   +--drops--+
 *          |-- objections ----> keyBy(tenant, region) ----------------> funnel-region-coach --+
 *          |-- histories -----> keyBy(tenant, team) -> funnel-forecast-digest --rows--> forecast_digests
 *          +-- coaching ----------------------------------------------------------------------+
 *                                                                   funnel-alert-policies --+--> sales.alerts + alerts
 *   funnel-policies-input (sales.policies, sales.imports) --broadcast--> the four keyed operators (policies and
 *                                                   import sessions), funnel-alert-policies (policies)
 * </pre>
 *
 * Operator uids are part of the savepoint format: never change them. The control source and
 * {@code funnel-alert-policies} were added later; the keyed operators kept their uids, keyed state and timers
 * when they gained their broadcast input.
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
        return new FunnelJob(FunnelSettings.from(config), kafkaInput(config), JobInputs.watermarks(config),
                policyInput(config), FunnelSinks.production(config));
    }

    /** The Flink settings the funnel job runs with (see {@link FlinkSetup}). */
    public static Configuration flinkConfiguration(PipelineConfig config) {
        return FlinkSetup.configuration(config, NAME);
    }

    public static void main(String[] args) throws Exception {
        FlinkSetup.run(args, NAME, config -> fromConfig(config)::build);
    }

    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<StageEvent> cards = env.fromSource(input, watermarks, "funnel-kafka-input")
                .uid("funnel-kafka-input")
                .process(new InputRouter())
                .name("funnel-parse-and-route")
                .uid("funnel-parse-and-route");

        // Policies and import sessions carry no time of their own: the operators they reach keep the cards' clock
        // (CardClockBroadcastOperator).
        DataStream<PolicyUpdate> control = env
                .fromSource(policies, WatermarkStrategy.noWatermarks(), "funnel-policies-input")
                .uid("funnel-policies-input")
                .setParallelism(1);

        SingleOutputStreamOperator<FunnelEntry> entries = cards
                .keyBy(c -> CustomerFunnel.key(c.tenant, c.customerId))
                .connect(control.broadcast())
                .transform("funnel-customer", TypeInformation.of(FunnelEntry.class),
                        new CardClockBroadcastOperator<>(new CustomerFunnel(settings)))
                .uid("funnel-customer");

        SingleOutputStreamOperator<ConversionRow> rows = entries
                .keyBy(e -> ConversionWindow.key(e.tenant, e.region, e.stage))
                .connect(control.broadcast())
                .transform("funnel-conversion-window", TypeInformation.of(ConversionRow.class),
                        new CardClockBroadcastOperator<>(new ConversionWindow(settings)))
                .uid("funnel-conversion-window");

        SingleOutputStreamOperator<Alert> regionAlerts = rows.getSideOutput(ConversionWindow.DROPS)
                .union(entries.getSideOutput(CustomerFunnel.OBJECTIONS))
                .keyBy(f -> RegionCoach.key(f.tenant(), f.region()))
                .connect(control.broadcast())
                .transform("funnel-region-coach", TypeInformation.of(Alert.class),
                        new CardClockBroadcastOperator<>(new RegionCoach(settings)))
                .uid("funnel-region-coach");

        SingleOutputStreamOperator<Alert> digests = entries.getSideOutput(CustomerFunnel.HISTORIES)
                .keyBy(h -> ForecastDigest.key(h.tenant, h.team))
                .connect(control.broadcast())
                .transform("funnel-forecast-digest", TypeInformation.of(Alert.class),
                        new CardClockBroadcastOperator<>(new ForecastDigest(settings)))
                .uid("funnel-forecast-digest");

        DataStream<Alert> alerts = regionAlerts.union(digests, entries.getSideOutput(CustomerFunnel.COACHING))
                .connect(control.broadcast(FunnelPolicies.STATE))
                .process(new FunnelAlertPolicy(settings))
                .name("funnel-alert-policies")
                .uid("funnel-alert-policies");
        alerts.sinkTo(sinks.alertsTopic).name("funnel-alerts-to-kafka").uid("funnel-alerts-to-kafka");
        alerts.sinkTo(sinks.alertRows).name("funnel-alerts-to-clickhouse").uid("funnel-alerts-to-clickhouse");
        rows.sinkTo(sinks.conversionRows).name("stage-conversion-to-clickhouse").uid("stage-conversion-to-clickhouse");
        digests.getSideOutput(ForecastDigest.ROWS).sinkTo(sinks.digestRows)
                .name("forecast-digests-to-clickhouse").uid("forecast-digests-to-clickhouse");
    }

    /** The control topics (policies, imports) as the monitor job reads them, with the funnel's consumer group. */
    public static KafkaSource<PolicyUpdate> policyInput(PipelineConfig config) {
        return JobInputs.policyInput(config, config.funnelGroupId);
    }

    /** Only sales.stages; the same parser as the monitor job, so both jobs read the contract identically. */
    public static ArrivalTimeSource kafkaInput(PipelineConfig config) {
        return JobInputs.inputSource(config, config.funnelGroupId, config.topicStages);
    }
}

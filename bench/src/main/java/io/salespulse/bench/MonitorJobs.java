package io.salespulse.bench;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.pipeline.monitor.MonitorSinks;
import io.salespulse.pipeline.policy.PolicyDeserializer;
import io.salespulse.pipeline.policy.PolicyUpdate;
import io.salespulse.pipeline.wiring.JobInputs;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production monitor job ({@link MonitorJob} with {@link MonitorSinks#production}: Kafka exactly-once
 * alerts and dead letters, every ClickHouse table) on topics of one benchmark phase. Only the sources may
 * differ from production: a bounded run stops at the offsets the topics have when it starts.
 */
final class MonitorJobs {
    private MonitorJobs() {}

    /** Settings of one run: the phase's topics, its own group, transactional ids and checkpoint directory. */
    static PipelineConfig config(BenchStack stack, String phase, String run, String clickHouseUrl,
            Map<Setting, String> overrides) {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.KAFKA_BOOTSTRAP, stack.bootstrap);
        s.put(Setting.KAFKA_GROUP_ID, "bench-" + phase + "-" + run);
        s.put(Setting.KAFKA_TRANSACTIONAL_ID_PREFIX, "bench-" + phase + "-" + run);
        s.put(Setting.TOPIC_STAGES, Topics.stages(phase));
        s.put(Setting.TOPIC_VISITS, Topics.visits(phase));
        s.put(Setting.TOPIC_ACKS, Topics.acks(phase));
        s.put(Setting.TOPIC_CASH, Topics.cash(phase));
        s.put(Setting.TOPIC_POLICIES, Topics.policies(phase));
        s.put(Setting.TOPIC_IMPORTS, Topics.imports(phase));
        s.put(Setting.TOPIC_ALERTS, Topics.alerts(phase));
        s.put(Setting.TOPIC_DLQ, Topics.dlq(phase));
        s.put(Setting.CLICKHOUSE_URL, clickHouseUrl);
        s.put(Setting.CHECKPOINT_DIR, checkpointDir(stack, phase, run).toUri().toString());
        s.put(Setting.PARALLELISM, "2");
        s.put(Setting.RESTART_ATTEMPTS, "0");
        s.putAll(overrides);
        return PipelineConfig.load(s, Map.of());
    }

    static Path checkpointDir(BenchStack stack, String phase, String run) {
        return stack.dir.resolve("checkpoints").resolve(phase + "-" + run).toAbsolutePath();
    }

    /** The job graph; {@code bounded}: read up to the current end offsets, then finish. */
    static JobGraph jobGraph(PipelineConfig config, boolean bounded, String restoreFrom) {
        Configuration flink = MonitorJob.flinkConfiguration(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        new MonitorJob(config, input(config, bounded), JobInputs.watermarks(config), MonitorSinks.production(config),
                policies(config, bounded)).build(env);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
        }
        return graph;
    }

    private static org.apache.flink.api.connector.source.Source<InputRecord, ?, ?> input(PipelineConfig config,
            boolean bounded) {
        if (!bounded) {
            return MonitorJob.kafkaInput(config);
        }
        KafkaSourceBuilder<InputRecord> b = KafkaSource.<InputRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setTopics(config.topicStages, config.topicVisits, config.topicAcks)
                .setGroupId(config.groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new ContractDeserializer(config.topicStages, config.topicVisits, config.topicAcks,
                        config.maxFutureSkew))
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "false");
        return b.build();
    }

    private static KafkaSource<PolicyUpdate> policies(PipelineConfig config, boolean bounded) {
        if (!bounded) {
            return MonitorJob.policyInput(config);
        }
        return KafkaSource.<PolicyUpdate>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setTopicPattern(Pattern.compile(Pattern.quote(config.topicPolicies)))
                .setGroupId(config.groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new PolicyDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }

    /**
     * The ingest gateway as deployed, writing to the phase's topics, on a free port; {@code tenant} may post with
     * {@code token} (its hash goes to a tokens file in {@code dir}).
     */
    static IngestGateway gateway(BenchStack stack, String phase, Path dir, String tenant, String token)
            throws Exception {
        Path tokens = dir.resolve(phase + "-tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"" + tenant + "\":[\"" + TenantTokens.hashHex(token) + "\"]}}",
                StandardCharsets.UTF_8);
        return IngestGateway.start(GatewayConfig.builder().host("127.0.0.1").port(0)
                .kafkaBootstrap(stack.bootstrap)
                .topics(Topics.stages(phase), Topics.visits(phase), Topics.acks(phase))
                .topicImports(Topics.imports(phase))
                .tokensFile(tokens).build());
    }

    /** Topic names of a phase, so phases never read each other's records. */
    static final class Topics {
        private Topics() {}

        static String stages(String phase) {
            return "bench." + phase + ".stages";
        }

        static String visits(String phase) {
            return "bench." + phase + ".visits";
        }

        static String acks(String phase) {
            return "bench." + phase + ".acks";
        }

        static String policies(String phase) {
            return "bench." + phase + ".policies";
        }

        static String imports(String phase) {
            return "bench." + phase + ".imports";
        }

        static String alerts(String phase) {
            return "bench." + phase + ".alerts";
        }

        static String cash(String phase) {
            return "bench." + phase + ".cash";
        }

        static String dlq(String phase) {
            return "bench." + phase + ".dlq";
        }

        static String[] all(String phase) {
            return new String[] {stages(phase), visits(phase), acks(phase), cash(phase), policies(phase),
                imports(phase), alerts(phase), dlq(phase)};
        }

        /** Maps the contract's topic names (what the generators produce) to this phase's. */
        static String of(String phase, String contractTopic) {
            return switch (contractTopic) {
                case io.salespulse.contract.Topics.STAGES -> stages(phase);
                case io.salespulse.contract.Topics.VISITS -> visits(phase);
                case io.salespulse.contract.Topics.ACKS -> acks(phase);
                case io.salespulse.contract.Topics.CASH -> cash(phase);
                default -> throw new IllegalArgumentException("unexpected topic " + contractTopic);
            };
        }
    }
}

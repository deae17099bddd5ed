package io.salespulse.pipeline.wiring;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ArrivalTimeSource;
import io.salespulse.pipeline.events.ArrivalWatermarks;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.events.KafkaDrainProbe;
import io.salespulse.pipeline.policy.PolicyDeserializer;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The sources both jobs read, each job with its own consumer group: the input topics parsed by the contract's
 * deserializer with the jobs' arrival-time clock, and the control topics (policies and import sessions).
 */
public final class JobInputs {
    private JobInputs() {}

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
                        config.topicCash, config.maxFutureSkew))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The policies and imports topics for one consumer group, always from the beginning when the job starts
     * without state: the policies are state rebuilt from the topic, not a position to resume. A restore resumes
     * from the checkpointed offsets instead, with the policies in broadcast state.
     */
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

    /** The jobs' clock: arrival time (Kafka timestamps), per partition. */
    public static ArrivalWatermarks watermarks(PipelineConfig config) {
        return new ArrivalWatermarks(config.outOfOrderness);
    }
}

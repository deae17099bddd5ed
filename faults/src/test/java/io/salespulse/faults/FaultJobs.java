package io.salespulse.faults;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.pipeline.monitor.MonitorSinks;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.wiring.FlinkSetup;
import io.salespulse.pipeline.wiring.JobInputs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production monitor job with one test-only difference: the source's deserializer can crash on demand. */
final class FaultJobs {
    private FaultJobs() {}

    /** TestStack's settings for one run. */
    static PipelineConfig config(TestStack stack, String run, Map<Setting, String> overrides) {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.putAll(overrides);
        return stack.config(run, s);
    }

    static JobClient start(PipelineConfig config, String restoreFrom) throws Exception {
        Configuration flink = MonitorJob.flinkConfiguration(config);
        if (restoreFrom != null) {
            FlinkSetup.restoreFrom(flink, restoreFrom);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        new MonitorJob(config, JobInputs.live(config, config.groupId, crashableInput(config)),
                JobInputs.watermarks(config), MonitorSinks.production(config), MonitorJob.policyInput(config)).build(env);
        if ("false".equals(System.getProperty("faults.object-reuse"))) {
            // Diagnosis switch: the job as it was before it enabled object reuse.
            env.getConfig().disableObjectReuse();
        }
        return env.executeAsync(MonitorJob.NAME);
    }

    /** MonitorJob.kafkaInput (JobInputs.inputSource), with the crash switch around the same deserializer. */
    private static KafkaSource<InputRecord> crashableInput(PipelineConfig config) {
        return KafkaSource.<InputRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap)
                .setTopics(config.topicStages, config.topicVisits, config.topicAcks)
                .setGroupId(config.groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new CrashSwitch.CrashingDeserializer(new ContractDeserializer(config.topicStages,
                        config.topicVisits, config.topicAcks, config.maxFutureSkew)))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /** The newest complete retained checkpoint ({@code chk-N} with its {@code _metadata}) under the job's checkpoint dir. */
    static Optional<Path> latestCheckpoint(String checkpointDir) throws IOException {
        Path root = Path.of(URI.create(checkpointDir));
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(job -> {
                        try {
                            return Files.list(job).toList().stream();
                        } catch (IOException e) {
                            return Stream.empty();
                        }
                    })
                    .filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(FaultJobs::modified));
        }
    }

    private static long modified(Path chk) {
        try {
            return Files.getLastModifiedTime(chk.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static JobStatus status(JobClient job) throws Exception {
        return job.getJobStatus().get(10, TimeUnit.SECONDS);
    }

    /** Waits until the job reaches a terminal state (a crash without restarts: FAILED). */
    static JobStatus awaitTerminal(JobClient job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus s = status(job);
        while (!s.isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = status(job);
        }
        return s;
    }

    static void cancelQuietly(JobClient job) {
        try {
            if (!status(job).isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // already gone
        }
    }
}

package io.salespulse.pipeline.wiring;

import io.salespulse.contract.settings.SettingsUsage;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.CompressionType;

/**
 * The Flink settings every SalesPulse job runs with: RocksDB state with incremental checkpoints,
 * exactly-once checkpoints retained on cancel, no silent Kryo fallback, bounded restarts. On a cluster,
 * flink-conf values given with -D still win over these for keys set there explicitly.
 */
public final class FlinkSetup {
    private FlinkSetup() {}

    /** The configuration of the job named {@code jobName} (each job's {@code NAME}). */
    public static Configuration configuration(PipelineConfig config, String jobName) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.NAME, jobName);
        c.set(CoreOptions.DEFAULT_PARALLELISM, config.parallelism);
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Every event is a point lookup of one customer's state. Once the state outgrows the block cache
        // (about a million customers on a small task manager) RocksDB spent most of the job's time in
        // Snappy, the default: LZ4 decompresses several times faster at a similar ratio. Bloom filters let
        // a lookup of a customer without state (a first card or visit) skip the data blocks altogether.
        c.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.LZ4_COMPRESSION));
        c.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, config.checkpointInterval.dividedBy(2));
        c.set(PipelineOptions.GENERIC_TYPES, false);
        // Every 100 ms: part of the delay between an alert's due time and its firing.
        c.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(100));
        // Only read by the embedded cluster of a local run (a real cluster sizes its task managers
        // itself): enough managed memory that RocksDB's write buffers fit.
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        if (config.restartAttempts == 0) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        } else {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, config.restartAttempts);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(2));
        }
        return c;
    }

    /**
     * A job's main: the settings from {@code args} and the environment, the job built by {@code job} with
     * {@link #configuration}, run until it ends.
     */
    public static void run(String[] args, String jobName,
            Function<PipelineConfig, Consumer<StreamExecutionEnvironment>> job) throws Exception {
        if (SettingsUsage.wantsHelp(args)) {
            System.out.print(usage(jobName));
            return;
        }
        PipelineConfig config = PipelineConfig.load(args, System.getenv());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration(config, jobName));
        job.apply(config).accept(env);
        env.execute(jobName);
    }

    /** The {@code --help} text of a job's main: how it is started and every setting from the settings model. */
    static String usage(String jobName) {
        return SettingsUsage.render("flink run [-d] [-s <savepoint>] [-c <main class>] <salespulse-pipeline-job.jar>"
                        + " [--<setting> <value>]...",
                List.of("Runs the SalesPulse Flink job '" + jobName + "' on the cluster flink run submits to, or on an"
                        + " embedded Flink when started with java.",
                        "Main classes: io.salespulse.pipeline.monitor.MonitorJob (the jar's default: overdue alerts,"
                        + " statuses, the tables),",
                        "io.salespulse.pipeline.funnel.FunnelJob (-c: conversion windows, drops, digests, coaching)."),
                List.of(Setting.values()),
                List.of("Passwords belong in the environment (SALESPULSE_CLICKHOUSE_PASSWORD), not on the command line."));
    }

    /** Restore from a retained checkpoint or savepoint path on start. */
    public static void restoreFrom(Configuration c, String path) {
        c.setString("execution.state-recovery.path", path);
        c.set(org.apache.flink.configuration.StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
    }
}

package io.salespulse.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.clickhouse.Migrator;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.pipeline.wiring.FlinkSetup;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The real parts a job test needs: an in-process Kafka broker with the contract's topics, the
 * ClickHouse engine with the migrations applied, and helpers to run the monitor job on the test's
 * MiniCluster and to read the results.
 */
public final class TestStack implements AutoCloseable {
    public final Path dir;
    public final LocalKafka kafka;
    public final LocalClickHouse clickHouse;

    private TestStack(Path dir, LocalKafka kafka, LocalClickHouse clickHouse) {
        this.dir = dir;
        this.kafka = kafka;
        this.clickHouse = clickHouse;
    }

    public static TestStack start(Path dir, String... extraTopics) throws Exception {
        return start(dir, 3, extraTopics);
    }

    /** As {@link #start(Path, String...)} with {@code inputPartitions} partitions of each input topic (3 otherwise). */
    public static TestStack start(Path dir, int inputPartitions, String... extraTopics) throws Exception {
        LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(inputPartitions, "sales.stages", "sales.visits", "sales.acks", "sales.cash");
        kafka.createTopics(1, "sales.alerts", "sales.dlq", "sales.policies", "sales.imports");
        if (extraTopics.length > 0) {
            kafka.createTopics(1, extraTopics);
        }
        LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
        new Migrator(clickHouse.jdbcUrl(), "default", "").migrate();
        return new TestStack(dir, kafka, clickHouse);
    }

    /** A MiniCluster like a small production task manager: RocksDB, no restarts (a failure fails the test). */
    public static MiniClusterExtension miniCluster() {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(c)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(4)
                .build());
    }

    /** Job settings for one run: its own consumer group, transactional ids and checkpoint directory. */
    public PipelineConfig config(String run, Map<Setting, String> overrides) {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        s.put(Setting.KAFKA_GROUP_ID, "monitor-" + run);
        s.put(Setting.KAFKA_TRANSACTIONAL_ID_PREFIX, "monitor-" + run);
        s.put(Setting.CLICKHOUSE_URL, clickHouse.jdbcUrl());
        s.put(Setting.CHECKPOINT_DIR, dir.resolve("checkpoints-" + run).toUri().toString());
        s.put(Setting.PARALLELISM, "2");
        s.put(Setting.RESTART_ATTEMPTS, "0");
        s.putAll(overrides);
        return PipelineConfig.load(s, Map.of());
    }

    public JobClient startJob(PipelineConfig config) throws Exception {
        return startJob(config, null);
    }

    /** Starts the monitor job, restoring from {@code savepoint} when it is not null. */
    public JobClient startJob(PipelineConfig config, String savepoint) throws Exception {
        Configuration flink = MonitorJob.flinkConfiguration(config);
        if (savepoint != null) {
            FlinkSetup.restoreFrom(flink, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        MonitorJob.fromConfig(config).build(env);
        return env.executeAsync(MonitorJob.NAME);
    }

    public History history() {
        return new History(kafka.bootstrapServers());
    }

    /** Waits up to a minute until {@code sql} returns the single value {@code expected}. */
    public void awaitValue(String sql, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> got = query(sql);
        while (!got.equals(List.of(expected)) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            got = query(sql);
        }
        assertThat(got).as(sql).containsExactly(expected);
    }

    /** First column of every row, as text. */
    public List<String> query(String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection(clickHouse.jdbcUrl(), p);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    @Override
    public void close() {
        clickHouse.close();
        kafka.close();
    }
}

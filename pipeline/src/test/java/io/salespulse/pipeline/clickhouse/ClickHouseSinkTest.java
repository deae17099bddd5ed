package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real Flink job (MiniCluster, checkpoints every 200 ms) writing through the sink. */
class ClickHouseSinkTest {

    private static final int RECORDS = 10_000;
    /** Keys repeat: records 7000..9999 replay keys 0..2999 with identical values. */
    private static final int DISTINCT_KEYS = 7_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(clusterConfig())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir static Path tempDir;
    static LocalClickHouse clickHouse;

    private static Configuration clusterConfig() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return config;
    }

    @BeforeAll
    static void startClickHouse() throws Exception {
        clickHouse = LocalClickHouse.start(tempDir.resolve("clickhouse"));
    }

    @AfterAll
    static void stopClickHouse() {
        if (clickHouse != null) {
            clickHouse.close();
        }
    }

    @BeforeEach
    void createTable() throws Exception {
        try (Connection connection = connect()) {
            TestOrders.createTable(connection);
        }
    }

    @Test
    void writesEveryKeyOnceWithExactValues() throws Exception {
        Configuration jobConfig = new Configuration();
        jobConfig.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfig);
        env.setParallelism(2);
        env.enableCheckpointing(200);

        ClickHouseSinkOptions options =
                ClickHouseSinkOptions.builder(clickHouse.jdbcUrl())
                        .batchSize(500)
                        .flushInterval(Duration.ofMillis(100))
                        .maxRetries(2)
                        .initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(50))
                        .build();

        env.fromSequence(0, RECORDS - 1)
                .map(new SlowOrders())
                .returns(TestOrder.class)
                .uid("orders")
                .sinkTo(new ClickHouseSink<>(options, new TestOrders.Mapping()))
                .uid("clickhouse-orders");
        env.execute("clickhouse-sink-test");

        try (Connection connection = connect()) {
            String countFinal = "SELECT count() FROM " + TestOrders.TABLE + " FINAL";
            assertThat(TestOrders.scalar(connection, countFinal)).isEqualTo(DISTINCT_KEYS);
            Map<String, TestOrder> rows = TestOrders.readFinal(connection);
            assertThat(rows).hasSize(DISTINCT_KEYS);
            for (long key = 0; key < DISTINCT_KEYS; key++) {
                TestOrder expected = TestOrders.order(key);
                assertThat(rows.get(expected.id)).as("row %s", expected.id).isEqualTo(expected);
            }
        }
    }

    /** Turns a sequence number into an order, slowly enough that checkpoints happen mid-stream. */
    private static final class SlowOrders implements MapFunction<Long, TestOrder> {
        @Override
        public TestOrder map(Long sequence) throws Exception {
            if (sequence % 8 == 0) {
                Thread.sleep(1);
            }
            return TestOrders.order(sequence % DISTINCT_KEYS);
        }
    }

    private static Connection connect() throws Exception {
        return ClickHouseConnections.open(clickHouse.jdbcUrl(), "default", "");
    }
}

package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.localstack.LocalClickHouse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink writer on its own: when it flushes, how it retries, how it binds time. */
class ClickHouseSinkWriterTest {

    @TempDir static Path tempDir;
    static volatile LocalClickHouse clickHouse;

    private final ManualProcessingTime time = new ManualProcessingTime();
    private final RecordingMetricGroup metrics = new RecordingMetricGroup();
    private final List<ClickHouseSinkWriter<TestOrder>> writers = new ArrayList<>();

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

    @AfterEach
    void closeWriters() {
        writers.forEach(ClickHouseSinkWriter::close);
    }

    @Test
    void flushesWhenTheBatchIsFull() throws Exception {
        ClickHouseSinkWriter<TestOrder> writer = writer(options().batchSize(3), this::realClient);

        writer.write(TestOrders.order(1), null);
        writer.write(TestOrders.order(2), null);
        assertThat(rowCount()).isZero();

        writer.write(TestOrders.order(3), null);
        assertThat(rowCount()).isEqualTo(3);
        assertThat(writer.buffered()).isZero();
        assertThat(metrics.count("clickhouseRowsWritten")).isEqualTo(3);
        assertThat(metrics.gauges).containsKey("clickhouseLastFlushMillis");
    }

    @Test
    void flushesWhenTheIntervalPasses() throws Exception {
        ClickHouseSinkWriter<TestOrder> writer =
                writer(options().flushInterval(Duration.ofSeconds(1)), this::realClient);

        writer.write(TestOrders.order(1), null);
        writer.write(TestOrders.order(2), null);
        time.advanceTo(999);
        assertThat(rowCount()).isZero();
        time.advanceTo(1_000);
        assertThat(rowCount()).isEqualTo(2);

        // The timer re-arms itself.
        writer.write(TestOrders.order(3), null);
        time.advanceTo(2_000);
        assertThat(rowCount()).isEqualTo(3);

        writer.close();
        assertThat(time.activeTimers()).isZero();
    }

    @Test
    void flushesBeforeEveryCheckpointAndNotOnClose() throws Exception {
        ClickHouseSinkWriter<TestOrder> writer = writer(options(), this::realClient);

        writer.write(TestOrders.order(1), null);
        writer.write(TestOrders.order(2), null);
        writer.flush(false); // what Flink does before a checkpoint barrier
        assertThat(rowCount()).isEqualTo(2);

        writer.write(TestOrders.order(3), null);
        writer.close(); // a failing task: the row is replayed from the checkpoint instead
        assertThat(rowCount()).isEqualTo(2);
    }

    /**
     * With object reuse on, upstream may change an element after handing it over: what is inserted is the
     * element as it was when written, before the first connection (kept as a copy) and after (encoded).
     */
    @Test
    void insertsElementsAsTheyWereWhenWritten() throws Exception {
        // The copier ClickHouseSink uses when object reuse is on: the element's Flink serializer.
        org.apache.flink.api.common.typeutils.TypeSerializer<TestOrder> serializer =
                org.apache.flink.api.common.typeinfo.TypeInformation.of(TestOrder.class)
                        .createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl());
        ClickHouseSinkWriter<TestOrder> writer = writer(options(), this::realClient, serializer::copy);
        TestOrder first = TestOrders.order(1);
        writer.write(first, null);
        first.name = "changed after write";
        writer.flush(false);
        TestOrder second = TestOrders.order(2);
        writer.write(second, null);
        second.name = "changed after write";
        second.seq = 99;
        writer.flush(false);

        try (Connection c = connect()) {
            Map<String, TestOrder> rows = TestOrders.readFinal(c);
            assertThat(rows.values()).extracting(o -> o.name)
                    .containsExactly(TestOrders.order(1).name, TestOrders.order(2).name);
            assertThat(rows.values()).extracting(o -> o.seq).containsExactly(1L, 2L);
        }
    }

    @Test
    void retriesUntilTheServerIsReachable() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        String nowhere = unreachableUrl();
        ClickHouseSinkWriter<TestOrder> writer =
                writer(
                        options().maxRetries(5),
                        () -> connects.incrementAndGet() <= 2
                                ? ClickHouseClients.open(nowhere, "default", "")
                                : realClient());

        for (int key = 0; key < 10; key++) {
            writer.write(TestOrders.order(key), null);
        }
        writer.flush(false);

        assertThat(rowCount()).isEqualTo(10);
        assertThat(metrics.count("clickhouseRetries")).isEqualTo(2);
        assertThat(metrics.count("clickhouseRowsWritten")).isEqualTo(10);
    }

    @Test
    void retriesAcrossAServerRestart() throws Exception {
        ClickHouseSinkWriter<TestOrder> writer =
                writer(
                        options()
                                .maxRetries(30)
                                .initialBackoff(Duration.ofMillis(100))
                                .maxBackoff(Duration.ofMillis(400)),
                        this::realClient);
        writer.write(TestOrders.order(1), null);
        writer.flush(false); // the writer now holds a client that has read the column types

        int port = clickHouse.port();
        Path dataDir = clickHouse.dataDir();
        clickHouse.close();
        Thread restart =
                new Thread(
                        () -> {
                            try {
                                Thread.sleep(1_000);
                                clickHouse = LocalClickHouse.start(dataDir, port);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        restart.start();

        writer.write(TestOrders.order(2), null);
        writer.flush(false); // fails while the server is down, then succeeds with a new client
        restart.join();

        assertThat(rowCount()).isEqualTo(2);
        assertThat(metrics.count("clickhouseRetries")).isPositive();
    }

    @Test
    void failsNamingTheTableWhenRetriesRunOut() throws Exception {
        String nowhere = unreachableUrl();
        ClickHouseSinkWriter<TestOrder> writer =
                writer(
                        options().maxRetries(3).password("s3cret-pw"),
                        () -> ClickHouseClients.open(nowhere, "default", "s3cret-pw"));

        writer.write(TestOrders.order(1), null);

        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sinktest.orders")
                .hasMessageContaining("after 4 attempts")
                .hasMessageNotContaining("s3cret-pw");
        assertThat(metrics.count("clickhouseRetries")).isEqualTo(3);
        assertThat(writer.buffered()).as("nothing is dropped").isEqualTo(1);
    }

    @Test
    void timesRoundTripExactlyWhateverTheJvmTimeZone() throws Exception {
        TimeZone original = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Shanghai"));
        try {
            List<Instant> instants =
                    List.of(
                            Instant.parse("2026-01-12T01:30:00.123Z"),
                            Instant.parse("1970-01-01T00:00:00.001Z"),
                            Instant.parse("2026-03-29T00:59:59.999Z"), // a DST switch in Europe
                            Instant.parse("2026-06-30T16:00:00Z"), // midnight in Shanghai
                            Instant.parse("2026-01-12T01:30:00.123456789Z")); // sub-millisecond: cut
            ClickHouseSinkWriter<TestOrder> writer = writer(options(), this::realClient);
            for (int i = 0; i < instants.size(); i++) {
                TestOrder order = TestOrders.order(i);
                order.happenedAt = instants.get(i);
                order.dueAt = instants.get(i);
                writer.write(order, null);
            }
            writer.flush(false);

            try (Connection connection = connect();
                    Statement statement = connection.createStatement();
                    ResultSet rs =
                            statement.executeQuery(
                                    "SELECT toUnixTimestamp64Milli(happened_at), toString(happened_at),"
                                            + " toUnixTimestamp64Milli(assumeNotNull(due_at))"
                                            + " FROM " + TestOrders.TABLE + " FINAL ORDER BY seq")) {
                for (Instant instant : instants) {
                    assertThat(rs.next()).isTrue();
                    long millis = instant.toEpochMilli();
                    assertThat(rs.getLong(1)).isEqualTo(millis);
                    assertThat(rs.getString(2)).isEqualTo(utcText(instant));
                    assertThat(rs.getLong(3)).isEqualTo(millis);
                }
                assertThat(rs.next()).isFalse();
            }
        } finally {
            TimeZone.setDefault(original);
        }
    }

    /** ClickHouse's text form of a DateTime64(3, 'UTC'): {@code 2026-01-12 01:30:00.123}. */
    private static String utcText(Instant instant) {
        // Instant.toString(): 2026-01-12T01:30:00.123Z
        String iso = Instant.ofEpochMilli(instant.toEpochMilli()).toString();
        String withoutZone = iso.substring(0, iso.length() - 1).replace('T', ' ');
        if (withoutZone.length() == 19) {
            return withoutZone + ".000";
        }
        return withoutZone;
    }

    private ClickHouseSinkOptions.Builder options() {
        return ClickHouseSinkOptions.builder(clickHouse.jdbcUrl())
                .batchSize(1_000)
                .flushInterval(Duration.ofHours(1))
                .initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(5));
    }

    private ClickHouseSinkWriter<TestOrder> writer(
            ClickHouseSinkOptions.Builder options, ClickHouseSinkWriter.ClientFactory clients) {
        return writer(options, clients, UnaryOperator.identity());
    }

    private ClickHouseSinkWriter<TestOrder> writer(ClickHouseSinkOptions.Builder options,
            ClickHouseSinkWriter.ClientFactory clients, UnaryOperator<TestOrder> copier) {
        ClickHouseSinkWriter<TestOrder> writer =
                new ClickHouseSinkWriter<>(
                        options.build(),
                        new TestOrders.Mapping(),
                        time,
                        metrics,
                        copier,
                        clients);
        writers.add(writer);
        return writer;
    }

    private com.clickhouse.client.api.Client realClient() {
        return ClickHouseClients.open(clickHouse.jdbcUrl(), "default", "");
    }

    private static Connection connect() throws Exception {
        return ClickHouseConnections.open(clickHouse.jdbcUrl(), "default", "");
    }

    private static long rowCount() throws Exception {
        try (Connection connection = connect()) {
            return TestOrders.scalar(connection, "SELECT count() FROM " + TestOrders.TABLE);
        }
    }

    /** A ClickHouse URL on a port where nothing listens. */
    private static String unreachableUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "jdbc:clickhouse://127.0.0.1:" + socket.getLocalPort() + "/default?compress=0";
        }
    }
}

package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.Simulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The funnel job on a MiniCluster (RocksDB, checkpoints) beside the monitor job, through the real broker and
 * ClickHouse engine, on a simulated three weeks replayed from Kafka (record time = occurred_at, but written
 * customer by customer, so most cards arrive after windows they belong to were computed): every stage_conversion
 * row the job wrote, as corrected, equals the row the SQL reference (sql/019, over stage_events as the monitor job
 * wrote it) computes, and no row is missing on either side; digests and coaching alerts reach sales.alerts and the
 * alerts table.
 */
class FunnelJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void conversionRowsEqualTheSqlReferenceRowForRow() throws Exception {
        // Ends nine days ago: every window (7 days after its last entry) is final by now.
        Instant end = Instant.now().minus(Duration.ofDays(9)).truncatedTo(ChronoUnit.HOURS);
        SimulationSettings sim = SimulationSettings.builder().scenario(Scenario.SMALL_TEAM).seed(7).end(end)
                .duration(Duration.ofDays(21)).build();
        InMemoryEventSink sink = new InMemoryEventSink();
        long cards = new Simulator(sim).run(sink).stageCards();

        try (TestStack stack = TestStack.start(dir)) {
            try (History h = stack.history()) {
                for (InMemoryEventSink.SentRecord r : sink.records()) {
                    h.send(r.topic(), r.key(), r.timestampMillis(), r.value());
                }
                h.flush();
            }
            PipelineConfig config = config(stack, "funnel-test");
            JobClient monitor = stack.startJob(config);
            JobClient funnel = startFunnel(config);
            try {
                stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL", String.valueOf(cards));
                FunnelSettings s = FunnelSettings.from(config);
                String reference = "salespulse.stage_conversion_reference(window_ms = " + s.windowMs + ", slide_ms = "
                        + s.slideMs + ", baseline_weeks = " + s.baselineWeeks + ")";
                String expectedCount = stack.query("SELECT count() FROM " + reference).get(0);
                assertThat(Long.parseLong(expectedCount)).isGreaterThan(5_000);
                stack.awaitValue("SELECT count() FROM salespulse.stage_conversion FINAL WHERE entered > 0", expectedCount);

                String order = " ORDER BY tenant, region, team, from_stage, window_end";
                List<String> sql = stack.query("SELECT " + ROW + " FROM " + reference + order);
                List<String> job = awaitRows(stack, "SELECT " + ROW + " FROM salespulse.stage_conversion FINAL"
                        + " WHERE entered > 0" + order, sql);
                assertThat(job).hasSize(sql.size()).containsExactlyElementsOf(sql);

                // The other outputs made it through both sinks.
                stack.awaitValue("SELECT count() > 0 FROM salespulse.alerts FINAL WHERE type = 'digest'", "1");
                assertThat(stack.query("SELECT count() FROM salespulse.forecast_digests FINAL WHERE stage = 'all'")
                        .get(0)).isNotEqualTo("0");
                List<String> topic = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.alerts",
                        Duration.ofSeconds(30), v -> v.stream().anyMatch(x -> x.contains("\"type\":\"digest\"")));
                assertThat(topic).anyMatch(v -> v.contains("\"type\":\"digest\""));
            } finally {
                funnel.cancel().get();
                monitor.cancel().get();
            }
        }
    }

    /** A stage_conversion row (or one of the reference's) as text. */
    static final String ROW = "concat(tenant, ' ', region, ' ', team, ' ', from_stage, ' ', toString(window_start), ' ',"
            + " toString(window_end), ' ', toString(entered), ' ', toString(advanced), ' ', toString(round(rate, 9)), ' ',"
            + " ifNull(toString(round(baseline_rate, 9)), '-'), ' ', ifNull(toString(round(change_pct, 6)), '-'))";

    /** Polls up to three minutes until the rows equal {@code expected} (corrections may be on their way); returns the last read. */
    static List<String> awaitRows(TestStack stack, String sql, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<String> got = stack.query(sql);
        while (!got.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            got = stack.query(sql);
        }
        return got;
    }

    /** Settings of a run of both jobs, the funnel with its own consumer group and transactional ids. */
    static PipelineConfig config(TestStack stack, String run) {
        return stack.config(run, Map.of(Setting.FUNNEL_GROUP_ID, run, Setting.FUNNEL_TRANSACTIONAL_ID_PREFIX, run));
    }

    /** Starts the funnel job on the test's MiniCluster. */
    static JobClient startFunnel(PipelineConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FunnelJob.flinkConfiguration(config));
        FunnelJob.fromConfig(config).build(env);
        return env.executeAsync(FunnelJob.NAME);
    }
}

package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.ImportSession;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.Topics;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import io.salespulse.producers.simulator.GroundTruth;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history import into a running funnel job beside a tenant that sends live cards, through the real broker, the
 * ClickHouse engine and the monitor job (which writes stage_events for the SQL reference):
 *
 * <ol>
 *   <li>weijiang: three weeks already in Kafka when the jobs start (replayed), then its last two days uploaded
 *       late while the import runs (arrival now, old occurred_at): rows already written get corrected;
 *   <li>lanshan: an import session opens, 63 days of history with {@code import_id} and a real drop in one
 *       region arrive now; nothing of lanshan is computed while the session is open; then it completes.
 * </ol>
 *
 * Then: every stage_conversion row of both tenants equals the SQL reference (sql/019), every digest's counts equal
 * a plain-Java as-of reference, the history's drop is alerted exactly once (origin history), every alert id is on
 * sales.alerts once (read_committed).
 */
class FunnelImportJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();
    private static final long H = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void anImportIntoARunningJobBesideALiveTenantEndsInTheReferenceRowsDigestsAndOneDropAlert() throws Exception {
        Instant now = Instant.now();
        SimulationSettings live = SimulationSettings.builder().scenario(Scenario.SMALL_TEAM).seed(3)
                .end(now.minus(Duration.ofMinutes(30))).duration(Duration.ofDays(21)).malformedRate(0).build();
        InMemoryEventSink liveSink = new InMemoryEventSink();
        new Simulator(live).run(liveSink);
        SimulationSettings imported = SimulationSettings.builder().tenant("lanshan").scenario(Scenario.FMCG_DISTRIBUTOR)
                .seed(1).end(now.minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS)).duration(Duration.ofDays(63))
                .malformedRate(0).inject("conversion-drop:region=hz-east,from=day+42,rate=0.45").build();
        InMemoryEventSink importSink = new InMemoryEventSink();
        GroundTruth truth = new Simulator(imported).run(importSink).groundTruth();
        String dropRegion = truth.conversionDrops().get(0).region();

        List<StageEvent> cards = new ArrayList<>();
        try (TestStack stack = TestStack.start(dir)) {
            long lateFrom = now.minus(Duration.ofDays(2)).toEpochMilli();
            List<InMemoryEventSink.SentRecord> late = new ArrayList<>();
            try (History h = stack.history()) {
                for (InMemoryEventSink.SentRecord r : liveSink.records()) {
                    if (!r.topic().equals(Topics.STAGES)) {
                        continue;
                    }
                    StageEvent c = parse(r.value());
                    cards.add(c);
                    if (c.occurredAt >= lateFrom) {
                        late.add(r);
                    } else {
                        h.send(r.topic(), r.key(), c.occurredAt, r.value()); // in Kafka since it happened
                    }
                }
                h.flush();
            }
            PipelineConfig config = FunnelJobTest.config(stack, "funnel-import");
            JobClient monitor = stack.startJob(config);
            JobClient funnel = FunnelJobTest.startFunnel(config);
            try {
                await(() -> query(stack, "SELECT count() > 1000 FROM salespulse.stage_conversion FINAL"), "1");

                // The import opens; its history and weijiang's late uploads arrive now.
                try (History h = stack.history()) {
                    h.send(Topics.IMPORTS, "lanshan/imp-1", System.currentTimeMillis(), session(ImportSession.Status.OPEN));
                    h.flush();
                    int n = 0;
                    for (InMemoryEventSink.SentRecord r : importSink.records()) {
                        if (!r.topic().equals(Topics.STAGES)) {
                            continue;
                        }
                        byte[] value = withImportId(r.value());
                        cards.add(parse(value));
                        h.send(r.topic(), r.key(), System.currentTimeMillis(), value);
                        if (n < late.size()) {
                            InMemoryEventSink.SentRecord l = late.get(n);
                            h.send(l.topic(), l.key(), System.currentTimeMillis(), l.value());
                        }
                        n++;
                    }
                    for (; n < late.size(); n++) {
                        h.send(late.get(n).topic(), late.get(n).key(), System.currentTimeMillis(), late.get(n).value());
                    }
                    h.flush();
                    long total = cards.stream().map(c -> c.tenant + c.eventId).distinct().count();
                    await(() -> query(stack, "SELECT count() FROM salespulse.stage_events FINAL"), String.valueOf(total));
                    Thread.sleep(3_000);
                    // Held: nothing of lanshan is computed while its import is open.
                    assertThat(query(stack, "SELECT count() FROM salespulse.stage_conversion WHERE tenant = 'lanshan'"))
                            .isEqualTo("0");
                    assertThat(query(stack, "SELECT count() FROM salespulse.alerts WHERE tenant = 'lanshan'"))
                            .isEqualTo("0");
                    h.send(Topics.IMPORTS, "lanshan/imp-1", System.currentTimeMillis(),
                            session(ImportSession.Status.COMPLETE));
                    h.flush();
                }

                FunnelSettings s = FunnelSettings.from(config);
                long cutoff = s.dueEnd(System.currentTimeMillis()) - H; // ends the job has surely decided by now
                String reference = "salespulse.stage_conversion_reference(window_ms = " + s.windowMs + ", slide_ms = "
                        + s.slideMs + ", baseline_weeks = " + s.baselineWeeks + ")";
                String where = " WHERE entered > 0 AND toUnixTimestamp64Milli(window_end) <= " + cutoff;
                String order = " ORDER BY tenant, region, team, from_stage, window_end";
                List<String> expected = stack.query("SELECT " + FunnelJobTest.ROW + " FROM " + reference + where + order);
                assertThat(expected).anyMatch(r -> r.startsWith("lanshan ")).anyMatch(r -> r.startsWith("weijiang "));
                List<String> rows = FunnelJobTest.awaitRows(stack, "SELECT " + FunnelJobTest.ROW
                        + " FROM salespulse.stage_conversion FINAL"
                        + where + order, expected);
                assertThat(rows).containsExactlyElementsOf(expected);

                // Digests: as of their dates, by the plain-Java reference.
                long lastDigest = Instant.ofEpochMilli(cutoff).truncatedTo(ChronoUnit.DAYS).toEpochMilli();
                List<Long> dates = new ArrayList<>();
                for (long d = lastDigest; d > now.minus(Duration.ofDays(70)).toEpochMilli(); d -= 24 * H) {
                    dates.add(d);
                }
                List<String> expectedDigests = DigestReference.rows(cards, dates, s).stream()
                        .filter(r -> !r.matches(".* 0 0 0$")).toList();
                List<String> digests = FunnelJobTest.awaitRows(stack, "SELECT concat(tenant, ' ', team, ' ',"
                        + " toString(toUnixTimestamp64Milli(digest_at)), ' ', stage, ' ', toString(customers), ' ',"
                        + " toString(overdue), ' ', toString(at_risk)) AS r FROM salespulse.forecast_digests FINAL"
                        + " WHERE stage != 'all' AND customers > 0 AND toUnixTimestamp64Milli(digest_at) <= " + lastDigest
                        + " ORDER BY r", expectedDigests);
                assertThat(digests).containsExactlyElementsOf(expectedDigests);

                // Alerts: every id once on the topic; the history's drop exactly once, as history.
                List<String> topic = TopicReader.read(stack.kafka.bootstrapServers(), Topics.ALERTS,
                        Duration.ofSeconds(60), Duration.ofSeconds(5),
                        v -> v.stream().anyMatch(x -> x.contains("\"alert_id\":\"funnel_drop:lanshan:")));
                Map<String, Integer> ids = new HashMap<>();
                for (String v : topic) {
                    ids.merge(field(v, "alert_id"), 1, Integer::sum);
                }
                assertThat(ids).allSatisfy((id, times) -> assertThat(times).as(id).isEqualTo(1));
                List<String> drops = topic.stream().filter(v -> v.contains("\"alert_id\":\"funnel_drop:lanshan:")).toList();
                assertThat(drops).allSatisfy(v -> assertThat(field(v, "origin")).isEqualTo("history"));
                // The injected drop once. The sequential test (the default since issue 14) also raised, on this history,
                // hz-south's contact stage (baseline 95%, estimated 77%), which the simulator did not inject: an open
                // question of docs/funnel.md ("Limits"), so other regions' drops are not asserted here.
                assertThat(drops).filteredOn(v -> field(v, "region").equals(dropRegion) && field(v, "stage").equals("proposal"))
                        .singleElement();
                assertThat(topic).filteredOn(v -> v.contains("\"type\":\"digest\"") && v.contains("\"tenant\":\"lanshan\""))
                        .isNotEmpty();
            } finally {
                funnel.cancel().get();
                monitor.cancel().get();
            }
        }
    }

    private static byte[] session(ImportSession.Status status) {
        return new ImportSession("lanshan", "imp-1", status, System.currentTimeMillis() + 3_600_000L, 0, 0, 0,
                "63 days of history", 0).toJson();
    }

    private static byte[] withImportId(byte[] value) {
        String json = new String(value, StandardCharsets.UTF_8);
        return ("{\"import_id\":\"imp-1\"," + json.substring(1)).getBytes(StandardCharsets.UTF_8);
    }

    private static final ContractDeserializer PARSER = new ContractDeserializer(Topics.STAGES, Topics.VISITS,
            Topics.ACKS, Duration.ofHours(1));

    private static StageEvent parse(byte[] value) {
        InputRecord in = PARSER.parse(Topics.STAGES, 0, 0, null, value, System.currentTimeMillis());
        assertThat(in.stage).as(new String(value, StandardCharsets.UTF_8)).isNotNull();
        return in.stage;
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static String query(TestStack stack, String sql) {
        try {
            return stack.query(sql).get(0);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Polls up to three minutes until the query returns {@code expected}. */
    private static void await(Supplier<String> value, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String got = value.get();
        while (!got.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            got = value.get();
        }
        assertThat(got).isEqualTo(expected);
    }
}

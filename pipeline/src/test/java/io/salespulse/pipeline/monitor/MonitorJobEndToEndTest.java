package io.salespulse.pipeline.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor job end to end: a scripted history (with malformed records and duplicates) goes through
 * the real Kafka broker, the job runs on a MiniCluster with RocksDB and checkpoints, and results land
 * in the real ClickHouse engine and in sales.alerts (read_committed). Then: an alert due while nothing
 * arrives fires on time, and a full replay gives the same alerts and no duplicate rows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorJobEndToEndTest {
    private static final long H = 3_600_000L;
    /** Ten days ago, on a whole minute: every history SLA below has passed by now. */
    private static final long T = Instant.now().minus(Duration.ofDays(10)).truncatedTo(ChronoUnit.MINUTES).toEpochMilli();

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    static Path dir;
    static TestStack stack;
    static JobClient liveJob;
    static List<String> expectedHistoryAlerts;

    @BeforeAll
    static void startStack() throws Exception {
        stack = TestStack.start(dir, "sales.alerts.replay", "sales.dlq.replay");
        writeHistory();
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (liveJob != null) {
            liveJob.cancel().get();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Customer by customer, what happened and what the pipeline must conclude (T = ten days ago). */
    static void writeHistory() {
        try (History h = stack.history()) {
            // c-001: moves on in time until proposal, then nothing for 5 days -> proposal overdue.
            h.visit("c-001", T);
            h.card("c-001", "contact", T, "");
            String needs = h.card("c-001", "needs", T + 24 * H, "\"need\":\"低糖烘焙\"");
            h.card("c-001", "proposal", T + 48 * H, "\"proposal\":\"sku-lowsugar-01\"");
            // the needs card again, byte for byte (a producer retry): harmless
            h.send("sales.stages", "c-001", T + 24 * H, "{\"event_id\":\"" + needs + "\",\"tenant\":\"weijiang\","
                    + "\"occurred_at\":\"" + History.iso(T + 24 * H) + "\",\"customer_id\":\"c-001\",\"rep_id\":\"r-017\","
                    + "\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"needs\",\"need\":\"低糖烘焙\"}");
            // c-002: contact and nothing else -> contact overdue; the manager acknowledges (twice).
            String visit = h.visit("c-002", T);
            h.card("c-002", "contact", T, "");
            h.send("sales.visits", "c-002", T, "{\"event_id\":\"" + visit + "\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                    + History.iso(T) + "\",\"rep_id\":\"r-017\",\"customer_id\":\"c-002\",\"store_id\":\"s-12\","
                    + "\"region\":\"hz-west\",\"team\":\"t-3\",\"channel\":\"store_scan\",\"lat\":30.27,\"lon\":120.15}");
            String c002Alert = AlertIds.stageOverdue("weijiang", "c-002", "contact", Instant.ofEpochMilli(T + 48 * H));
            h.ack(c002Alert, T + 50 * H);
            // c-003: needs comes 2 h late (contact overdue first), then stalls -> needs overdue too.
            h.card("c-003", "contact", T, "");
            h.card("c-003", "needs", T + 50 * H, "\"need\":\"门店陈列\"");
            // c-004: the whole funnel, won -> no alert.
            h.card("c-004", "contact", T, "");
            h.card("c-004", "needs", T + 10 * H, "\"need\":\"x\"");
            h.card("c-004", "proposal", T + 20 * H, "\"proposal\":\"p\"");
            h.card("c-004", "closing", T + 30 * H, "\"outcome\":\"won\",\"deal_value\":8800.0");
            // c-005: contact yesterday: not due yet.
            h.card("c-005", "contact", T + 9 * 24 * H, "");
            // c-006: high potential, straight to an objection about price -> objection overdue, severity high.
            h.card("c-006", "contact", T, "");
            h.card("c-006", "objection", T + H, "\"objection_tag\":\"price_high\",\"script_id\":null,"
                    + "\"high_potential\":true,\"deal_value\":12000.0");
            // c-007: lost without earlier cards.
            h.card("c-007", "closing", T, "\"outcome\":\"lost\"");
            // c-008: proposal, then a needs card of an earlier time arrives late -> stays in proposal.
            h.card("c-008", "proposal", T + 5 * H, "\"proposal\":\"p\"");
            h.card("c-008", "needs", T + 2 * H, "\"need\":\"late\"");
            // c-009: closing pending for more than 7 days -> closing overdue.
            h.card("c-009", "closing", T + H, "\"outcome\":\"pending\"");

            // Seven malformed records.
            h.send("sales.stages", "c-x", T, "{\"event_id\": \"broken");
            h.send("sales.stages", null, T, "{\"event_id\":\"m-2\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                    + History.iso(T) + "\",\"rep_id\":\"r-1\",\"region\":\"r\",\"team\":\"t\",\"stage\":\"contact\"}");
            h.send("sales.stages", "c-x", T, "{\"event_id\":\"m-3\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                    + History.iso(T) + "\",\"customer_id\":\"c-x\",\"rep_id\":\"r-1\",\"region\":\"r\",\"team\":\"t\","
                    + "\"stage\":\"negotiation\"}");
            h.send("sales.visits", "c-x", T, "{\"event_id\":\"m-4\",\"tenant\":\"weijiang\",\"occurred_at\":"
                    + "\"2026-13-45T99:00\",\"rep_id\":\"r-1\",\"customer_id\":\"c-x\",\"region\":\"r\",\"team\":\"t\","
                    + "\"channel\":\"store_scan\"}");
            h.send("sales.stages", "c-x", T, "{\"event_id\":\"m-5\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                    + History.iso(T) + "\",\"customer_id\":\"c-x\",\"rep_id\":\"r-1\",\"region\":\"r\",\"team\":\"t\","
                    + "\"stage\":\"contact\",\"high_potential\":\"yes\"}");
            h.send("sales.acks", "x", T, "{\"event_id\":\"m-6\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                    + History.iso(T) + "\",\"alert_id\":\"x\",\"responder\":\"u-1\",\"action\":\"maybe\"}");
            h.send("sales.stages", "c-x", (Long) T, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
            h.flush();
        }
        expectedHistoryAlerts = List.of(
                AlertIds.stageOverdue("weijiang", "c-001", "proposal", Instant.ofEpochMilli(T + 48 * H + 120 * H)),
                AlertIds.stageOverdue("weijiang", "c-002", "contact", Instant.ofEpochMilli(T + 48 * H)),
                AlertIds.stageOverdue("weijiang", "c-003", "contact", Instant.ofEpochMilli(T + 48 * H)),
                AlertIds.stageOverdue("weijiang", "c-003", "needs", Instant.ofEpochMilli(T + 50 * H + 72 * H)),
                AlertIds.stageOverdue("weijiang", "c-006", "objection", Instant.ofEpochMilli(T + H + 72 * H)),
                AlertIds.stageOverdue("weijiang", "c-008", "proposal", Instant.ofEpochMilli(T + 5 * H + 120 * H)),
                AlertIds.stageOverdue("weijiang", "c-009", "closing", Instant.ofEpochMilli(T + H + 168 * H)));
    }

    static JobClient start(String run, String alertsTopic, String dlqTopic) throws Exception {
        return stack.startJob(stack.config(run, Map.of(Setting.TOPIC_ALERTS, alertsTopic, Setting.TOPIC_DLQ, dlqTopic)));
    }

    @Test
    @Order(1)
    void historyGivesExactAlertsRowsAndDeadLetters() throws Exception {
        liveJob = start("live", "sales.alerts", "sales.dlq");

        List<JsonNode> alerts = alerts("sales.alerts", expectedHistoryAlerts.size(), Duration.ofSeconds(90));
        assertThat(alerts).extracting(a -> a.get("alert_id").asText())
                .containsExactlyInAnyOrderElementsOf(expectedHistoryAlerts);
        JsonNode high = alerts.stream().filter(a -> a.get("customer_id").asText().equals("c-006")).findFirst().orElseThrow();
        assertThat(high.get("severity").asText()).isEqualTo("high");
        assertThat(high.get("title").asText()).contains("高潜").contains("异议处理");
        assertThat(high.get("suggestion").asText()).contains("价格比竞品高");
        assertThat(high.get("due_at").asText()).isEqualTo(Instant.ofEpochMilli(T + 73 * H).toString());

        awaitRows("SELECT count() FROM salespulse.dead_letters FINAL", 7);
        awaitRows("SELECT count() FROM salespulse.alerts FINAL", expectedHistoryAlerts.size());
        assertThat(query("SELECT alert_id FROM salespulse.alerts FINAL ORDER BY alert_id"))
                .containsExactlyElementsOf(new TreeSet<>(expectedHistoryAlerts));
        awaitRows("SELECT count() FROM salespulse.stage_events FINAL", 17);
        awaitRows("SELECT count() FROM salespulse.visits FINAL", 2);
        awaitRows("SELECT count() FROM salespulse.alert_acks FINAL", 1);
        awaitRows("SELECT count() FROM salespulse.customer_status FINAL", 9);

        assertThat(statuses()).isEqualTo(new TreeMap<>(Map.of(
                "c-001", "proposal/overdue", "c-002", "contact/overdue", "c-003", "needs/overdue",
                "c-004", "closing/won", "c-005", "contact/active", "c-006", "objection/overdue",
                "c-007", "closing/lost", "c-008", "proposal/overdue", "c-009", "closing/overdue")));
        assertThat(query("SELECT error_code FROM salespulse.dead_letters FINAL ORDER BY error_code"))
                .containsExactly("bad_timestamp", "invalid_utf8", "missing_field", "not_json", "unknown_value",
                        "unknown_value", "wrong_type");
        assertThat(query("SELECT concat(raw_encoding, ' ', error) FROM salespulse.dead_letters FINAL "
                + "WHERE error_code = 'missing_field'")).containsExactly("utf8 required field 'customer_id' is missing");
        List<String> dlq = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.dlq", Duration.ofSeconds(30),
                v -> v.size() >= 7);
        assertThat(dlq).hasSize(7).allSatisfy(v -> assertThat(Json.MAPPER.readTree(v).get("error").asText()).isNotBlank());
    }

    @Test
    @Order(2)
    void alertFiresOnTimeWhenNothingElseArrives() throws Exception {
        // A contact card whose 48 h SLA ends 8 s from now; after it, no record on any partition.
        long due = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
        try (History h = stack.history()) {
            h.send("sales.stages", "c-100", System.currentTimeMillis(), "{\"event_id\":\"s-live\",\"tenant\":\"weijiang\","
                    + "\"occurred_at\":\"" + History.iso(due - 48 * H) + "\",\"customer_id\":\"c-100\",\"rep_id\":\"r-017\","
                    + "\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"contact\"}");
            h.flush();
        }
        String id = AlertIds.stageOverdue("weijiang", "c-100", "contact", Instant.ofEpochMilli(due));
        List<String> seen = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.alerts", Duration.ofSeconds(40),
                values -> values.stream().anyMatch(v -> v.contains(id)));
        long visibleAt = System.currentTimeMillis();
        assertThat(seen).anyMatch(v -> v.contains(id));
        // Visible to read_committed consumers (after the checkpoint that commits it) within 5 s of its due time.
        assertThat(visibleAt - due).isBetween(0L, 5_000L);
        JsonNode alert = Json.MAPPER.readTree(seen.stream().filter(v -> v.contains(id)).findFirst().orElseThrow());
        assertThat(Instant.parse(alert.get("emitted_at").asText()).toEpochMilli()).isGreaterThanOrEqualTo(due);
    }

    @Test
    @Order(3)
    void replayingTheSameHistoryGivesTheSameAlertsAndNoDuplicateRows() throws Exception {
        liveJob.cancel().get();
        liveJob = null;
        List<JsonNode> live = alerts("sales.alerts", expectedHistoryAlerts.size() + 1, Duration.ofSeconds(10));

        JobClient replay = start("replay", "sales.alerts.replay", "sales.dlq.replay");
        try {
            List<JsonNode> replayed = alerts("sales.alerts.replay", live.size(), Duration.ofSeconds(90));
            assertThat(withoutEmittedAt(replayed)).containsExactlyInAnyOrderElementsOf(withoutEmittedAt(live));
            // Let the replay's ClickHouse writes land too: every table still has each key once.
            Thread.sleep(5_000);
        } finally {
            replay.cancel().get();
        }
        assertThat(query("SELECT count() FROM salespulse.alerts FINAL")).containsExactly(String.valueOf(live.size()));
        assertThat(query("SELECT count() FROM salespulse.dead_letters FINAL")).containsExactly("7");
        assertThat(query("SELECT count() FROM salespulse.stage_events FINAL")).containsExactly("18");
        assertThat(query("SELECT count() FROM salespulse.visits FINAL")).containsExactly("2");
        assertThat(query("SELECT count() FROM salespulse.alert_acks FINAL")).containsExactly("1");
        assertThat(query("SELECT count() FROM salespulse.customer_status FINAL")).containsExactly("10");
        assertThat(statuses()).containsEntry("c-100", "contact/overdue").containsEntry("c-004", "closing/won");
    }

    // --- helpers ---

    private static List<JsonNode> alerts(String topic, int expected, Duration timeout) throws Exception {
        // After the expected count, go on reading for 3 s so that a wrongly duplicated alert is seen too.
        List<String> values = TopicReader.read(stack.kafka.bootstrapServers(), topic, timeout, Duration.ofSeconds(3),
                v -> v.size() >= expected);
        List<JsonNode> out = new ArrayList<>();
        for (String v : values) {
            out.add(Json.MAPPER.readTree(v));
        }
        return out;
    }

    private static List<String> withoutEmittedAt(List<JsonNode> alerts) {
        return alerts.stream().map(a -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) a).remove("emitted_at");
            return a.toString();
        }).collect(Collectors.toList());
    }

    private static Map<String, String> statuses() throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (String row : query("SELECT concat(customer_id, ' ', stage, '/', status) FROM salespulse.customer_status FINAL")) {
            String[] p = row.split(" ", 2);
            m.put(p[0], p[1]);
        }
        return m;
    }

    private static void awaitRows(String sql, int expected) throws Exception {
        stack.awaitValue(sql, String.valueOf(expected));
    }

    private static List<String> query(String sql) throws Exception {
        return stack.query(sql);
    }
}

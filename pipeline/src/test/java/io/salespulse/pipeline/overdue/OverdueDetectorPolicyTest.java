package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.policy.PolicyChange;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Run-time policies in the detector: precedence, re-timing customers already waiting (shorter, longer,
 * removed), alerts never lost or doubled by a change, switched-off alert types, working-hours clocks,
 * invalid policies, and policies surviving a snapshot/restore.
 */
class OverdueDetectorPolicyTest {
    private static final long H = 3_600_000L;
    /** Monday 2026-03-09 10:00 in Shanghai. */
    private static final long T0 = Instant.parse("2026-03-09T02:00:00Z").toEpochMilli();

    private KeyedTwoInputStreamOperatorTestHarness<String, CustomerEvent, PolicyUpdate, Alert> harness;
    private long offset;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void aPolicyAppliesToNewStagesWithTheMostSpecificScopeWinning() throws Exception {
        policy("weijiang", 1, "\"sla\":{\"contact\":\"24h\"}");
        policy("weijiang/hz-west", 1, "\"sla\":{\"contact\":\"12h\"}");
        policy("weijiang/hz-west/t-9", 1, "\"sla\":{\"contact\":\"1h\"}"); // another team
        card("c-1", "contact", T0, "t-3");
        card("c-2", "contact", T0, "t-9");
        StageEvent other = newCard("c-3", "contact", T0, "t-3");
        other.region = "hz-east";
        process(other);
        harness.processBothWatermarks(new Watermark(T0 + 100 * H));
        assertThat(alerts()).extracting(a -> a.customerId + "@" + (a.dueAt - T0) / H)
                .containsExactlyInAnyOrder("c-2@1", "c-1@12", "c-3@24");
    }

    @Test
    void shorteningReTimesWaitingCustomersAndThoseNowPastDueFireAtOnce() throws Exception {
        card("c-1", "contact", T0, "t-3");            // due T0+48h
        card("c-2", "contact", T0 + 20 * H, "t-3");   // due T0+68h
        harness.processBothWatermarks(new Watermark(T0 + 10 * H));
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        policy("weijiang", 1, "\"sla\":{\"contact\":\"6h\"}");
        assertThat(harness.numEventTimeTimers()).isEqualTo(2); // moved, not added
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 6 * H);
        assertThat(lastStatus("c-2").dueAt).isEqualTo(T0 + 26 * H);
        assertThat(alerts()).extracting(a -> a.alertId)
                .containsExactly("stage_overdue:weijiang:c-1:contact:2026-03-09T08:00:00Z");
        assertThat(alerts().get(0).message).contains("6 小时");
        harness.processBothWatermarks(new Watermark(T0 + 1000 * H));
        assertThat(alerts()).extracting(a -> a.customerId + "@" + (a.dueAt - T0) / H).containsExactly("c-1@6", "c-2@26");
        harness.processBothWatermarks(new Watermark(T0 + 2000 * H));
        assertThat(harness.numEventTimeTimers()).as("both forgotten 30 days after their last card").isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void lengtheningPostponesPendingAlerts() throws Exception {
        card("c-1", "contact", T0, "t-3");
        policy("weijiang/hz-west/t-3", 1, "\"sla\":{\"contact\":\"72h\"}");
        harness.processBothWatermarks(new Watermark(T0 + 71 * H));
        assertThat(alerts()).isEmpty();
        harness.processBothWatermarks(new Watermark(T0 + 72 * H));
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.dueAt).isEqualTo(T0 + 72 * H));
        assertThat(harness.numEventTimeTimers()).as("the one that forgets the customer").isEqualTo(1);
    }

    @Test
    void removingAPolicyReturnsItsCustomersToTheInheritedSla() throws Exception {
        policy("weijiang", 1, "\"sla\":{\"contact\":\"30h\"}");
        policy("weijiang/hz-west/t-3", 1, "\"sla\":{\"contact\":\"6h\"}");
        card("c-1", "contact", T0, "t-3");
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 6 * H);
        tombstone("weijiang/hz-west/t-3");
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 30 * H);
        tombstone("weijiang");
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 48 * H);
        harness.processBothWatermarks(new Watermark(T0 + 100 * H));
        assertThat(alerts()).extracting(a -> a.dueAt).containsExactly(T0 + 48 * H);
        assertThat(changes()).extracting(c -> c.scope + " " + c.change + " v" + c.version + " " + c.fieldsChanged)
                .containsExactly("weijiang set v1 sla.contact", "weijiang/hz-west/t-3 set v1 sla.contact",
                        "weijiang/hz-west/t-3 removed v1 sla.contact", "weijiang removed v1 sla.contact");
    }

    @Test
    void anAlertAlreadyRaisedIsNeitherRaisedAgainNorWithdrawnByALaterChange() throws Exception {
        card("c-1", "contact", T0, "t-3");
        harness.processBothWatermarks(new Watermark(T0 + 49 * H));
        assertThat(alerts()).hasSize(1);
        policy("weijiang", 1, "\"sla\":{\"contact\":\"6h\"}");
        policy("weijiang", 2, "\"sla\":{\"contact\":\"96h\"}");
        harness.processBothWatermarks(new Watermark(T0 + 200 * H));
        assertThat(alerts()).extracting(a -> a.dueAt).containsExactly(T0 + 48 * H);
        assertThat(lastStatus("c-1").status).isEqualTo("overdue");
        // The customer's next stage uses the new SLA.
        card("c-1", "needs", T0 + 201 * H, "t-3");
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 201 * H + 72 * H);
    }

    @Test
    void aSwitchedOffAlertTypeIsTrackedButNotAlerted() throws Exception {
        policy("weijiang/hz-west", 1, "\"alert_types\":{\"stage_overdue\":false}");
        card("c-1", "contact", T0, "t-3");
        harness.processBothWatermarks(new Watermark(T0 + 49 * H));
        assertThat(alerts()).isEmpty();
        assertThat(lastStatus("c-1").status).isEqualTo("overdue");
    }

    @Test
    void workingHoursTenantsFallDueInsideWorkingTimeGroupedAtTheNextOpening() throws Exception {
        policy("weijiang", 1, "\"sla\":{\"contact\":\"48h\",\"needs\":\"1h\"},\"calendar\":{\"holidays\":[\"2026-03-11\"]}");
        long friday17 = Instant.parse("2026-03-06T09:00:00Z").toEpochMilli();
        card("c-1", "contact", friday17, "t-3");
        // Hand-computed in BusinessCalendarTest: Fri 17:00 + 48 working hours with Wednesday 11th off = Tue 17th 11:00.
        assertThat(lastStatus("c-1").dueAt).isEqualTo(Instant.parse("2026-03-17T03:00:00Z").toEpochMilli());
        // Two needs cards at 17:00 on Monday: both clocks run out at 18:00, so both fall due at Tuesday 09:00,
        // together. A card at 20:00 starts counting at Tuesday's opening.
        card("c-2", "needs", Instant.parse("2026-03-09T09:00:00Z").toEpochMilli(), "t-3");
        card("c-3", "needs", Instant.parse("2026-03-09T09:00:00Z").toEpochMilli(), "t-3");
        card("c-4", "needs", Instant.parse("2026-03-09T12:00:00Z").toEpochMilli(), "t-3");
        harness.processBothWatermarks(new Watermark(Instant.parse("2026-03-10T00:59:59Z").toEpochMilli()));
        assertThat(alerts()).isEmpty(); // not at 18:00, not at night
        harness.processBothWatermarks(new Watermark(Instant.parse("2026-03-10T01:00:00Z").toEpochMilli()));
        assertThat(alerts()).extracting(a -> a.customerId + " " + Instant.ofEpochMilli(a.dueAt))
                .containsExactlyInAnyOrder("c-2 2026-03-10T01:00:00Z", "c-3 2026-03-10T01:00:00Z");
        harness.processBothWatermarks(new Watermark(Instant.parse("2026-03-10T02:00:00Z").toEpochMilli()));
        assertThat(alerts()).extracting(a -> a.customerId).containsExactlyInAnyOrder("c-2", "c-3", "c-4");
    }

    @Test
    void invalidOrStalePoliciesGoToTheDeadLettersAndNeverReplaceTheValidOne() throws Exception {
        policy("weijiang", 2, "\"sla\":{\"contact\":\"6h\"}");
        send("weijiang", "{\"version\":3,\"updated_at\":\"2026-03-03T09:00:00+08:00\",\"updated_by\":\"u\","
                + "\"sla\":{\"contact\":\"soon\"}}");
        policy("weijiang", 1, "\"sla\":{\"contact\":\"96h\"}"); // older than the current version 2
        policy("weijiang", 2, "\"sla\":{\"contact\":\"6h\"}");  // the same document again: no change, no dead letter
        send(null, "{}");
        card("c-1", "contact", T0, "t-3");
        assertThat(lastStatus("c-1").dueAt).isEqualTo(T0 + 6 * H);
        assertThat(deadLetters()).extracting(d -> d.errorCode).containsExactly("wrong_type", "stale_version", "bad_scope");
        assertThat(deadLetters().get(0).error).contains("sla.contact");
        assertThat(deadLetters().get(0).topic).isEqualTo("sales.policies");
        assertThat(changes()).hasSize(1);
    }

    @Test
    void policiesAndReTimedTimersSurviveASnapshotAndRestore() throws Exception {
        policy("weijiang", 1, "\"sla\":{\"contact\":\"24h\"}");
        card("c-1", "contact", T0, "t-3");
        harness.processBothWatermarks(new Watermark(T0 + 2 * H));
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        card("c-2", "contact", T0 + H, "t-3");                 // a new customer uses the restored policy
        assertThat(lastStatus("c-2").dueAt).isEqualTo(T0 + 25 * H);
        policy("weijiang", 2, "\"sla\":{\"contact\":\"10h\"}"); // and re-timing reaches restored customers
        harness.processBothWatermarks(new Watermark(T0 + 100 * H));
        assertThat(alerts()).extracting(a -> a.customerId + "@" + (a.dueAt - T0) / H).containsExactly("c-1@10", "c-2@11");
        policy("weijiang", 2, "\"sla\":{\"contact\":\"10h\"}");
        assertThat(deadLetters()).isEmpty(); // the restored state knows version 2 is current
    }

    // --- helpers ---

    private static KeyedTwoInputStreamOperatorTestHarness<String, CustomerEvent, PolicyUpdate, Alert> newHarness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new OverdueDetector(StageSla.defaults(), Duration.ofDays(30), ZoneId.of("Asia/Shanghai")),
                CustomerEvent::key, (PolicyUpdate u) -> "", Types.STRING);
        ((org.apache.flink.api.common.serialization.SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig())
                .setGenericTypes(false);
        return h;
    }

    private void policy(String scope, long version, String fields) throws Exception {
        harness.processElement2(new StreamRecord<>(update(scope, version, fields)));
    }

    /** A policy record of {@code sales.policies} with the given fields. */
    static PolicyUpdate update(String scope, long version, String fields) {
        PolicyUpdate u = new PolicyUpdate();
        u.scope = scope;
        u.value = ("{\"version\":" + version + ",\"updated_at\":\"2026-03-03T09:00:00+08:00\",\"updated_by\":\"u-chen\","
                + fields + "}").getBytes(StandardCharsets.UTF_8);
        u.topic = "sales.policies";
        u.publishedAt = T0;
        return u;
    }

    private void tombstone(String scope) throws Exception {
        send(scope, null);
    }

    private void send(String scope, String value) throws Exception {
        PolicyUpdate u = new PolicyUpdate();
        u.scope = scope;
        u.value = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        u.topic = "sales.policies";
        u.offset = offset++;
        u.publishedAt = T0;
        harness.processElement2(new StreamRecord<>(u));
    }

    private void card(String customer, String stage, long at, String team) throws Exception {
        process(newCard(customer, stage, at, team));
    }

    private void process(StageEvent e) throws Exception {
        harness.processElement1(new StreamRecord<>(CustomerEvent.of(e), e.occurredAt));
    }

    private static StageEvent newCard(String customer, String stage, long at, String team) {
        StageEvent e = new StageEvent();
        e.eventId = "s-" + customer + "-" + stage + "-" + at;
        e.tenant = "weijiang";
        e.occurredAt = at;
        e.customerId = customer;
        e.repId = "r-017";
        e.region = "hz-west";
        e.team = team;
        e.stage = stage;
        if (stage.equals("needs")) e.need = "低糖烘焙";
        return e;
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    private <T> List<T> side(org.apache.flink.util.OutputTag<T> tag) {
        Queue<StreamRecord<T>> q = harness.getSideOutput(tag);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private List<PolicyChange> changes() {
        return side(OverdueDetector.POLICY_CHANGES);
    }

    private List<DeadLetter> deadLetters() {
        return side(OverdueDetector.POLICY_DEAD_LETTERS);
    }

    private CustomerStatus lastStatus(String customer) {
        List<CustomerStatus> rows = side(OverdueDetector.STATUS).stream()
                .filter(s -> s.customerId.equals(customer)).collect(Collectors.toList());
        return rows.get(rows.size() - 1);
    }
}

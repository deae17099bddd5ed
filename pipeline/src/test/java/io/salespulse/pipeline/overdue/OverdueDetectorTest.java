package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OverdueDetectorTest {
    private static final long H = 3_600_000L;
    /** 2026-01-12T10:05:00+08:00 */
    private static final long T0 = Instant.parse("2026-01-12T02:05:00Z").toEpochMilli();

    private KeyedTwoInputStreamOperatorTestHarness<String, CustomerEvent, PolicyUpdate, Alert> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new OverdueDetector(StageSla.defaults(), Duration.ofDays(30),
                        ZoneId.of("Asia/Shanghai")),
                CustomerEvent::key, policy -> "",
                Types.STRING);
        ((org.apache.flink.api.common.serialization.SerializerConfigImpl) harness.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void contactRegistersTimerAtSlaAndNextCardMovesIt() throws Exception {
        card("c-1", "contact", T0);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(lastStatus().status).isEqualTo("active");
        assertThat(lastStatus().dueAt).isEqualTo(T0 + 48 * H);

        card("c-1", "needs", T0 + 47 * H);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(lastStatus().stage).isEqualTo("needs");
        assertThat(lastStatus().dueAt).isEqualTo(T0 + 47 * H + 72 * H);

        // The contact SLA passes, but needs arrived in time: no alert.
        harness.processBothWatermarks(new Watermark(T0 + 50 * H));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void overdueAlertCarriesDeterministicIdAndReadableChinese() throws Exception {
        StageEvent c = card("c-00042", "contact", T0);
        c.highPotential = false;
        harness.processBothWatermarks(new Watermark(T0 + 48 * H - 1));
        assertThat(alerts()).isEmpty();

        harness.processBothWatermarks(new Watermark(T0 + 48 * H));
        List<Alert> alerts = alerts();
        assertThat(alerts).hasSize(1);
        Alert a = alerts.get(0);
        assertThat(a.alertId).isEqualTo("stage_overdue:weijiang:c-00042:contact:2026-01-14T02:05:00Z");
        assertThat(a.type).isEqualTo("stage_overdue");
        assertThat(a.severity).isEqualTo("normal");
        assertThat(a.stage).isEqualTo("contact");
        assertThat(a.repId).isEqualTo("r-017");
        assertThat(a.region).isEqualTo("hz-west");
        assertThat(a.team).isEqualTo("t-3");
        assertThat(a.dueAt).isEqualTo(T0 + 48 * H);
        assertThat(a.firedAt).isEqualTo(a.dueAt);
        assertThat(a.title).contains("c-00042").contains("客户接触").contains("待激活");
        assertThat(a.message).contains("r-017").contains("1月12日 10:05").contains("1月14日 10:05")
                .contains("48 小时").contains("需求确认");
        assertThat(a.suggestion).contains("r-017").contains("需求确认");
        assertThat(lastStatus().status).isEqualTo("overdue");
        // The timer fired; the state stays so a late card can bring the customer back.
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        // More watermarks do not fire it again.
        harness.processBothWatermarks(new Watermark(T0 + 500 * H));
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void highPotentialObjectionAlertIsHighSeverityWithTagAdvice() throws Exception {
        card("c-2", "contact", T0);
        StageEvent o = newCard("c-2", "objection", T0 + H);
        o.objectionTag = "price_high";
        o.highPotential = true;
        o.dealValue = 12000.0;
        process(o);
        harness.processBothWatermarks(new Watermark(T0 + H + 72 * H));
        Alert a = alerts().get(0);
        assertThat(a.severity).isEqualTo("high");
        assertThat(a.title).contains("高潜");
        assertThat(a.message).contains("¥12,000");
        assertThat(a.suggestion).contains("价格比竞品高").contains("陪同");
    }

    @Test
    void lateCardAfterAlertReturnsCustomerToActive() throws Exception {
        card("c-3", "contact", T0);
        harness.processBothWatermarks(new Watermark(T0 + 49 * H));
        assertThat(alerts()).hasSize(1);
        assertThat(lastStatus().status).isEqualTo("overdue");

        card("c-3", "needs", T0 + 60 * H);
        assertThat(lastStatus().status).isEqualTo("active");
        assertThat(lastStatus().stage).isEqualTo("needs");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void cardAfterDueRaisesTheMissedAlertEvenBeforeTheWatermarkGetsThere() throws Exception {
        // A backlog: the needs card (2 h late) arrives before any watermark passes the contact's due time.
        card("c-12", "contact", T0);
        card("c-12", "needs", T0 + 50 * H);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.stage).isEqualTo("contact");
            assertThat(a.dueAt).isEqualTo(T0 + 48 * H);
        });
        assertThat(lastStatus().status).isEqualTo("active");
        assertThat(lastStatus().stage).isEqualTo("needs");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        // When the watermark passes the old due time later, nothing fires twice.
        harness.processBothWatermarks(new Watermark(T0 + 60 * H));
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void outOfOrderAndDuplicateCardsNeverMoveCustomerBackwards() throws Exception {
        card("c-4", "proposal", T0 + 10 * H);
        int statusRows = statuses().size();

        card("c-4", "needs", T0 + 5 * H);          // an earlier stage, arriving late
        card("c-4", "contact", T0 + 20 * H);       // an earlier stage, even with a newer time
        card("c-4", "proposal", T0 + 10 * H);      // the same card again (duplicated event_id)
        card("c-4", "proposal", T0 + 9 * H);       // an older card of the current stage
        assertThat(statuses()).hasSize(statusRows);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processBothWatermarks(new Watermark(T0 + 10 * H + 120 * H));
        assertThat(alerts()).extracting(a -> a.stage).containsExactly("proposal");
    }

    @Test
    void repeatedObjectionRestartsTheClock() throws Exception {
        card("c-5", "objection", T0).objectionTag = "delivery_time";
        card("c-5", "objection", T0 + 70 * H);
        harness.processBothWatermarks(new Watermark(T0 + 100 * H));
        assertThat(alerts()).isEmpty();
        harness.processBothWatermarks(new Watermark(T0 + 142 * H));
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.dueAt).isEqualTo(T0 + 142 * H));
    }

    @Test
    void wonOrLostClearsAllStateAndTimers() throws Exception {
        card("c-6", "contact", T0);
        card("c-6", "proposal", T0 + H);
        StageEvent won = newCard("c-6", "closing", T0 + 2 * H);
        won.outcome = "won";
        process(won);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(lastStatus().status).isEqualTo("won");

        card("c-7", "needs", T0);
        harness.processBothWatermarks(new Watermark(T0 + 100 * H)); // c-7 goes overdue first
        StageEvent lost = newCard("c-7", "closing", T0 + 101 * H);
        lost.outcome = "lost";
        process(lost);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(lastStatus().status).isEqualTo("lost");
        harness.processBothWatermarks(new Watermark(T0 + 1000 * H));
        assertThat(alerts()).extracting(a -> a.customerId).containsExactly("c-7");
    }

    @Test
    void pendingClosingKeepsWatching() throws Exception {
        StageEvent pending = newCard("c-8", "closing", T0);
        pending.outcome = "pending";
        process(pending);
        harness.processBothWatermarks(new Watermark(T0 + 168 * H));
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.stage).isEqualTo("closing"));
    }

    @Test
    void visitsAreActivityButDoNotSatisfyTheSla() throws Exception {
        visit("c-9", T0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(statuses()).isEmpty();

        card("c-9", "contact", T0);
        visit("c-9", T0 + 10 * H);
        assertThat(lastStatus().lastEventAt).isEqualTo(T0 + 10 * H);
        harness.processBothWatermarks(new Watermark(T0 + 48 * H));
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void statusVersionsGrowWithEveryChange() throws Exception {
        card("c-10", "contact", T0);
        card("c-10", "needs", T0 + H);
        harness.processBothWatermarks(new Watermark(T0 + 100 * H));
        card("c-10", "proposal", T0 + 2 * H); // a late card: its time is older than the overdue change
        List<Long> versions = statuses().stream().map(s -> s.version).collect(Collectors.toList());
        assertThat(versions).isSorted().doesNotHaveDuplicates();
        assertThat(lastStatus().status).isEqualTo("active");
    }

    /**
     * Cards and visits come from different topics, so a replay after a restore may see them in another order.
     * The versions of the status changes must not depend on it: otherwise rows of the failed attempt, still in
     * ClickHouse, could outrank the replay's final status (found by the heavy crash-and-restore scenario).
     */
    @Test
    void visitsDoNotShiftTheVersionsOfStatusChanges() throws Exception {
        card("c-14", "contact", T0);
        visit("c-14", T0 + H);
        visit("c-14", T0 + 2 * H);
        card("c-14", "needs", T0 + 3 * H);
        StageEvent won = newCard("c-14", "closing", T0 + 4 * H);
        won.outcome = "won";
        process(won);
        List<CustomerStatus> visitsFirst = statuses();

        card("c-15", "contact", T0);
        card("c-15", "needs", T0 + 3 * H); // the same history, the visits behind the card this time
        visit("c-15", T0 + H);
        visit("c-15", T0 + 2 * H);
        StageEvent won2 = newCard("c-15", "closing", T0 + 4 * H);
        won2.outcome = "won";
        process(won2);
        List<CustomerStatus> cardsFirst = statuses().subList(visitsFirst.size(), statuses().size());

        CustomerStatus a = visitsFirst.get(visitsFirst.size() - 1);
        CustomerStatus b = cardsFirst.get(cardsFirst.size() - 1);
        assertThat(a.status).isEqualTo("won");
        assertThat(b.status).isEqualTo("won");
        assertThat(a.version).as("the close has the same version whatever the order").isEqualTo(b.version);
        long maxActiveVersion = visitsFirst.stream().filter(r -> r.status.equals("active")).mapToLong(r -> r.version)
                .max().orElseThrow();
        assertThat(maxActiveVersion).as("no row of either order outranks the close").isLessThan(b.version);
    }

    @Test
    void aNewOpportunityOutranksTheClosedOneWhateverTheTimes() throws Exception {
        card("c-13", "contact", T0);
        harness.processBothWatermarks(new Watermark(T0 + 48 * H)); // overdue, as of its due time
        StageEvent won = newCard("c-13", "closing", T0 + 47 * H);  // a late card: older than that due time
        won.outcome = "won";
        process(won);
        card("c-13", "contact", T0 + 47 * H + 30 * 60_000L);       // a new opportunity, still before it
        CustomerStatus latest = statuses().stream().max(java.util.Comparator.comparingLong(st -> st.version))
                .orElseThrow();
        assertThat(latest.status).isEqualTo("active");
        assertThat(latest.stage).isEqualTo("contact");
    }

    @Test
    void abandonedCustomerIsForgottenAfterStateTtl() throws Exception {
        harness.setStateTtlProcessingTime(0);
        card("c-11", "contact", T0);
        harness.processBothWatermarks(new Watermark(T0 + 48 * H)); // overdue, no timer left
        harness.setStateTtlProcessingTime(Duration.ofDays(31).toMillis());
        int before = statuses().size();
        visit("c-11", T0 + 800 * H);
        assertThat(statuses()).hasSize(before); // nothing open any more
    }

    // --- helpers ---

    private StageEvent card(String customer, String stage, long at) throws Exception {
        StageEvent e = newCard(customer, stage, at);
        process(e);
        return e;
    }

    private void process(StageEvent e) throws Exception {
        fillRequired(e);
        harness.processElement1(new StreamRecord<>(CustomerEvent.of(e), e.occurredAt));
    }

    private void visit(String customer, long at) throws Exception {
        VisitEvent v = new VisitEvent();
        v.eventId = "v-" + customer + "-" + at;
        v.tenant = "weijiang";
        v.occurredAt = at;
        v.repId = "r-017";
        v.customerId = customer;
        v.region = "hz-west";
        v.team = "t-3";
        v.channel = "store_scan";
        harness.processElement1(new StreamRecord<>(CustomerEvent.of(v), at));
    }

    private static StageEvent newCard(String customer, String stage, long at) {
        StageEvent e = new StageEvent();
        e.eventId = "s-" + customer + "-" + stage + "-" + at;
        e.tenant = "weijiang";
        e.occurredAt = at;
        e.customerId = customer;
        e.repId = "r-017";
        e.region = "hz-west";
        e.team = "t-3";
        e.stage = stage;
        return e;
    }

    private static void fillRequired(StageEvent e) {
        switch (e.stage) {
            case "needs": if (e.need == null) e.need = "low-sugar bakery"; break;
            case "proposal": if (e.proposal == null) e.proposal = "sku-lowsugar-01"; break;
            case "objection": if (e.objectionTag == null) e.objectionTag = "price_high"; break;
            case "closing": if (e.outcome == null) e.outcome = "pending"; break;
            default: break;
        }
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    private List<CustomerStatus> statuses() {
        ConcurrentLinkedQueue<StreamRecord<CustomerStatus>> q = harness.getSideOutput(OverdueDetector.STATUS);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private CustomerStatus lastStatus() {
        List<CustomerStatus> s = statuses();
        return s.get(s.size() - 1);
    }
}

package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.contract.VisitEvent;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedRetraction;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedStatus;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import io.salespulse.producers.simulator.OverdueOracle.ImportWindow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference model on small histories worked out by hand (default SLAs: contact 48 h, needs 72 h, ...). */
class OverdueOracleTest {
    private static final Instant T = Instant.parse("2026-03-02T02:00:00Z");
    private static final OverdueOracle NO_GRACE = new OverdueOracle(StageSla.defaults(), Duration.ZERO);

    private final List<Arrival> arrivals = new ArrayList<>();

    @Test
    void aCardInTimeGivesNoAlertAndALateOneGivesOneAtTheDueTime() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "needs", null, 47), 47);
        arrive(card("s3", "c1", "proposal", null, 47 + 80), 47 + 80); // needs due at 47 + 72 h

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(200)));

        ExpectedAlert needs = only(truth.alerts());
        assertThat(needs.alertId()).isEqualTo(AlertIds.stageOverdue("weijiang", "c1", "needs", T.plus(hours(119))));
        assertThat(needs.firedAt()).isEqualTo(T.plus(hours(119)));
        assertThat(needs.emittedAt()).isEqualTo(T.plus(hours(119)));
        assertThat(needs.origin()).isEqualTo("live");
        assertThat(truth.retractions()).isEmpty();
        // The proposal (due at 127 + 120 h) is overdue by 250 h too.
        assertThat(NO_GRACE.run(arrivals, T.plus(hours(250))).customers())
                .containsExactly(new ExpectedStatus("weijiang", "c1", "proposal", "overdue"));
    }

    @Test
    void aRetryAfterTheCloseChangesNothing() {
        StageEvent contact = card("s1", "c1", "contact", null, 0);
        StageEvent needs = card("s2", "c1", "needs", null, 5);
        arrive(contact, 0);
        arrive(needs, 5);
        arrive(card("s3", "c1", "closing", "won", 30), 30);
        ExpectedOutcomes without = NO_GRACE.run(arrivals, T.plus(hours(24 * 30)));

        arrive(needs, 24 * 20); // the app sends the needs card again three weeks later: same event_id
        arrive(contact, 24 * 21);
        ExpectedOutcomes with = NO_GRACE.run(arrivals, T.plus(hours(24 * 30)));

        assertThat(with).isEqualTo(without);
        assertThat(with.alerts()).isEmpty();
        assertThat(with.customers()).containsExactly(new ExpectedStatus("weijiang", "c1", "closing", "won"));
        assertThat(with.distinctEventIds()).containsEntry("stage_cards", 3L);
    }

    @Test
    void anOfflineCardThatOccurredBeforeTheDueRetractsTheAlert() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "needs", null, 47), 50); // queued on the phone, uploaded 2 h after the due time

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(100)));

        String id = AlertIds.stageOverdue("weijiang", "c1", "contact", T.plus(hours(48)));
        assertThat(only(truth.alerts()).alertId()).isEqualTo(id);
        assertThat(only(truth.alerts()).emittedAt()).isEqualTo(T.plus(hours(48)));
        assertThat(truth.retractions()).containsExactly(
                new ExpectedRetraction(id, "retraction:" + id, T.plus(hours(50))));
        assertThat(truth.standingAlerts()).isEmpty();
        assertThat(truth.customers()).containsExactly(new ExpectedStatus("weijiang", "c1", "needs", "active"));
    }

    @Test
    void aGraceLongerThanTheUploadDelayAbsorbsIt() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "needs", null, 47), 50);

        ExpectedOutcomes threeHours = new OverdueOracle(StageSla.defaults(), hours(3)).run(arrivals, T.plus(hours(100)));
        assertThat(threeHours.alerts()).isEmpty();
        assertThat(threeHours.retractions()).isEmpty();

        ExpectedOutcomes oneHour = new OverdueOracle(StageSla.defaults(), hours(1)).run(arrivals, T.plus(hours(100)));
        ExpectedAlert alert = only(oneHour.alerts());
        assertThat(alert.dueAt()).isEqualTo(T.plus(hours(48)));
        assertThat(alert.firedAt()).isEqualTo(T.plus(hours(49)));
        assertThat(alert.emittedAt()).isEqualTo(T.plus(hours(49)));
        assertThat(only(oneHour.retractions()).retractedAt()).isEqualTo(T.plus(hours(50)));
    }

    @Test
    void aGapFoundLateIsEmittedWhenTheCardArrivesWithTheFiredAtOfItsDue() {
        // needs comes 80 h after contact, but is uploaded only at 100 h: contact's alert at 48 h stands.
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "needs", null, 80), 100);

        ExpectedOutcomes truth = new OverdueOracle(StageSla.defaults(), hours(1)).run(arrivals, T.plus(hours(150)));

        assertThat(only(truth.alerts()).emittedAt()).isEqualTo(T.plus(hours(49)));
        assertThat(truth.retractions()).isEmpty();
        assertThat(truth.pending()).extracting(ExpectedAlert::stage).containsExactly("needs");
        assertThat(only(truth.pending()).firedAt()).isEqualTo(T.plus(hours(80 + 72 + 1)));
    }

    @Test
    void outOfOrderArrivalRewritesTheWalk() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s3", "c1", "proposal", null, 90), 90);
        arrive(card("s2", "c1", "needs", null, 10), 100); // happened before the proposal, arrives after it

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(150)));

        String contact = AlertIds.stageOverdue("weijiang", "c1", "contact", T.plus(hours(48)));
        String needs = AlertIds.stageOverdue("weijiang", "c1", "needs", T.plus(hours(82)));
        assertThat(truth.alertIds()).containsExactlyInAnyOrder(contact, needs);
        // Until the needs card arrives the contact looks unanswered; then the needs entry (due at 82 h, next card
        // at 90 h) is the gap, emitted on arrival with its own fired_at.
        assertThat(alert(truth, contact).emittedAt()).isEqualTo(T.plus(hours(48)));
        assertThat(only(truth.retractions()).alertId()).isEqualTo(contact);
        assertThat(only(truth.retractions()).retractedAt()).isEqualTo(T.plus(hours(100)));
        assertThat(alert(truth, needs).emittedAt()).isEqualTo(T.plus(hours(100)));
        assertThat(alert(truth, needs).firedAt()).isEqualTo(T.plus(hours(82)));
        assertThat(truth.customers()).containsExactly(new ExpectedStatus("weijiang", "c1", "proposal", "active"));
    }

    @Test
    void anEarlierStageCardIsIgnoredByTheWalk() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "proposal", null, 5), 5);
        arrive(card("s3", "c1", "needs", null, 6), 6); // a lower stage after the proposal: no entry, no due

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(200)));

        assertThat(truth.alertIds()).containsExactly(
                AlertIds.stageOverdue("weijiang", "c1", "proposal", T.plus(hours(125))));
        assertThat(truth.customers()).containsExactly(new ExpectedStatus("weijiang", "c1", "proposal", "overdue"));
    }

    @Test
    void theSameEventIdTwiceCountsOnceAndTheFirstArrivalWins() {
        StageEvent contact = card("s1", "c1", "contact", null, 0);
        StageEvent needs = card("s2", "c1", "needs", null, 47);
        arrive(contact, 0);
        arrive(contact, 0); // a duplicate, same instant
        arrive(needs, 47);
        arrive(needs, 60); // a retry after the due time must not look like a late card
        arrivals.add(Arrival.visit(visit("v1", "c1", 0), T));
        arrivals.add(Arrival.visit(visit("v1", "c1", 0), T.plus(hours(1))));

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(100)));

        assertThat(truth.alerts()).isEmpty();
        assertThat(truth.distinctEventIds()).containsEntry("stage_cards", 2L).containsEntry("visits", 1L)
                .containsEntry("acks", 0L);
    }

    @Test
    void repeatedObjectionsAndPendingClosingsMoveTheCustomerOnButNotAtTheSameInstant() {
        arrive(card("s1", "c1", "objection", null, 0), 0);
        arrive(card("s2", "c1", "objection", null, 70), 70); // answers the first (due 72 h), due at 142 h
        arrive(card("s3", "c1", "objection", null, 70), 70); // same instant: ignored
        arrive(card("s4", "c1", "closing", "pending", 150), 150);

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(200)));

        assertThat(truth.alertIds()).containsExactly(
                AlertIds.stageOverdue("weijiang", "c1", "objection", T.plus(hours(142))));
    }

    @Test
    void aNextCardExactlyAtTheDueTimeIsInTime() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "needs", null, 48), 48);

        assertThat(NO_GRACE.run(arrivals, T.plus(hours(100))).alerts()).isEmpty();
    }

    @Test
    void aWonClosingEndsTheOpportunityAndALaterContactStartsANewOne() {
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(card("s2", "c1", "closing", "won", 10), 10);
        arrive(card("s3", "c1", "contact", null, 100), 100);
        arrive(card("s4", "c1", "needs", null, 99), 101); // before the new contact: a card of no opportunity's walk

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, T.plus(hours(200)));

        // The needs card at 99 h opens the second opportunity (first card after the close); the contact at
        // 100 h ranks lower and is ignored.
        assertThat(truth.alertIds()).containsExactly(
                AlertIds.stageOverdue("weijiang", "c1", "needs", T.plus(hours(99 + 72))));
    }

    @Test
    void anImportGivesNoRetractionAndMarksOldAlertsAsHistory() {
        Instant opened = T.plus(hours(300));
        Instant completed = T.plus(hours(302));
        ImportWindow window = new ImportWindow("weijiang", "imp-1", opened, completed);
        // c1: contact only, long ago: its alert fired 254 h before the import completed.
        arrive(imported(card("s1", "c1", "contact", null, 0), "imp-1"), 301);
        // c2: contact 60 h before completion: due 12 h before it, within a day: live.
        arrive(imported(card("s2", "c2", "contact", null, 242), "imp-1"), 301);
        // c3: a card in the same import answers the contact in time: no contact alert, not even briefly (the
        // needs card itself is then never answered: an old gap).
        arrive(imported(card("s3", "c3", "contact", null, 0), "imp-1"), 300);
        arrive(imported(card("s4", "c3", "needs", null, 47), "imp-1"), 302);
        // c4: a live card of an imported customer arriving while it is held: decided at completion.
        arrive(imported(card("s5", "c4", "contact", null, 200), "imp-1"), 300);
        arrive(card("s6", "c4", "needs", null, 301), 301);

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, List.of(window), T.plus(hours(350)));

        assertThat(truth.retractions()).isEmpty();
        assertThat(truth.alerts()).allSatisfy(a -> assertThat(a.emittedAt()).isEqualTo(completed));
        assertThat(truth.alerts()).extracting(ExpectedAlert::customerId, ExpectedAlert::stage, ExpectedAlert::origin)
                .containsExactly(
                        tuple("c1", "contact", "history"),
                        tuple("c2", "contact", "live"),
                        tuple("c3", "needs", "history"),
                        tuple("c4", "contact", "history"));
    }

    @Test
    void anAlertRaisedBeforeAnImportIsRetractedWhenTheImportCompletes() {
        // Our reading of "nothing is retracted within an import": what the import decides is decided once, at
        // its completion; an alert emitted live before the import opened is still withdrawn if the import
        // proves it wrong.
        ImportWindow window = new ImportWindow("weijiang", "imp-1", T.plus(hours(60)), T.plus(hours(61)));
        arrive(card("s1", "c1", "contact", null, 0), 0);
        arrive(imported(card("s2", "c1", "needs", null, 40), "imp-1"), 60);

        ExpectedOutcomes truth = NO_GRACE.run(arrivals, List.of(window), T.plus(hours(100)));

        assertThat(only(truth.alerts()).emittedAt()).isEqualTo(T.plus(hours(48)));
        assertThat(only(truth.retractions()).retractedAt()).isEqualTo(T.plus(hours(61)));
    }

    @Test
    void aRecordOfAnUnknownImportIsRefused() {
        arrive(imported(card("s1", "c1", "contact", null, 0), "nope"), 0);
        assertThatThrownBy(() -> NO_GRACE.run(arrivals, T.plus(hours(10))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void recordsAreReadWithTheContractsParser() {
        byte[] card = ("{\"event_id\":\"s-1\",\"tenant\":\"weijiang\",\"occurred_at\":\"2026-03-02T10:00:00+08:00\","
                + "\"customer_id\":\"c1\",\"rep_id\":\"r-001\",\"region\":\"hz-west\",\"team\":\"t-1\","
                + "\"stage\":\"contact\"}").getBytes(StandardCharsets.UTF_8);
        Arrival a = Arrival.parse(Topics.STAGES, card, T);
        assertThat(a.kind()).isEqualTo(OverdueOracle.Kind.STAGE_CARD);
        assertThat(a.card().occurredAt).isEqualTo(T.toEpochMilli());
        assertThat(Arrival.parse(Topics.STAGES, "<html>502</html>".getBytes(StandardCharsets.UTF_8), T)).isNull();
        // occurred_at more than an hour after the arrival: a device clock ahead, a dead letter.
        assertThat(Arrival.parse(Topics.STAGES, card, T.minus(hours(2)))).isNull();
        AckEvent ack = new AckEvent();
        ack.eventId = "a-1";
        ack.tenant = "weijiang";
        assertThat(Arrival.ack(ack, T).customerId()).isNull();
    }

    private void arrive(StageEvent card, long atHours) {
        arrivals.add(Arrival.card(card, T.plus(hours(atHours))));
    }

    private static StageEvent card(String id, String customer, String stage, String outcome, long atHours) {
        StageEvent e = new StageEvent();
        e.eventId = id;
        e.tenant = "weijiang";
        e.customerId = customer;
        e.repId = "r-001";
        e.region = "hz-west";
        e.team = "t-1";
        e.stage = stage;
        e.outcome = outcome;
        e.occurredAt = T.plus(hours(atHours)).toEpochMilli();
        return e;
    }

    private static StageEvent imported(StageEvent card, String importId) {
        card.importId = importId;
        return card;
    }

    private static VisitEvent visit(String id, String customer, long atHours) {
        VisitEvent v = new VisitEvent();
        v.eventId = id;
        v.tenant = "weijiang";
        v.customerId = customer;
        v.channel = "phone";
        v.occurredAt = T.plus(hours(atHours)).toEpochMilli();
        return v;
    }

    private static Duration hours(long h) {
        return Duration.ofHours(h);
    }

    private static <X> X only(List<X> list) {
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    private static ExpectedAlert alert(ExpectedOutcomes truth, String id) {
        return truth.alerts().stream().filter(a -> a.alertId().equals(id)).findFirst().orElseThrow();
    }
}

package io.salespulse.pipeline.overdue;

import io.salespulse.contract.Stage;

/**
 * Savepoints of versions before timelines hold one open opportunity per customer ({@link CustomerState}); the
 * detector turns it into a one-card timeline the first time the customer is touched after the upgrade. The
 * card that opened the current stage stands for the opportunity (its earlier cards were not kept); an alert
 * already raised is remembered, so it is not raised again. The old timer at the due time still fires and
 * finds the converted customer.
 */
final class FormerState {
    private FormerState() {}

    static CustomerTimeline convert(CustomerState s) {
        Stage stage = Stage.fromCode(s.stage).orElseThrow();
        CardFact c = new CardFact();
        c.idHash = OverdueDetector.idHash("restored:" + s.customerId + ":" + s.stageEnteredAt);
        c.at = s.stageEnteredAt;
        c.arrivedAt = s.lastEventAt;
        c.rank = stage.rank();
        c.outcome = stage == Stage.CLOSING ? "pending" : null;
        c.highPotential = s.highPotential;
        c.dealValue = s.dealValue;
        c.objectionTag = s.objectionTag;
        c.repId = s.repId;
        c.region = s.region;
        c.team = s.team;
        c.dueAt = s.dueAt;
        c.slaMillis = s.slaMillis > 0 ? s.slaMillis : s.dueAt - s.stageEnteredAt;
        c.workingTime = s.workingTime;

        CustomerTimeline t = new CustomerTimeline();
        t.tenant = s.tenant;
        t.customerId = s.customerId;
        t.cards = new CardFact[] {c};
        t.cardsSeen = 1;
        t.lastEventAt = s.lastEventAt;
        t.lastArrivalAt = s.lastEventAt;
        if (OverdueDetector.OVERDUE.equals(s.status)) {
            AlertFact f = new AlertFact();
            f.entryIdHash = c.idHash;
            f.stage = s.stage;
            f.dueAt = s.dueAt;
            f.firedAt = s.dueAt;
            f.sent = true;
            f.high = s.highPotential;
            t.alerts = new AlertFact[] {f};
        } else {
            t.timerAt = s.dueAt; // the timer the former version registered
        }
        return t;
    }
}

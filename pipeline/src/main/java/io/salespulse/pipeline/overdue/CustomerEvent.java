package io.salespulse.pipeline.overdue;

import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;

/**
 * What the detector hears about a customer: a stage card or a visit (exactly one is set). Cards and
 * visits travel as one keyed stream so that the detector's second input is free for policies.
 */
public class CustomerEvent {
    public StageEvent card;
    public VisitEvent visit;

    public CustomerEvent() {}

    public static CustomerEvent of(StageEvent card) {
        CustomerEvent e = new CustomerEvent();
        e.card = card;
        return e;
    }

    public static CustomerEvent of(VisitEvent visit) {
        CustomerEvent e = new CustomerEvent();
        e.visit = visit;
        return e;
    }

    /** {@link OverdueDetector#key} of the customer. */
    public String key() {
        return card != null ? OverdueDetector.key(card.tenant, card.customerId)
                : OverdueDetector.key(visit.tenant, visit.customerId);
    }

    public long occurredAt() {
        return card != null ? card.occurredAt : visit.occurredAt;
    }
}

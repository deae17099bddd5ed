package io.salespulse.pipeline.overdue;

import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the detector hears about a customer: a stage card or a visit (exactly one is set). Cards and
 * visits travel as one keyed stream so that the detector's second input is free for policies.
 *
 * <p>Only what the detector reads crosses the network to it: a card without its free texts ({@code need},
 * {@code proposal}, {@code script_id}), a visit as tenant, customer and time. The whole events go to
 * ClickHouse from the router, before the shuffle. New objects, never the router's: with object reuse on,
 * those are shared with the ClickHouse sinks. {@link CustomerEventSerializer} writes exactly the fields {@code of}
 * keeps: a field added here must be added there ({@code CustomerEventSerializerTest} fails until it is).
 */
@TypeInfo(CustomerEventTypeInfo.Factory.class)
public class CustomerEvent {
    public StageEvent card;
    public VisitEvent visit;

    public CustomerEvent() {}

    public static CustomerEvent of(StageEvent card) {
        StageEvent c = new StageEvent();
        c.eventId = card.eventId;
        c.tenant = card.tenant;
        c.occurredAt = card.occurredAt;
        c.customerId = card.customerId;
        c.repId = card.repId;
        c.region = card.region;
        c.team = card.team;
        c.stage = card.stage;
        c.objectionTag = card.objectionTag;
        c.outcome = card.outcome;
        c.highPotential = card.highPotential;
        c.dealValue = card.dealValue;
        c.importId = card.importId;
        CustomerEvent e = new CustomerEvent();
        e.card = c;
        return e;
    }

    public static CustomerEvent of(VisitEvent visit) {
        VisitEvent v = new VisitEvent();
        v.tenant = visit.tenant;
        v.customerId = visit.customerId;
        v.occurredAt = visit.occurredAt;
        CustomerEvent e = new CustomerEvent();
        e.visit = v;
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

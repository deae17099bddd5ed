package io.salespulse.producers.simulator;

import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Stage;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import java.time.Instant;

/** A valid event of the simulated history, before it gets its event_id and its JSON. */
sealed interface SimulatedEvent {

    Instant occurredAt();

    /** A check-in; {@code store} only for {@code store_scan}. */
    record Visit(Instant occurredAt, Customer customer, String channel, boolean atStore, double lat, double lon)
            implements SimulatedEvent {}

    /** A stage card; exactly the stage's required field is set (need, proposal, objection tag or outcome). */
    record StageCard(Instant occurredAt, Customer customer, Stage stage, String need, String proposal,
            ObjectionTag objectionTag, String scriptId, String outcome) implements SimulatedEvent {

        /** Whether this card ends the opportunity (closing won or lost): no next card is expected. */
        boolean closesOpportunity() {
            return stage == Stage.CLOSING && !"pending".equals(outcome);
        }
    }

    /** A responder acting on an expected {@code stage_overdue} alert. */
    record Ack(Instant occurredAt, String alertId, String responder, String action) implements SimulatedEvent {}
}

package io.salespulse.producers.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SimulatedEvent.Ack;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import io.salespulse.producers.simulator.SimulatedEvent.Visit;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The contract's JSON for each event (docs/contract.md): snake_case, times as ISO-8601 with +08:00. */
final class EventJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter LOCAL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.ofHours(8));

    private EventJson() {}

    static String time(Instant t) {
        return LOCAL_TIME.format(t);
    }

    static ObjectNode visit(String eventId, String tenant, Visit v) {
        ObjectNode n = header(eventId, tenant, v.occurredAt());
        Customer c = v.customer();
        n.put("rep_id", c.rep().id());
        n.put("customer_id", c.id());
        if (v.atStore()) {
            n.put("store_id", c.store().id());
        }
        n.put("region", c.rep().team().region().code());
        n.put("team", c.rep().team().id());
        n.put("channel", v.channel());
        if (v.atStore()) {
            n.put("lat", v.lat());
            n.put("lon", v.lon());
            n.put("photo", "oss://salespulse-demo/visits/" + eventId + ".jpg");
        }
        return n;
    }

    static ObjectNode stageCard(String eventId, String tenant, StageCard s) {
        ObjectNode n = header(eventId, tenant, s.occurredAt());
        Customer c = s.customer();
        n.put("customer_id", c.id());
        n.put("rep_id", c.rep().id());
        n.put("region", c.rep().team().region().code());
        n.put("team", c.rep().team().id());
        n.put("stage", s.stage().code());
        switch (s.stage()) {
            case NEEDS -> n.put("need", s.need());
            case PROPOSAL -> n.put("proposal", s.proposal());
            case OBJECTION -> {
                n.put("objection_tag", s.objectionTag().code());
                n.put("script_id", s.scriptId()); // null when the rep quoted no answer card
            }
            case CLOSING -> n.put("outcome", s.outcome());
            case CONTACT -> { }
        }
        n.put("high_potential", c.highPotential());
        if (c.dealValue() != null) {
            n.put("deal_value", c.dealValue());
        }
        return n;
    }

    static ObjectNode ack(String eventId, String tenant, Ack a) {
        ObjectNode n = header(eventId, tenant, a.occurredAt());
        n.put("alert_id", a.alertId());
        n.put("responder", a.responder());
        n.put("action", a.action());
        return n;
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + n, e);
        }
    }

    private static ObjectNode header(String eventId, String tenant, Instant occurredAt) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("event_id", eventId);
        n.put("tenant", tenant);
        n.put("occurred_at", time(occurredAt));
        return n;
    }
}

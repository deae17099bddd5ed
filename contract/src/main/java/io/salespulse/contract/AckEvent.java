package io.salespulse.contract;

/** A responder acted on an alert ({@code sales.acks}). Flink POJO; times in epoch ms UTC. */
public class AckEvent {
    public String eventId;
    public String tenant;
    public long occurredAt;
    public String alertId;
    public String responder;
    /** {@code ack} (seen, owner assigned) or {@code resolve} (done). */
    public String action;
    /** The history import this record belongs to ({@code import_id}), null for live records. */
    public String importId;

    public AckEvent() {}

    @Override
    public String toString() {
        return "AckEvent{" + eventId + " " + alertId + " " + action + " by " + responder + "}";
    }
}

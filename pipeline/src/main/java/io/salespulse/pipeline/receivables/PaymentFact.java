package io.salespulse.pipeline.receivables;

/** A payment against the watched invoice, as kept in state (Flink POJO): enough to sum by time and spot a retry. */
public class PaymentFact {
    public String eventId;
    /** When the money was received (epoch ms). */
    public long occurredAt;
    public double amount;

    public PaymentFact() {}

    PaymentFact(String eventId, long occurredAt, double amount) {
        this.eventId = eventId;
        this.occurredAt = occurredAt;
        this.amount = amount;
    }
}

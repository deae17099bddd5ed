package io.salespulse.pipeline.receivables;

/**
 * What {@link ReceivablesWatch} keeps about one invoice (Flink POJO in RocksDB, key tenant + invoice_id): the
 * invoice once it has arrived, every payment against it (also those that arrive before the invoice), and what was
 * decided. Cleared {@code state.ttl} (arrival time) after the last record of the invoice or after its due time
 * plus grace, whichever is later.
 */
public class Receivable {
    public String tenant;
    public String invoiceId;
    /** The invoice's event_id; null while only payments have arrived. The first invoice of an id counts. */
    public String invoiceEventId;
    public String contractId;
    public String customerId;
    public String repId;
    public String region;
    public String team;
    public double amount;
    /** Epoch ms. */
    public long dueAt;
    /** The invoice's import_id, null when it was sent live. */
    public String importId;
    public PaymentFact[] payments = new PaymentFact[0];
    /** The due time plus grace has passed and the paid amount by then was checked. */
    public boolean decided;
    /** The alert's fired_at (due + grace) when one was raised, else 0. */
    public long alertFiredAt;
    public boolean alertHistory;
    public boolean retracted;
    /** Newest arrival time of a record of this invoice: the state is forgotten {@code state.ttl} after it. */
    public long lastArrivalAt;
    /** The registered event-time timer, 0 when none. */
    public long timerAt;

    public Receivable() {}

    boolean hasInvoice() {
        return invoiceEventId != null;
    }

    /** Sum of the payments received at or before {@code at}. */
    double paidBy(long at) {
        double sum = 0;
        for (PaymentFact p : payments) {
            if (p.occurredAt <= at) {
                sum += p.amount;
            }
        }
        return sum;
    }

    double paid() {
        return paidBy(Long.MAX_VALUE);
    }
}

package io.salespulse.contract;

/**
 * A record of {@code sales.cash}, validated: one step of lead to cash, a signed {@code contract}, an
 * {@code invoice} issued on it, or a {@code payment} received against an invoice ({@link #kind}). Flink POJO;
 * times in epoch ms UTC. Fields a kind does not carry are null (texts), 0 (numbers) or empty ({@link #schedule}).
 */
public class CashEvent {
    public static final String CONTRACT = "contract";
    public static final String INVOICE = "invoice";
    public static final String PAYMENT = "payment";

    public String eventId;
    public String tenant;
    /** Contract: when it was signed; invoice: when it was issued; payment: when the money was received. */
    public long occurredAt;
    /** {@link #CONTRACT}, {@link #INVOICE} or {@link #PAYMENT}. */
    public String kind;
    public String contractId;
    public String customerId;
    public String repId;
    public String region;
    public String team;
    /** CNY, finite and above 0: the contract's value, the invoice's amount, or the amount paid. */
    public double amount;
    /** Contract only: days from an invoice to its due date (0..365, default 30). */
    public int termsDays;
    /** Contract only: the planned invoices; their amounts sum to {@link #amount}. One on the signing day by default. */
    public Installment[] schedule = new Installment[0];
    /** Invoice and payment: the invoice. */
    public String invoiceId;
    /** Invoice only: when it is due (epoch ms), not before {@link #occurredAt}. */
    public long dueAt;
    /** The history import this record belongs to ({@code import_id}), null for live records. */
    public String importId;

    public CashEvent() {}

    /** One planned invoice of a contract's {@code schedule}. */
    public static class Installment {
        /** {@code YYYY-MM-DD}, the day the invoice is planned. */
        public String invoiceOn;
        public double amount;

        public Installment() {}

        public Installment(String invoiceOn, double amount) {
            this.invoiceOn = invoiceOn;
            this.amount = amount;
        }
    }

    public boolean isContract() {
        return CONTRACT.equals(kind);
    }

    public boolean isInvoice() {
        return INVOICE.equals(kind);
    }

    public boolean isPayment() {
        return PAYMENT.equals(kind);
    }

    @Override
    public String toString() {
        return "CashEvent{" + eventId + " " + kind + " " + tenant + "/" + contractId
                + (invoiceId == null ? "" : "/" + invoiceId) + " " + amount + " @" + occurredAt + "}";
    }
}

package io.salespulse.cli.cash;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * What a tenant's cash forecast is made from, as known at one moment: signed contracts, issued invoices, received
 * payments and the sales process's opportunities. The CLI reads it from ClickHouse ({@code CashCommand}); the
 * evaluation builds it from a simulated history cut at a date.
 */
public record CashBook(List<Contract> contracts, List<Invoice> invoices, List<Payment> payments,
        List<Opportunity> opportunities) {

    public CashBook {
        contracts = List.copyOf(contracts);
        invoices = List.copyOf(invoices);
        payments = List.copyOf(payments);
        opportunities = List.copyOf(opportunities);
    }

    /** A contract's planned invoice: on a day, for an amount. */
    public record Installment(LocalDate invoiceOn, double amount) {}

    /** A signed contract; {@code schedule} empty means one invoice for the whole amount on the signing day. */
    public record Contract(String contractId, String customerId, String region, Instant signedAt, double amount,
            int termsDays, List<Installment> schedule) {
        public Contract {
            schedule = List.copyOf(schedule);
        }
    }

    public record Invoice(String invoiceId, String contractId, String region, Instant issuedAt, Instant dueAt,
            double amount) {}

    public record Payment(String invoiceId, String contractId, Instant receivedAt, double amount) {}

    /**
     * One customer's run through the stages, from its first card to a closing with an outcome (or to now while open).
     * {@code reached} holds the first time of each stage reached in this run, in stage order (contact .. closing);
     * {@code wonAt} / {@code lostAt} the closing; {@code dealValue} the last value a card gave, or null.
     */
    public record Opportunity(String customerId, String region, List<Instant> reached, Instant wonAt, Instant lostAt,
            Double dealValue) {
        public Opportunity {
            reached = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(reached));
        }

        public boolean open() {
            return wonAt == null && lostAt == null;
        }

        /** The index of the latest stage reached (0 = contact), or -1 when none. */
        public int currentStage() {
            for (int s = reached.size() - 1; s >= 0; s--) {
                if (reached.get(s) != null) {
                    return s;
                }
            }
            return -1;
        }
    }
}

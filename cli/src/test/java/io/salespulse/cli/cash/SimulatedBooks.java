package io.salespulse.cli.cash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salespulse.cli.cash.CashBook.Contract;
import io.salespulse.cli.cash.CashBook.Installment;
import io.salespulse.cli.cash.CashBook.Invoice;
import io.salespulse.cli.cash.CashBook.Payment;
import io.salespulse.contract.Stage;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A simulated history as the forecast sees it: the cards and the cash records the simulator sent (malformed records
 * and retried copies dropped, as the monitor job drops them), readable as of any moment.
 */
final class SimulatedBooks {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Card(String customerId, String region, Stage stage, String outcome, Double dealValue, Instant at) {}

    final List<Card> cards = new ArrayList<>();
    final List<Contract> contracts = new ArrayList<>();
    final List<Invoice> invoices = new ArrayList<>();
    final List<Payment> payments = new ArrayList<>();

    static SimulatedBooks of(List<SentRecord> records) {
        SimulatedBooks b = new SimulatedBooks();
        Set<String> seen = new HashSet<>();
        for (SentRecord r : records) {
            if (!r.topic().equals(Topics.STAGES) && !r.topic().equals(Topics.CASH)) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(r.value());
            } catch (IOException e) {
                continue;
            }
            if (n == null || !n.isObject() || !seen.add(n.path("tenant").asText() + "|" + n.path("event_id").asText())) {
                continue;
            }
            try {
                b.add(r.topic(), n);
            } catch (RuntimeException e) {
                // a malformed record the job would dead-letter
            }
        }
        b.cards.sort(Comparator.comparing(Card::customerId).thenComparing(Card::at));
        return b;
    }

    private void add(String topic, JsonNode n) {
        Instant at = OffsetDateTime.parse(n.get("occurred_at").asText()).toInstant();
        if (topic.equals(Topics.STAGES)) {
            Stage stage = Stage.fromCode(n.get("stage").asText()).orElseThrow();
            cards.add(new Card(n.get("customer_id").asText(), n.get("region").asText(), stage,
                    n.path("outcome").asText(""), n.hasNonNull("deal_value") ? n.get("deal_value").asDouble() : null, at));
            return;
        }
        String region = n.get("region").asText();
        switch (n.get("kind").asText()) {
            case "contract" -> {
                List<Installment> schedule = new ArrayList<>();
                for (JsonNode i : n.path("schedule")) {
                    schedule.add(new Installment(LocalDate.parse(i.get("invoice_on").asText()), i.get("amount").asDouble()));
                }
                contracts.add(new Contract(n.get("contract_id").asText(), n.get("customer_id").asText(), region, at,
                        n.get("amount").asDouble(), n.path("terms_days").asInt(30), schedule));
            }
            case "invoice" -> invoices.add(new Invoice(n.get("invoice_id").asText(), n.get("contract_id").asText(), region,
                    at, OffsetDateTime.parse(n.get("due_at").asText()).toInstant(), n.get("amount").asDouble()));
            case "payment" -> payments.add(new Payment(n.get("invoice_id").asText(), n.get("contract_id").asText(), at,
                    n.get("amount").asDouble()));
            default -> throw new IllegalArgumentException("kind");
        }
    }

    /** What was known at {@code asOf}: records that occurred by then (the forecast also filters; runs need the cut). */
    CashBook asOf(Instant asOf) {
        StageRuns runs = new StageRuns();
        for (Card c : cards) {
            if (!c.at().isAfter(asOf)) {
                runs.card(c.customerId(), c.region(), c.stage(), c.outcome(), c.dealValue(), c.at());
            }
        }
        return new CashBook(contracts.stream().filter(c -> !c.signedAt().isAfter(asOf)).toList(),
                invoices.stream().filter(i -> !i.issuedAt().isAfter(asOf)).toList(),
                payments.stream().filter(p -> !p.receivedAt().isAfter(asOf)).toList(), runs.finish());
    }

    /** The money received in {@code (from, to]}, per region or all ({@code region} empty). */
    double collected(String region, Instant from, Instant to) {
        double s = 0;
        for (Payment p : payments) {
            if (p.receivedAt().isAfter(from) && !p.receivedAt().isAfter(to)
                    && (region.isEmpty() || regionOf(p).equals(region))) {
                s += p.amount();
            }
        }
        return s;
    }

    /**
     * The same money split by what was known of it at {@code asOf}: its invoice was issued (0), its contract signed (1),
     * or neither (2: an opportunity open then, or a customer not contacted yet).
     */
    double[] collectedBySource(String region, Instant asOf, Instant from, Instant to) {
        if (invoiceIssued == null) {
            invoiceIssued = new java.util.HashMap<>();
            for (Invoice i : invoices) {
                invoiceIssued.put(i.invoiceId(), i.issuedAt());
            }
            contractSigned = new java.util.HashMap<>();
            for (Contract c : contracts) {
                contractSigned.put(c.contractId(), c.signedAt());
            }
        }
        double[] out = new double[3];
        for (Payment p : payments) {
            if (p.receivedAt().isAfter(from) && !p.receivedAt().isAfter(to)
                    && (region.isEmpty() || regionOf(p).equals(region))) {
                Instant issued = invoiceIssued.get(p.invoiceId());
                Instant signed = contractSigned.get(p.contractId());
                int source = issued != null && !issued.isAfter(asOf) ? 0 : signed != null && !signed.isAfter(asOf) ? 1 : 2;
                out[source] += p.amount();
            }
        }
        return out;
    }

    private java.util.Map<String, Instant> invoiceIssued;
    private java.util.Map<String, Instant> contractSigned;

    private String regionOf(Payment p) {
        if (regions == null) {
            regions = new java.util.HashMap<>();
            for (Invoice i : invoices) {
                regions.put(i.invoiceId(), i.region());
            }
        }
        return regions.getOrDefault(p.invoiceId(), "");
    }

    private java.util.Map<String, String> regions;
}

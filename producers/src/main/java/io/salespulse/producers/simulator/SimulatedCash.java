package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;

/**
 * Lead to cash as simulated, and what a correct pipeline and a forecast must find in it: the contracts, invoices and
 * payments sent (each once, {@code occurred_at} up to the simulation's end), the {@code receivable_overdue} alerts
 * expected, the actual collections per month and the mean collection delay per region. Amounts in CNY, months and
 * days in Asia/Shanghai.
 *
 * @param contracts contracts sent, in signing order
 * @param invoices invoices sent, in issue order
 * @param payments payments sent, in the order received
 * @param expectedReceivableAlertIds the {@code receivable_overdue:<tenant>:<invoice_id>} ids a correct pipeline has
 *     emitted by the end: invoices whose payments received by {@code due_at + grace} sum to less than the amount
 *     (less 0.01), for {@code due_at + grace} up to the end; sorted
 * @param collectionsByMonth per tenant, region and month the payments were received in: their sum; sorted by tenant,
 *     region, month
 * @param meanCollectionDaysByRegion per region: the mean days from an invoice's issue to the payment that settled it
 *     in full, over the invoices settled by the end
 * @param slowRegion the region whose customers pay {@link #SLOW_REGION_EXTRA_DAYS} days later than the others'
 * @param grace the grace the expected alerts assume (the pipeline's default {@code receivables.grace})
 */
public record SimulatedCash(
        List<Contract> contracts,
        List<Invoice> invoices,
        List<Payment> payments,
        List<String> expectedReceivableAlertIds,
        List<MonthlyCollections> collectionsByMonth,
        Map<String, Double> meanCollectionDaysByRegion,
        String slowRegion,
        Duration grace) {

    /** How much later the slow region pays, on average (the seed distributor's 18 days). */
    public static final int SLOW_REGION_EXTRA_DAYS = 18;

    public static final SimulatedCash NONE = new SimulatedCash(List.of(), List.of(), List.of(), List.of(), List.of(),
            Map.of(), "", Duration.ofDays(3));

    public SimulatedCash {
        contracts = List.copyOf(contracts);
        invoices = List.copyOf(invoices);
        payments = List.copyOf(payments);
        expectedReceivableAlertIds = List.copyOf(expectedReceivableAlertIds);
        collectionsByMonth = List.copyOf(collectionsByMonth);
        meanCollectionDaysByRegion = Map.copyOf(meanCollectionDaysByRegion);
    }

    /** One planned invoice of a contract's schedule. */
    public record Installment(LocalDate invoiceOn, double amount) {}

    public record Contract(String eventId, String tenant, String contractId, String customerId, String repId,
            String region, String team, Instant signedAt, double amount, int termsDays, List<Installment> schedule) {}

    public record Invoice(String eventId, String tenant, String invoiceId, String contractId, String customerId,
            String repId, String region, String team, Instant issuedAt, double amount, Instant dueAt) {}

    public record Payment(String eventId, String tenant, String invoiceId, String contractId, String customerId,
            String repId, String region, String team, Instant receivedAt, double amount) {}

    /** The payments of one tenant's region received in one month (Asia/Shanghai). */
    public record MonthlyCollections(String tenant, String region, YearMonth month, double amount) {}

    public double contracted() {
        return contracts.stream().mapToDouble(Contract::amount).sum();
    }

    public double invoiced() {
        return invoices.stream().mapToDouble(Invoice::amount).sum();
    }

    public double collected() {
        return payments.stream().mapToDouble(Payment::amount).sum();
    }

    public long records() {
        return contracts.size() + invoices.size() + payments.size();
    }

    /** The ground truth JSON's {@code cash} part: the expected alerts, the collections and the delays (no records). */
    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("contracts", contracts.size()).put("invoices", invoices.size()).put("payments", payments.size());
        n.put("contracted", round2(contracted())).put("invoiced", round2(invoiced()))
                .put("collected", round2(collected()));
        n.put("grace", grace.toString()).put("slow_region", slowRegion);
        ArrayNode ids = n.putArray("expected_receivable_alert_ids");
        expectedReceivableAlertIds.forEach(ids::add);
        ArrayNode months = n.putArray("collections_by_month");
        for (MonthlyCollections m : collectionsByMonth) {
            months.addObject().put("tenant", m.tenant()).put("region", m.region()).put("month", m.month().toString())
                    .put("amount", round2(m.amount()));
        }
        ObjectNode delays = n.putObject("mean_collection_days_by_region");
        new java.util.TreeMap<>(meanCollectionDaysByRegion).forEach((r, d) -> delays.put(r, Math.round(d * 10) / 10.0));
        return n;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d contracts ¥%,.0f, %d invoices ¥%,.0f, %d payments ¥%,.0f;"
                + " expected %d receivable_overdue alerts", contracts.size(), contracted(), invoices.size(), invoiced(),
                payments.size(), collected(), expectedReceivableAlertIds.size());
    }
}

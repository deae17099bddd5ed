package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.AlertIds;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SimulatedCash.Contract;
import io.salespulse.producers.simulator.SimulatedCash.Installment;
import io.salespulse.producers.simulator.SimulatedCash.Invoice;
import io.salespulse.producers.simulator.SimulatedCash.MonthlyCollections;
import io.salespulse.producers.simulator.SimulatedCash.Payment;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Lead to cash after the sales process: each won customer signs a contract 0 to 3 days after its closing card
 * (its {@code deal_value}, else a typical 5,000 to 80,000 CNY order), with terms of 30, 45 or 60 days and 1 to 3
 * monthly installments; each installment is invoiced on its day and paid around its due date. Customers of one
 * region pay {@link SimulatedCash#SLOW_REGION_EXTRA_DAYS} days later than the others (the seed distributor's
 * problem); about 5 % of invoices are paid in part first and the rest weeks later, about 3 % are never paid.
 *
 * <p>The ERP can have a past ({@link SimulationSettings#erpHistoryMonths()}, the demo's 12): months before the window, accounts that bought before
 * SalesPulse was started (ids {@code c-erp-…}, like the customers won in the window: their reps, their deal values)
 * signed contracts at the rate the organisation wins customers in the long run; their records that fall in that past carry the
 * {@code import_id} of the ERP's history sync, and their later invoices and payments arrive live in the window.
 * So collections, collection cycles and overdue receivables exist from the first day of a short demo.
 *
 * <p>Its own random stream and its own records: the stage cards, visits and acks of a run, and their ground truth,
 * are the same with or without it. The ERP is online, so every record arrives when it happens.
 */
final class CashSimulation {
    /** The pipeline's default {@code receivables.grace}: the expected alerts assume it. */
    static final Duration GRACE = Duration.ofDays(3);
    private static final int[] TERMS = {30, 45, 60};
    private static final double PARTIAL_RATE = 0.05;
    private static final double NEVER_PAID_RATE = 0.03;
    private static final long DAY = Duration.ofDays(1).toMillis();
    /**
     * Won customers per customer entering the process, in the long run (closings reached and won), measured on a
     * simulated year of the small team (0.32 to 0.35 over three seeds); the ERP's past signs at this rate.
     */
    static final double LONG_RUN_WIN_SHARE = 0.34;

    /** A record to send: the event as the contract's JSON, at its {@code occurred_at}. */
    record Outgoing(String key, ObjectNode json, Instant at) {}

    record Result(List<Outgoing> records, SimulatedCash truth) {}

    private final String tenant;
    private final Instant start;
    private final Instant end;
    private final int erpHistoryMonths;
    private final SplittableRandom rnd;

    /** @param erpHistoryMonths how far back the ERP's history sync reaches (0: no past) */
    CashSimulation(String tenant, Instant start, Instant end, int erpHistoryMonths, SplittableRandom rnd) {
        this.tenant = tenant;
        this.start = start;
        this.erpHistoryMonths = erpHistoryMonths;
        this.end = end;
        this.rnd = rnd;
    }

    /** The {@code import_id} of the ERP's history sync in a run. */
    static String erpImportId(String run) {
        return "erp-history-" + run;
    }

    /** One event of the chain before it is numbered. */
    private record Step(Instant at, String kind, Customer customer, String contractId, ObjectNode fields,
            Object truth) {}

    /**
     * @param closings every stage card of the run; the won closings are used
     * @param reps the organisation's reps, who own the ERP's past accounts
     * @param customersPerDay customers entering the process per day, for the ERP's past
     * @param slowRegion the region whose customers pay late
     */
    Result generate(List<StageCard> closings, List<SalesOrganisation.Rep> reps, double customersPerDay,
            String slowRegion, String run) {
        List<StageCard> won = new ArrayList<>(closings.stream()
                .filter(c -> c.stage() == io.salespulse.contract.Stage.CLOSING && "won".equals(c.outcome())).toList());
        won.sort(Comparator.comparing(StageCard::occurredAt).thenComparing(c -> c.customer().id()));
        List<Step> steps = new ArrayList<>();
        erpHistory(won, reps, customersPerDay, slowRegion, steps);
        Map<String, Integer> contractsPerCustomer = new HashMap<>();
        for (StageCard card : won) {
            Customer c = card.customer();
            int n = contractsPerCustomer.merge(c.id(), 1, Integer::sum);
            String contractId = "ct-" + c.id().substring(2) + "-" + n;
            contract(c, card.occurredAt(), contractId, slowRegion.equals(region(c)), steps);
        }
        steps.sort(Comparator.comparing(Step::at));
        String erpImport = erpImportId(run);

        List<Outgoing> out = new ArrayList<>();
        List<Contract> contracts = new ArrayList<>();
        List<Invoice> invoices = new ArrayList<>();
        List<Payment> payments = new ArrayList<>();
        long counter = 0;
        for (Step s : steps) {
            if (s.at().isAfter(end)) {
                continue; // not happened yet when the history ends
            }
            String eventId = String.format("k-%s-%06d", run, ++counter);
            Customer c = s.customer();
            ObjectNode n = EventJson.MAPPER.createObjectNode();
            n.put("event_id", eventId);
            n.put("tenant", tenant);
            n.put("kind", s.kind());
            n.put("occurred_at", EventJson.time(s.at()));
            n.put("contract_id", s.contractId());
            n.put("customer_id", c.id());
            n.put("rep_id", c.rep().id());
            n.put("region", region(c));
            n.put("team", c.rep().team().id());
            n.setAll(s.fields());
            if (s.at().isBefore(start)) {
                n.put("import_id", erpImport); // synced from the ERP's past
            }
            out.add(new Outgoing(s.contractId(), n, s.at()));
            if (s.truth() instanceof Contract k) {
                contracts.add(new Contract(eventId, tenant, k.contractId(), k.customerId(), k.repId(), k.region(),
                        k.team(), k.signedAt(), k.amount(), k.termsDays(), k.schedule()));
            } else if (s.truth() instanceof Invoice i) {
                invoices.add(new Invoice(eventId, tenant, i.invoiceId(), i.contractId(), i.customerId(), i.repId(),
                        i.region(), i.team(), i.issuedAt(), i.amount(), i.dueAt()));
            } else if (s.truth() instanceof Payment p) {
                payments.add(new Payment(eventId, tenant, p.invoiceId(), p.contractId(), p.customerId(), p.repId(),
                        p.region(), p.team(), p.receivedAt(), p.amount()));
            }
        }
        return new Result(out, truth(contracts, invoices, payments, slowRegion));
    }

    /**
     * The ERP's past: accounts won in the {@code erpHistoryMonths} months before the window, one contract each,
     * signed on working days at the organisation's long-run rate. The past is like the present: each account copies
     * the rep and the deal value of a customer won in the window drawn at random (with no win in the window, a rep
     * drawn at random and the organisation's share of high-potential deals).
     */
    private void erpHistory(List<StageCard> won, List<SalesOrganisation.Rep> reps, double customersPerDay,
            String slowRegion, List<Step> steps) {
        if (erpHistoryMonths == 0) {
            return;
        }
        Instant from = start.atZone(WorkingCalendar.ZONE).minusMonths(erpHistoryMonths).toInstant();
        double days = Duration.between(from, start).toMillis() / (double) DAY;
        int accounts = (int) Math.round(customersPerDay * LONG_RUN_WIN_SHARE * days);
        List<Instant> closedAt = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            closedAt.add(WorkingCalendar.sample(from, start, rnd));
        }
        closedAt.sort(null);
        for (int i = 0; i < closedAt.size(); i++) {
            SalesOrganisation.Rep rep;
            Double dealValue;
            if (won.isEmpty()) {
                rep = reps.get(rnd.nextInt(reps.size()));
                dealValue = rnd.nextDouble() < 0.2 ? (double) (6 + rnd.nextInt(155)) * 500.0 : null;
            } else {
                Customer like = won.get(rnd.nextInt(won.size())).customer();
                rep = like.rep();
                dealValue = like.dealValue();
            }
            Customer c = new Customer(String.format("c-erp-%05d", i + 1), rep, null, dealValue != null, dealValue);
            contract(c, closedAt.get(i), "ct-" + c.id().substring(2) + "-1", slowRegion.equals(region(c)), steps);
        }
    }

    /** The contract of a customer won at {@code wonAt}, its invoices and their payments. */
    private void contract(Customer c, Instant wonAt, String contractId, boolean slow, List<Step> steps) {
        Instant signedAt = WorkingCalendar.sample(wonAt, wonAt.plus(Duration.ofDays(3)), rnd);
        long cents = Math.round((c.dealValue() != null && c.dealValue() > 0 ? c.dealValue() : typicalOrder()) * 100);
        int terms = TERMS[rnd.nextInt(TERMS.length)];
        double x = rnd.nextDouble();
        int parts = x < 0.5 ? 1 : x < 0.8 ? 2 : 3;
        LocalDate signedOn = signedAt.atZone(WorkingCalendar.ZONE).toLocalDate();
        List<Installment> schedule = new ArrayList<>();
        long left = cents;
        for (int i = 0; i < parts; i++) {
            long part = i == parts - 1 ? left : cents / parts;
            left -= part;
            schedule.add(new Installment(signedOn.plusMonths(i), part / 100.0));
        }
        ObjectNode fields = EventJson.MAPPER.createObjectNode();
        fields.put("amount", cents / 100.0).put("terms_days", terms);
        var array = fields.putArray("schedule");
        for (Installment i : schedule) {
            array.addObject().put("invoice_on", i.invoiceOn().toString()).put("amount", i.amount());
        }
        steps.add(new Step(signedAt, "contract", c, contractId, fields, new Contract(null, tenant, contractId, c.id(),
                c.rep().id(), region(c), c.rep().team().id(), signedAt, cents / 100.0, terms, schedule)));

        for (int i = 0; i < schedule.size(); i++) {
            Installment planned = schedule.get(i);
            Instant issuedAt = i == 0 ? signedAt.plus(Duration.ofMinutes(30 + rnd.nextInt(90)))
                    : planned.invoiceOn().atTime(9, 0).atZone(WorkingCalendar.ZONE).toInstant()
                            .plus(Duration.ofMinutes(rnd.nextInt(8 * 60)));
            Instant dueAt = issuedAt.plus(Duration.ofDays(terms));
            String invoiceId = "inv-" + contractId.substring(3) + "-" + (i + 1);
            ObjectNode inv = EventJson.MAPPER.createObjectNode();
            inv.put("invoice_id", invoiceId).put("amount", planned.amount()).put("due_at", EventJson.time(dueAt));
            steps.add(new Step(issuedAt, "invoice", c, contractId, inv, new Invoice(null, tenant, invoiceId, contractId,
                    c.id(), c.rep().id(), region(c), c.rep().team().id(), issuedAt, planned.amount(), dueAt)));
            payments(c, contractId, invoiceId, Math.round(planned.amount() * 100), issuedAt, dueAt, slow, steps);
        }
    }

    /**
     * When the customer pays the invoice: around the due date (from 10 days early to 4 days late, most often 3 days
     * early), {@link SimulatedCash#SLOW_REGION_EXTRA_DAYS} later in the slow region; never before it is issued.
     */
    private void payments(Customer c, String contractId, String invoiceId, long cents, Instant issuedAt, Instant dueAt,
            boolean slow, List<Step> steps) {
        double x = rnd.nextDouble();
        double offsetDays = -10 + 14 * (rnd.nextDouble() + rnd.nextDouble()) / 2
                + (slow ? SimulatedCash.SLOW_REGION_EXTRA_DAYS : 0);
        Instant paidAt = Instant.ofEpochMilli(Math.max(issuedAt.toEpochMilli() + DAY / 24,
                dueAt.toEpochMilli() + Math.round(offsetDays * DAY)));
        paidAt = Instant.ofEpochSecond(paidAt.getEpochSecond());
        if (x < NEVER_PAID_RATE) {
            return;
        }
        if (x < NEVER_PAID_RATE + PARTIAL_RATE) {
            long first = Math.round(cents * (0.4 + 0.4 * rnd.nextDouble()));
            steps.add(payment(c, contractId, invoiceId, first, paidAt));
            steps.add(payment(c, contractId, invoiceId, cents - first,
                    paidAt.plus(Duration.ofDays(20 + rnd.nextInt(21)))));
        } else {
            steps.add(payment(c, contractId, invoiceId, cents, paidAt));
        }
    }

    private Step payment(Customer c, String contractId, String invoiceId, long cents, Instant at) {
        ObjectNode p = EventJson.MAPPER.createObjectNode();
        p.put("invoice_id", invoiceId).put("amount", cents / 100.0);
        return new Step(at, "payment", c, contractId, p, new Payment(null, tenant, invoiceId, contractId, c.id(),
                c.rep().id(), region(c), c.rep().team().id(), at, cents / 100.0));
    }

    /** An order of a store without a deal value on its cards: 5,000 to 80,000 CNY, log-uniform, in hundreds. */
    private double typicalOrder() {
        return Math.round(5_000 * Math.pow(16, rnd.nextDouble()) / 100) * 100.0;
    }

    /** What the records sent amount to: expected alerts, collections per month, collection delays. */
    private SimulatedCash truth(List<Contract> contracts, List<Invoice> invoices, List<Payment> payments,
            String slowRegion) {
        Map<String, List<Payment>> byInvoice = new HashMap<>();
        for (Payment p : payments) {
            byInvoice.computeIfAbsent(p.invoiceId(), k -> new ArrayList<>()).add(p);
        }
        List<String> alerts = new ArrayList<>();
        Map<String, double[]> delays = new TreeMap<>(); // region -> {sum of days, invoices}
        for (Invoice i : invoices) {
            List<Payment> paid = byInvoice.getOrDefault(i.invoiceId(), List.of());
            Instant fireAt = i.dueAt().plus(GRACE);
            if (!fireAt.isAfter(end)) {
                double byFire = paid.stream().filter(p -> !p.receivedAt().isAfter(fireAt)).mapToDouble(Payment::amount)
                        .sum();
                if (byFire < i.amount() - 0.01) {
                    alerts.add(AlertIds.receivableOverdue(tenant, i.invoiceId()));
                }
            }
            double sum = 0;
            for (Payment p : paid) { // in the order received
                sum += p.amount();
                if (sum >= i.amount() - 0.01) {
                    double days = Duration.between(i.issuedAt(), p.receivedAt()).toMillis() / (double) DAY;
                    double[] d = delays.computeIfAbsent(i.region(), r -> new double[2]);
                    d[0] += days;
                    d[1]++;
                    break;
                }
            }
        }
        alerts.sort(null);
        Map<List<Object>, Double> months = new TreeMap<>(Comparator.comparing((List<Object> k) -> (String) k.get(0))
                .thenComparing(k -> (String) k.get(1)).thenComparing(k -> (YearMonth) k.get(2)));
        for (Payment p : payments) {
            months.merge(List.of(p.tenant(), p.region(), YearMonth.from(p.receivedAt().atZone(WorkingCalendar.ZONE))),
                    p.amount(), Double::sum);
        }
        List<MonthlyCollections> collections = new ArrayList<>();
        months.forEach((k, v) -> collections.add(new MonthlyCollections((String) k.get(0), (String) k.get(1),
                (YearMonth) k.get(2), Math.round(v * 100) / 100.0)));
        Map<String, Double> meanDays = new TreeMap<>();
        delays.forEach((r, d) -> meanDays.put(r, d[0] / d[1]));
        return new SimulatedCash(contracts, invoices, payments, alerts, collections, meanDays, slowRegion, GRACE);
    }

    private static String region(Customer c) {
        return c.rep().team().region().code();
    }
}

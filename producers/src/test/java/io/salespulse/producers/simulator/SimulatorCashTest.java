package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.CashEvent;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lead to cash in the simulator: won customers' contracts, invoices and payments are valid contract records, the
 * slow region pays about 18 days later, and the ground truth (expected alerts, collections) follows from the records.
 */
class SimulatorCashTest {
    static SimulationRuns.Run run;
    static SimulatedCash cash;

    @BeforeAll
    static void simulate() throws Exception {
        run = SimulationRuns.run(SimulationRuns.smallTeam().duration(Duration.ofDays(7 * 26)).seed(42).erpHistoryMonths(12).build());
        cash = run.summary().cash();
    }

    @Test
    void everyWonCustomerSignsAndEveryRecordIsValid() throws Exception {
        Set<String> won = new HashSet<>();
        Map<String, List<Instant>> wonAt = new HashMap<>();
        for (SimulationRuns.Valid v : run.valid()) {
            if (v.topic().equals(Topics.STAGES) && "won".equals(v.text("outcome"))) {
                won.add(v.text("customer_id"));
                wonAt.computeIfAbsent(v.text("customer_id"), k -> new ArrayList<>()).add(v.occurredAt());
            }
        }
        assertThat(cash.contracts()).isNotEmpty();
        List<SimulatedCash.Contract> ofTheWindow = cash.contracts().stream()
                .filter(c -> !c.customerId().startsWith("c-erp-")).toList();
        assertThat(ofTheWindow).extracting(SimulatedCash.Contract::customerId).containsAnyElementsOf(won)
                .allMatch(won::contains);
        for (SimulatedCash.Contract c : cash.contracts()) {
            assertThat(c.termsDays()).isIn(30, 45, 60);
            assertThat(c.schedule()).hasSizeBetween(1, 3);
            assertThat(c.schedule().stream().mapToDouble(SimulatedCash.Installment::amount).sum())
                    .isCloseTo(c.amount(), org.assertj.core.data.Offset.offset(0.005));
        }
        for (SimulatedCash.Contract c : ofTheWindow) {
            assertThat(wonAt.get(c.customerId())).as("a won closing of %s at most 3 days before signing", c)
                    .anyMatch(w -> !w.isAfter(c.signedAt()) && !w.plus(Duration.ofDays(3)).isBefore(c.signedAt()));
        }

        EventParser parser = new EventParser(Duration.ofHours(1));
        List<CashEvent> sent = new ArrayList<>();
        for (SentRecord r : run.sent()) {
            if (r.topic().equals(Topics.CASH)) {
                CashEvent e = parser.parseCash(r.value(), r.timestampMillis());
                assertThat(r.timestampMillis()).as("the ERP is online: arrival = occurred_at").isEqualTo(e.occurredAt);
                assertThat(r.key()).isEqualTo(e.contractId);
                sent.add(e);
            }
        }
        assertThat(sent).hasSize((int) cash.records());
        assertThat(sent.stream().filter(CashEvent::isPayment).count()).isEqualTo(cash.payments().size());
        assertThat(sent).allMatch(e -> e.occurredAt <= SimulationRuns.END.toEpochMilli());
    }

    /**
     * The ERP's past: accounts won in the year before the window at the organisation's rate, their records of that
     * year marked as the ERP's history sync, their later invoices and payments live; collections from the first week.
     */
    @Test
    void theErpBringsAYearOfAccountsWhosePastIsMarkedAsItsHistorySync() throws Exception {
        Instant start = run.settings().start();
        List<SimulatedCash.Contract> erp = cash.contracts().stream().filter(c -> c.customerId().startsWith("c-erp-"))
                .toList();
        assertThat(erp).allMatch(c -> c.signedAt().isBefore(start.plus(Duration.ofDays(3))))
                .anyMatch(c -> c.signedAt().isBefore(start.minus(Duration.ofDays(330))));
        long windowWins = cash.contracts().size() - erp.size();
        // A year of the long-run rate against half a year that starts empty: clearly more, not absurdly more.
        assertThat((double) erp.size() / windowWins).isBetween(2.0, 6.0);
        Set<String> reps = new HashSet<>();
        run.valid().stream().filter(v -> v.topic().equals(Topics.STAGES)).forEach(v -> reps.add(v.text("rep_id")));
        assertThat(erp).extracting(SimulatedCash.Contract::repId).allMatch(reps::contains);

        EventParser parser = new EventParser(Duration.ofHours(1));
        long before = 0;
        for (SentRecord r : run.sent()) {
            if (r.topic().equals(Topics.CASH)) {
                CashEvent e = parser.parseCash(r.value(), r.timestampMillis());
                boolean past = e.occurredAt < start.toEpochMilli();
                if (past) {
                    assertThat(e.importId).as("import_id of %s", e.eventId).startsWith("erp-history-");
                } else {
                    assertThat(e.importId).as("import_id of %s", e.eventId).isNull();
                }
                before += past ? 1 : 0;
            }
        }
        assertThat(before).isPositive();
        assertThat(cash.payments()).anyMatch(p -> p.customerId().startsWith("c-erp-")
                && !p.receivedAt().isBefore(start) && p.receivedAt().isBefore(start.plus(Duration.ofDays(7))));
    }

    @Test
    void theSlowRegionPaysAbout18DaysLaterAndSomeInvoicesArePaidInPartOrNever() {
        Map<String, Double> days = cash.meanCollectionDaysByRegion();
        String slow = cash.slowRegion();
        assertThat(days).containsKey(slow);
        double others = days.entrySet().stream().filter(e -> !e.getKey().equals(slow))
                .mapToDouble(Map.Entry::getValue).average().orElseThrow();
        // Censored at the end (the slowest payers of the last weeks are not in yet), so a little under 18.
        assertThat(days.get(slow) - others).isBetween(12.0, 24.0);

        Map<String, Integer> paymentsPerInvoice = new HashMap<>();
        cash.payments().forEach(p -> paymentsPerInvoice.merge(p.invoiceId(), 1, Integer::sum));
        long split = paymentsPerInvoice.values().stream().filter(n -> n > 1).count();
        assertThat(split).isPositive();
        assertThat(cash.expectedReceivableAlertIds()).isNotEmpty()
                .allMatch(id -> id.startsWith("receivable_overdue:" + run.settings().tenant() + ":inv-"));
        assertThat(cash.collectionsByMonth().stream().mapToDouble(SimulatedCash.MonthlyCollections::amount).sum())
                .isCloseTo(cash.collected(), org.assertj.core.data.Offset.offset(0.1));
        assertThat(run.summary().groundTruthJson().path("cash").path("expected_receivable_alert_ids").size())
                .isEqualTo(cash.expectedReceivableAlertIds().size());
    }

    @Test
    void theSameSeedGivesTheSameCashAndTheRestOfTheHistoryDoesNotDependOnIt() throws Exception {
        SimulationRuns.Run again = SimulationRuns.run(run.settings());
        assertThat(again.sent()).isEqualTo(run.sent());
        assertThat(again.summary().cash().expectedReceivableAlertIds()).isEqualTo(cash.expectedReceivableAlertIds());
        // Without the cash records, what is sent is what the simulator sent before lead to cash existed: the cash
        // records are appended after every other record was numbered and its noise drawn.
        long others = run.sent().stream().filter(r -> !r.topic().equals(Topics.CASH)).count();
        assertThat(others).isEqualTo(run.summary().totalRecords() - cash.records());
        SentRecord firstField = run.sent().stream().filter(r -> !r.topic().equals(Topics.CASH)).findFirst().orElseThrow();
        assertThat(new String(firstField.value(), StandardCharsets.UTF_8)).doesNotContain("\"kind\"");
    }
}

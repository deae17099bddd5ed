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
        run = SimulationRuns.run(SimulationRuns.smallTeam().duration(Duration.ofDays(7 * 26)).seed(42).build());
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
        assertThat(cash.contracts()).extracting(SimulatedCash.Contract::customerId).containsAnyElementsOf(won)
                .allMatch(won::contains);
        for (SimulatedCash.Contract c : cash.contracts()) {
            assertThat(c.termsDays()).isIn(30, 45, 60);
            assertThat(c.schedule()).hasSizeBetween(1, 3);
            assertThat(c.schedule().stream().mapToDouble(SimulatedCash.Installment::amount).sum())
                    .isCloseTo(c.amount(), org.assertj.core.data.Offset.offset(0.005));
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
        assertThat(new String(run.sent().get(0).value(), StandardCharsets.UTF_8)).doesNotContain("\"kind\"");
    }
}

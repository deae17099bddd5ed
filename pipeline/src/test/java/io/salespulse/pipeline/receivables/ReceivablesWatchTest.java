package io.salespulse.pipeline.receivables;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.CashEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch on one invoice at a time, on the arrival-time clock advanced by hand: when the alert fires, what counts
 * as paid, retractions, retries, and that state and timers are gone {@code state.ttl} after the last record.
 */
class ReceivablesWatchTest {
    private static final long D = Duration.ofDays(1).toMillis();
    private static final long T = Instant.parse("2026-03-02T02:00:00Z").toEpochMilli();
    private static final long DUE = T + 30 * D;
    /** Due plus the default grace of 3 days. */
    private static final long FIRE = DUE + 3 * D;
    private static final String ID = AlertIds.receivableOverdue("weijiang", "inv-1");

    private KeyedOneInputStreamOperatorTestHarness<String, CashEvent, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        ReceivablesWatch watch = new ReceivablesWatch(new ReceivablesWatch.Settings(Duration.ofDays(3),
                Duration.ofDays(30), ZoneId.of("Asia/Shanghai")));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(watch),
                ReceivablesWatch::key, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void paidInFullByTheDueTimePlusGraceNoAlertAndTheStateIsForgotten() throws Exception {
        send(invoice("k-1", 12000), T);
        send(payment("k-2", 12000, FIRE - D), FIRE - D);
        clock(FIRE + D);
        assertThat(alerts()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).as("only the timer that forgets the invoice").isEqualTo(1);
        clock(FIRE + 30 * D - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        clock(FIRE + 30 * D);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void unpaidFiresOnceAtDuePlusGraceWithTheOpenAmount() throws Exception {
        send(invoice("k-1", 12000), T);
        clock(FIRE - 1);
        assertThat(alerts()).isEmpty();
        clock(FIRE);
        clock(FIRE + 5 * D);
        List<Alert> out = alerts();
        assertThat(out).extracting(a -> a.alertId).containsExactly(ID);
        Alert a = out.get(0);
        assertThat(a.type).isEqualTo("receivable_overdue");
        assertThat(a.dueAt).isEqualTo(FIRE);
        assertThat(a.firedAt).isEqualTo(FIRE);
        assertThat(a.customerId).isEqualTo("c-1");
        assertThat(a.repId).isEqualTo("r-017");
        assertThat(a.title).isEqualTo("【回款逾期】客户 c-1 发票 inv-1 未收 ¥12,000，逾期 3 天");
        assertThat(a.suggestion).contains("r-017").contains("今天");
    }

    @Test
    void aPartialPaymentStillAlertsWithTheRest() throws Exception {
        send(invoice("k-1", 12000), T);
        send(payment("k-2", 5000, T + 10 * D), T + 10 * D);
        clock(FIRE);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.title).contains("未收 ¥7,000");
            assertThat(a.message).contains("已收 ¥5,000");
        });
    }

    @Test
    void aPaymentBeforeItsInvoiceCounts() throws Exception {
        send(payment("k-2", 12000, T + D), T + D);
        send(invoice("k-1", 12000), T + 2 * D);
        clock(FIRE + D);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aPaymentReceivedInTimeButArrivingLateRetractsTheAlert() throws Exception {
        send(invoice("k-1", 12000), T);
        clock(FIRE);
        send(payment("k-2", 12000, DUE - D), FIRE + 2 * D); // received before due, synced from the ERP days later
        List<Alert> out = alerts();
        assertThat(out).extracting(a -> a.alertId).containsExactly(ID, Alert.retractionId(ID));
        assertThat(out.get(1).retracts).isEqualTo(ID);
        assertThat(out.get(1).firedAt).isEqualTo(FIRE + 2 * D);
    }

    @Test
    void aLatePaymentDoesNotRetractAndRetriesChangeNothing() throws Exception {
        send(invoice("k-1", 12000), T);
        send(invoice("k-1", 12000), T + D); // the same invoice again
        send(payment("k-2", 6000, T + 3 * D), T + 3 * D);
        send(payment("k-2", 6000, T + 3 * D), T + 4 * D); // the same payment again: still only half paid
        clock(FIRE);
        send(payment("k-3", 6000, FIRE + D), FIRE + D); // paid after the grace: the alert stands
        send(invoice("k-9", 1), FIRE + D); // another event for the same invoice_id: the first counts
        clock(FIRE + 10 * D);
        assertThat(alerts()).extracting(a -> a.alertId).containsExactly(ID);
    }

    @Test
    void anInvoiceLongOverdueWhenItArrivesIsDecidedAtOnce() throws Exception {
        clock(FIRE + 10 * D);
        send(invoice("k-1", 12000), FIRE + 10 * D);
        clock(FIRE + 10 * D + 1);
        assertThat(alerts()).extracting(a -> a.alertId).containsExactly(ID);
    }

    private void send(CashEvent e, long arrival) throws Exception {
        harness.processElement(new StreamRecord<>(e, arrival));
    }

    private void clock(long at) throws Exception {
        harness.processWatermark(at);
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    static CashEvent invoice(String eventId, double amount) {
        CashEvent e = base(eventId, CashEvent.INVOICE, T);
        e.amount = amount;
        e.dueAt = DUE;
        return e;
    }

    static CashEvent payment(String eventId, double amount, long receivedAt) {
        CashEvent e = base(eventId, CashEvent.PAYMENT, receivedAt);
        e.amount = amount;
        return e;
    }

    private static CashEvent base(String eventId, String kind, long at) {
        CashEvent e = new CashEvent();
        e.eventId = eventId;
        e.tenant = "weijiang";
        e.kind = kind;
        e.occurredAt = at;
        e.contractId = "ct-1";
        e.customerId = "c-1";
        e.repId = "r-017";
        e.region = "hz-west";
        e.team = "t-3";
        e.invoiceId = "inv-1";
        return e;
    }
}

package io.salespulse.pipeline.receivables;

import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.imports.ImportGate;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per (tenant, invoice): raises {@code receivable_overdue} when the invoice is not paid in full by its
 * {@code due_at} plus {@code receivables.grace}, on the jobs' clock (arrival time, like the overdue detector).
 *
 * <p>Which alerts exist depends only on which records exist: the alert of an invoice exists when the payments
 * received (their {@code occurred_at}) by due + grace sum to less than its amount (less 0.01 for rounding). So:
 * <ul>
 *   <li>A payment arriving before its invoice (an ERP that exports payments first) is kept and counts.</li>
 *   <li>A payment received in time but arriving after the alert went out proves it wrong: a {@code retraction}
 *       follows, as for {@code stage_overdue} ({@link Alert#retracts}).</li>
 *   <li>A payment received after due + grace is late: the alert stands (the notifier's people mark it resolved).</li>
 *   <li>A record sent again (same {@code event_id}) changes nothing; a second invoice event for the same
 *       {@code invoice_id} is ignored, the first one counts.</li>
 *   <li>An invoice whose due time is long past when it arrives (a history import) is decided at once; its alert
 *       has origin {@code history} when it carries an {@code import_id} and fired more than a day back.</li>
 * </ul>
 */
public final class ReceivablesWatch extends KeyedProcessFunction<String, CashEvent, Alert> {
    private static final long serialVersionUID = 1L;
    /** Amounts in CNY: less than a fen short is paid. */
    static final double TOLERANCE = 0.01;

    /** What the watch needs from the job's configuration. */
    public record Settings(Duration grace, Duration stateTtl, ZoneId zone) implements Serializable {
        public static Settings of(PipelineConfig config) {
            return new Settings(config.receivablesGrace, config.stateTtl, config.timeZone);
        }
    }

    private final Settings settings;
    /** The invoice, its payments and what was decided; see {@link Receivable}. */
    private transient ValueState<Receivable> receivable;
    private transient Counter alertsFired;
    private transient Counter alertsRetracted;
    private transient Counter duplicates;

    public ReceivablesWatch(Settings settings) {
        this.settings = settings;
    }

    /** The key: tenant and invoice id, joined by the ASCII unit separator (ids do not contain it). */
    public static String key(CashEvent e) {
        return e.tenant + '\u001f' + e.invoiceId;
    }

    @Override
    public void open(OpenContext openContext) {
        receivable = getRuntimeContext().getState(new ValueStateDescriptor<>("receivable", Receivable.class));
        var group = getRuntimeContext().getMetricGroup().addGroup("salespulse");
        alertsFired = group.counter("receivableAlerts");
        alertsRetracted = group.counter("receivableAlertsRetracted");
        duplicates = group.counter("duplicateCashRecords");
    }

    @Override
    public void processElement(CashEvent e, Context ctx, Collector<Alert> out) throws Exception {
        Receivable r = receivable.value();
        if (r == null) {
            r = new Receivable();
            r.tenant = e.tenant;
            r.invoiceId = e.invoiceId;
        }
        r.lastArrivalAt = Math.max(r.lastArrivalAt, ctx.timestamp() == null ? 0 : ctx.timestamp());
        if (e.isInvoice()) {
            if (r.hasInvoice()) {
                duplicates.inc(); // the same invoice again, or another event for the same invoice_id: the first counts
            } else {
                r.invoiceEventId = e.eventId;
                r.contractId = e.contractId;
                r.customerId = e.customerId;
                r.repId = e.repId;
                r.region = e.region;
                r.team = e.team;
                r.amount = e.amount;
                r.dueAt = e.dueAt;
                r.importId = e.importId;
            }
        } else if (e.isPayment()) {
            if (Arrays.stream(r.payments).anyMatch(p -> p.eventId.equals(e.eventId))) {
                duplicates.inc();
            } else {
                r.payments = Arrays.copyOf(r.payments, r.payments.length + 1);
                r.payments[r.payments.length - 1] = new PaymentFact(e.eventId, e.occurredAt, e.amount);
            }
        }
        decide(r, ctx.timerService().currentWatermark(), ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Receivable r = receivable.value();
        if (r == null) {
            return;
        }
        r.timerAt = 0;
        long clock = Math.max(timestamp, ctx.timerService().currentWatermark());
        if (clock >= forgetAt(r) && (!r.hasInvoice() || r.decided)) {
            receivable.clear(); // nothing of this invoice arrived for state.ttl and nothing is left to decide
            return;
        }
        decide(r, clock, ctx, out);
    }

    /** Brings the invoice up to date as of arrival time {@code clock}: the alert when due, a retraction, the timer. */
    private void decide(Receivable r, long clock, Context ctx, Collector<Alert> out) throws Exception {
        long now = System.currentTimeMillis();
        if (r.hasInvoice() && !r.decided) {
            long fireAt = fireAt(r);
            if (fireAt <= clock) {
                r.decided = true;
                if (r.paidBy(fireAt) < r.amount - TOLERANCE) {
                    r.alertFiredAt = fireAt;
                    r.alertHistory = r.importId != null && fireAt < clock - ImportGate.LIVE_WINDOW;
                    out.collect(ReceivableText.alert(r, settings.grace(), settings.zone(), now));
                    alertsFired.inc();
                }
            }
        }
        if (r.alertFiredAt != 0 && !r.retracted && r.paidBy(r.alertFiredAt) >= r.amount - TOLERANCE) {
            r.retracted = true;
            out.collect(ReceivableText.retraction(r, r.lastArrivalAt, settings.zone(), now));
            alertsRetracted.inc();
        }
        long next = r.hasInvoice() && !r.decided ? fireAt(r) : forgetAt(r);
        if (next != r.timerAt) {
            if (r.timerAt != 0) {
                ctx.timerService().deleteEventTimeTimer(r.timerAt);
            }
            ctx.timerService().registerEventTimeTimer(next);
            r.timerAt = next;
        }
        receivable.update(r);
    }

    private long fireAt(Receivable r) {
        return r.dueAt + settings.grace().toMillis();
    }

    /**
     * state.ttl after the last record of the invoice or after its due time plus grace, whichever is later: a retried
     * payment within it is still recognized, and a payment received in time that arrives within it still retracts.
     */
    private long forgetAt(Receivable r) {
        long last = r.hasInvoice() ? Math.max(r.lastArrivalAt, fireAt(r)) : r.lastArrivalAt;
        return last + settings.stateTtl().toMillis();
    }
}

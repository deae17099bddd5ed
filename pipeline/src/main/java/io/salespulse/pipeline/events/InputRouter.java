package io.salespulse.pipeline.events;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits parsed input by kind: stage cards on the main output, visits, acks, contracts, invoices, payments
 * and dead letters on side outputs. Counts each kind, and dead letters by reason, as metrics a data team can scrape.
 */
public final class InputRouter extends ProcessFunction<InputRecord, StageEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<VisitEvent> VISITS = new OutputTag<>("visits") {};
    public static final OutputTag<AckEvent> ACKS = new OutputTag<>("acks") {};
    public static final OutputTag<CashEvent> CONTRACTS = new OutputTag<>("contracts") {};
    public static final OutputTag<CashEvent> INVOICES = new OutputTag<>("invoices") {};
    public static final OutputTag<CashEvent> PAYMENTS = new OutputTag<>("payments") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private transient Counter stages;
    private transient Counter visits;
    private transient Counter acks;
    private transient Counter cash;
    private transient Counter deadLetters;
    private transient Map<String, Counter> deadLettersByReason;

    @Override
    public void open(OpenContext openContext) {
        var group = getRuntimeContext().getMetricGroup().addGroup("salespulse");
        stages = group.counter("stageCards");
        visits = group.counter("visits");
        acks = group.counter("acks");
        cash = group.counter("cashRecords");
        deadLetters = group.counter("deadLetters");
        deadLettersByReason = new HashMap<>();
    }

    @Override
    public void processElement(InputRecord r, Context ctx, Collector<StageEvent> out) {
        if (r.stage != null) {
            stages.inc();
            out.collect(r.stage);
        } else if (r.visit != null) {
            visits.inc();
            ctx.output(VISITS, r.visit);
        } else if (r.ack != null) {
            acks.inc();
            ctx.output(ACKS, r.ack);
        } else if (r.cash != null) {
            cash.inc();
            ctx.output(r.cash.isContract() ? CONTRACTS : r.cash.isInvoice() ? INVOICES : PAYMENTS, r.cash);
        } else {
            deadLetters.inc();
            deadLettersByReason.computeIfAbsent(r.deadLetter.errorCode, code -> getRuntimeContext().getMetricGroup()
                    .addGroup("salespulse").addGroup("reason", code).counter("deadLetters")).inc();
            ctx.output(DEAD_LETTERS, r.deadLetter);
        }
    }
}

package io.salespulse.pipeline.overdue;

import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.VisitEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per (tenant, customer): tracks the open opportunity's current stage, owner and due time, and raises a
 * {@code stage_overdue} alert when the next stage card is not submitted within the stage's SLA.
 *
 * <p>Input 1 is stage cards, input 2 visits. Main output: alerts. Side output {@link #STATUS}: a
 * {@code customer_status} row after every change.
 *
 * <p>Time: the due time is an event-time timer, so the same history always gives the same alerts with
 * the same ids; {@code LiveWatermarks} keeps event time moving on quiet nights.
 */
public final class OverdueDetector extends KeyedCoProcessFunction<String, StageEvent, VisitEvent, Alert> {
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(OverdueDetector.class);

    public static final OutputTag<CustomerStatus> STATUS = new OutputTag<>("customer-status") {};

    static final String ACTIVE = "active";
    static final String OVERDUE = "overdue";

    private final StageSla sla;
    private final Duration stateTtl;
    private final String zoneId;

    /**
     * The open opportunity, or null when there is none (never seen, won/lost, or expired by TTL). While
     * status is active, exactly one event-time timer is registered, at {@code dueAt}; it is deleted when
     * the next card arrives and when the opportunity closes, so a closed customer holds no state and no
     * timer.
     */
    private transient ValueState<CustomerState> opportunity;

    private transient Counter alertsFired;
    private transient Counter staleCards;

    public OverdueDetector(StageSla sla, Duration stateTtl, ZoneId zone) {
        this.sla = sla;
        this.stateTtl = stateTtl;
        this.zoneId = zone.getId();
    }

    /** The key of a customer: tenant and customer id (joined by the ASCII unit separator, which ids do not contain). */
    public static String key(String tenant, String customerId) {
        return tenant + '\u001f' + customerId;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<CustomerState> descriptor = new ValueStateDescriptor<>("opportunity", CustomerState.class);
        // Abandoned customers (no card or visit for stateTtl) are forgotten. stateTtl is validated to
        // exceed the longest SLA, so a pending timer always fires before its state can expire.
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        opportunity = getRuntimeContext().getState(descriptor);
        var metrics = getRuntimeContext().getMetricGroup().addGroup("salespulse");
        alertsFired = metrics.counter("overdueAlerts");
        staleCards = metrics.counter("staleCards");
    }

    @Override
    public void processElement1(StageEvent card, Context ctx, Collector<Alert> out) throws Exception {
        CustomerState s = opportunity.value();
        Stage stage = card.stageEnum();

        if (s == null) {
            if (card.closesOpportunity()) {
                // Won or lost with nothing open (e.g. the opportunity's earlier cards expired): record it.
                ctx.output(STATUS, closed(card, card.occurredAt));
                return;
            }
            s = new CustomerState();
            s.tenant = card.tenant;
            s.customerId = card.customerId;
            s.version = card.occurredAt - 1;
            s.lastEventAt = card.occurredAt;
            apply(card, s);
            enterStage(s, stage, card.occurredAt, ctx);
            save(s, card.occurredAt, ctx);
            return;
        }

        Stage current = Stage.fromCode(s.stage).orElseThrow();
        // Out-of-order input must not move a customer backwards: a card of an earlier stage, or an older
        // or duplicated card of the current stage, changes nothing (duplicated event_ids land here too).
        if (stage.rank() < current.rank() || (stage == current && card.occurredAt <= s.stageEnteredAt)) {
            staleCards.inc();
            LOG.debug("Ignored stale card {} ({} at {}) of {} in {}", card.eventId, card.stage, card.occurredAt,
                    card.customerId, s.stage);
            return;
        }

        // A later stage, or the current stage again (an objection repeated, closing still pending).
        if (s.status.equals(ACTIVE)) {
            ctx.timerService().deleteEventTimeTimer(s.dueAt);
            if (card.occurredAt > s.dueAt) {
                // The card came after the due time, so the customer was overdue in between. Event time
                // may not have passed the due time yet (a backlog delivers this card before the
                // watermark), so raise the alert here: replays and live runs then agree.
                fireOverdue(s, ctx, out);
            }
        }
        // If the customer was overdue, this card makes it active again.
        apply(card, s);
        s.lastEventAt = Math.max(s.lastEventAt, card.occurredAt);
        if (card.closesOpportunity()) {
            opportunity.clear();
            CustomerStatus row = closed(card, card.occurredAt);
            row.version = Math.max(s.version + 1, card.occurredAt);
            row.highPotential = s.highPotential;
            row.dealValue = s.dealValue;
            row.lastEventAt = s.lastEventAt;
            ctx.output(STATUS, row);
            return;
        }
        enterStage(s, stage, card.occurredAt, ctx);
        save(s, card.occurredAt, ctx);
    }

    /** A visit is activity (it keeps the customer from expiring) but does not satisfy an SLA: only a card does. */
    @Override
    public void processElement2(VisitEvent visit, Context ctx, Collector<Alert> out) throws Exception {
        CustomerState s = opportunity.value();
        if (s == null || visit.occurredAt <= s.lastEventAt) {
            return;
        }
        s.lastEventAt = visit.occurredAt;
        save(s, visit.occurredAt, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        CustomerState s = opportunity.value();
        if (s == null || !s.status.equals(ACTIVE) || s.dueAt != timestamp) {
            return;
        }
        fireOverdue(s, ctx, out);
        opportunity.update(s);
    }

    /** Marks the customer overdue (待激活) as of its due time and emits the alert. */
    private void fireOverdue(CustomerState s, Context ctx, Collector<Alert> out) {
        LOG.debug("Overdue: {} {} due {} (watermark {})", s.customerId, s.stage, s.dueAt,
                ctx.timerService().currentWatermark());
        s.status = OVERDUE;
        ctx.output(STATUS, status(s, s.dueAt));
        out.collect(alert(s, ctx.timerService().currentProcessingTime()));
        alertsFired.inc();
    }

    /** Stores the state and emits its customer_status row with the next version. */
    private void save(CustomerState s, long changedAt, Context ctx) throws Exception {
        CustomerStatus row = status(s, changedAt);
        opportunity.update(s);
        ctx.output(STATUS, row);
    }

    private void enterStage(CustomerState s, Stage stage, long at, Context ctx) {
        s.stage = stage.code();
        s.stageEnteredAt = at;
        s.dueAt = at + sla.of(stage).toMillis();
        s.status = ACTIVE;
        ctx.timerService().registerEventTimeTimer(s.dueAt);
    }

    /** The latest card names the owner; high potential, once flagged, stays for the opportunity. */
    private static void apply(StageEvent card, CustomerState s) {
        s.repId = card.repId;
        s.region = card.region;
        s.team = card.team;
        s.highPotential = s.highPotential || card.highPotential;
        if (card.dealValue != null) {
            s.dealValue = card.dealValue;
        }
        if (card.objectionTag != null) {
            s.objectionTag = card.objectionTag;
        }
    }

    private Alert alert(CustomerState s, long now) {
        Alert a = new Alert();
        a.alertId = AlertIds.stageOverdue(s.tenant, s.customerId, s.stage, Instant.ofEpochMilli(s.dueAt));
        a.type = "stage_overdue";
        a.severity = s.highPotential ? "high" : "normal";
        a.tenant = s.tenant;
        a.region = s.region;
        a.team = s.team;
        a.repId = s.repId;
        a.customerId = s.customerId;
        a.stage = s.stage;
        a.dueAt = s.dueAt;
        a.firedAt = s.dueAt;
        a.emittedAt = now;
        Stage stage = Stage.fromCode(s.stage).orElseThrow();
        a.title = OverdueAlertText.title(s);
        a.message = OverdueAlertText.message(s, sla.of(stage), ZoneId.of(zoneId));
        a.suggestion = OverdueAlertText.suggestion(s);
        return a;
    }

    private static CustomerStatus status(CustomerState s, long changedAt) {
        s.version = Math.max(s.version + 1, changedAt);
        CustomerStatus row = new CustomerStatus();
        row.tenant = s.tenant;
        row.customerId = s.customerId;
        row.repId = s.repId;
        row.region = s.region;
        row.team = s.team;
        row.stage = s.stage;
        row.status = s.status;
        row.highPotential = s.highPotential;
        row.dealValue = s.dealValue;
        row.stageEnteredAt = s.stageEnteredAt;
        row.lastEventAt = s.lastEventAt;
        row.dueAt = s.dueAt;
        row.updatedAt = changedAt;
        row.version = s.version;
        return row;
    }

    private static CustomerStatus closed(StageEvent card, long at) {
        CustomerStatus row = new CustomerStatus();
        row.tenant = card.tenant;
        row.customerId = card.customerId;
        row.repId = card.repId;
        row.region = card.region;
        row.team = card.team;
        row.stage = card.stage;
        row.status = card.outcome;
        row.highPotential = card.highPotential;
        row.dealValue = card.dealValue;
        row.stageEnteredAt = at;
        row.lastEventAt = at;
        row.dueAt = 0;
        row.updatedAt = at;
        row.version = at;
        return row;
    }
}

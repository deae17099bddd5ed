package io.salespulse.pipeline.overdue;

import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.VisitEvent;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.Policy;
import io.salespulse.contract.policy.PolicyParser;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.policy.PolicyChange;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per (tenant, customer): tracks the open opportunity's current stage, owner and due time, and raises a
 * {@code stage_overdue} alert when the next stage card is not submitted within the stage's SLA, as the
 * run-time policies of {@code sales.policies} define it.
 *
 * <p>Input 1 (keyed by customer): stage cards and visits. Input 2 (broadcast to every subtask): policy
 * records. Main output: alerts. Side outputs: {@link #STATUS} (a {@code customer_status} row after every
 * change), {@link #POLICY_CHANGES} and {@link #POLICY_DEAD_LETTERS} (from subtask 0 only, as every
 * subtask takes the same decision about the same broadcast records).
 *
 * <p>This is an operator rather than a {@code KeyedBroadcastProcessFunction} because a policy change must
 * re-time customers already waiting: the broadcast side iterates the keyed state and moves each affected
 * customer's timer, and a broadcast function's context has no timer service.
 *
 * <p>Time: due times are event-time timers driven by the cards' watermarks only; policy records carry no
 * event time and never hold event time back. The same history under the same policies gives the same
 * alerts with the same ids; {@code LiveWatermarks} keeps event time moving on quiet nights.
 */
public final class OverdueDetector extends AbstractStreamOperator<Alert>
        implements TwoInputStreamOperator<CustomerEvent, PolicyUpdate, Alert>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 2L;

    private static final Logger LOG = LoggerFactory.getLogger(OverdueDetector.class);
    /** Bound of the resolved-policy cache: tenants x regions x teams seen by one subtask, normally far fewer. */
    private static final int MAX_RESOLVED = 10_000;

    public static final OutputTag<CustomerStatus> STATUS = new OutputTag<>("customer-status") {};
    public static final OutputTag<PolicyChange> POLICY_CHANGES = new OutputTag<>("policy-changes") {};
    public static final OutputTag<DeadLetter> POLICY_DEAD_LETTERS = new OutputTag<>("policy-dead-letters") {};

    /** scope -> the accepted policy document (JSON). Broadcast state: the same on every subtask, checkpointed. */
    public static final MapStateDescriptor<String, String> POLICIES =
            new MapStateDescriptor<>("policies", Types.STRING, Types.STRING);

    static final String ACTIVE = "active";
    static final String OVERDUE = "overdue";

    private final StageSla sla;
    private final Duration stateTtl;
    private final String zoneId;

    /**
     * The open opportunity, or null when there is none (never seen, won/lost, or expired by TTL). While
     * status is active, exactly one event-time timer is registered, at {@code dueAt}; it is deleted when
     * the next card arrives, when a policy change re-times the customer, and when the opportunity closes,
     * so a closed customer holds no state and no timer.
     */
    private transient ValueStateDescriptor<CustomerState> opportunityDescriptor;
    private transient ValueState<CustomerState> opportunity;
    /** Same name as the timers of the former KeyedCoProcessOperator, so older savepoints keep their timers. */
    private transient InternalTimerService<VoidNamespace> timers;
    private transient BroadcastState<String, String> policyDocuments;
    /** The broadcast state parsed, rebuilt on start. */
    private transient Map<String, Policy> policies;
    /** Resolved policies by (tenant, region, team), emptied whenever a policy changes: resolving is per card. */
    private transient Map<List<String>, EffectivePolicy> resolved;
    private transient PolicyParser parser;

    private transient Counter alertsFired;
    private transient Counter alertsSuppressed;
    private transient Counter staleCards;
    private transient Counter customersRetimed;

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
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        policyDocuments = context.getOperatorStateStore().getBroadcastState(POLICIES);
    }

    @Override
    public void open() throws Exception {
        super.open();
        opportunityDescriptor = new ValueStateDescriptor<>("opportunity", CustomerState.class);
        // Abandoned customers (no card or visit for stateTtl) are forgotten. stateTtl is validated to
        // exceed the longest SLA (also a policy's), so a pending timer fires before its state can expire.
        opportunityDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        opportunity = getRuntimeContext().getState(opportunityDescriptor);
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        parser = new PolicyParser(stateTtl, ZoneId.of(zoneId));
        policies = new HashMap<>();
        resolved = new HashMap<>();
        for (Map.Entry<String, String> e : policyDocuments.entries()) {
            try {
                policies.put(e.getKey(), parser.parse(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8)));
            } catch (InvalidEventException invalid) {
                // Only if a newer parser is stricter than the one that accepted it: the scope falls back to its parents.
                LOG.error("Restored policy of scope {} no longer validates ({}); ignoring it", e.getKey(),
                        invalid.getMessage());
            }
        }
        var metrics = getRuntimeContext().getMetricGroup().addGroup("salespulse");
        alertsFired = metrics.counter("overdueAlerts");
        alertsSuppressed = metrics.counter("overdueAlertsSuppressed");
        staleCards = metrics.counter("staleCards");
        customersRetimed = metrics.counter("customersRetimed");
    }

    // --- input 1: cards and visits (keyed) ---

    @Override
    public void processElement1(StreamRecord<CustomerEvent> element) throws Exception {
        CustomerEvent e = element.getValue();
        if (e.card != null) {
            processCard(e.card);
        } else {
            processVisit(e.visit);
        }
    }

    private void processCard(StageEvent card) throws Exception {
        CustomerState s = opportunity.value();
        Stage stage = card.stageEnum();

        if (s == null) {
            if (card.closesOpportunity()) {
                // Won or lost with nothing open (e.g. the opportunity's earlier cards expired): record it.
                status(closed(card, card.occurredAt), card.occurredAt);
                return;
            }
            s = new CustomerState();
            s.tenant = card.tenant;
            s.customerId = card.customerId;
            s.opportunityStart = card.occurredAt;
            s.version = s.opportunityStart << CHANGE_BITS;
            s.lastEventAt = card.occurredAt;
            apply(card, s);
            enterStage(s, stage, card.occurredAt);
            save(s, card.occurredAt);
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
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, s.dueAt);
            if (card.occurredAt > s.dueAt) {
                // The card came after the due time, so the customer was overdue in between. Event time
                // may not have passed the due time yet (a backlog delivers this card before the
                // watermark), so raise the alert here: replays and live runs then agree.
                fireOverdue(s);
            }
        }
        // If the customer was overdue, this card makes it active again.
        apply(card, s);
        s.lastEventAt = Math.max(s.lastEventAt, card.occurredAt);
        if (card.closesOpportunity()) {
            opportunity.clear();
            CustomerStatus row = closed(card, card.occurredAt);
            row.version = nextVersion(s);
            row.highPotential = s.highPotential;
            row.dealValue = s.dealValue;
            row.lastEventAt = s.lastEventAt;
            status(row, card.occurredAt);
            return;
        }
        enterStage(s, stage, card.occurredAt);
        save(s, card.occurredAt);
    }

    /** A visit is activity (it keeps the customer from expiring) but does not satisfy an SLA: only a card does. */
    private void processVisit(VisitEvent visit) throws Exception {
        CustomerState s = opportunity.value();
        if (s == null || visit.occurredAt <= s.lastEventAt) {
            return;
        }
        s.lastEventAt = visit.occurredAt;
        // Activity, not a change of status: the row keeps the current version (a tie goes to the row written
        // last). Visits and cards come from different topics, so their relative order differs between a run
        // and its replay after a restore; if visits counted as changes, the rows of an attempt that failed
        // (ClickHouse keeps them) could outrank the replay's final status with versions the replay never
        // reaches.
        CustomerStatus row = row(s, visit.occurredAt);
        opportunity.update(s);
        status(row, visit.occurredAt);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        CustomerState s = opportunity.value();
        // A timer left behind by a re-timing is deleted, but a stale one must never fire an alert.
        if (s == null || !s.status.equals(ACTIVE) || s.dueAt != timer.getTimestamp()) {
            return;
        }
        fireOverdue(s);
        opportunity.update(s);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // The detector registers no processing-time timers.
    }

    // --- input 2: policies (broadcast) ---

    @Override
    public void processElement2(StreamRecord<PolicyUpdate> element) throws Exception {
        PolicyUpdate u = element.getValue();
        String scope;
        Policy before;
        Policy after;
        try {
            scope = PolicyParser.scope(u.scope);
            before = policies.get(scope);
            if (u.isTombstone()) {
                if (before == null) {
                    return; // removing what is not there (e.g. compaction kept only the tombstone)
                }
                after = null;
            } else {
                after = parser.parse(scope, u.value);
                if (before != null && after.version() <= before.version()) {
                    if (after.version() == before.version() && after.json().equals(before.json())) {
                        return; // the same document again (a producer retry): nothing changes
                    }
                    throw new InvalidEventException("stale_version", "version " + after.version() + " of scope '"
                            + scope + "' is not newer than the current version " + before.version()
                            + "; publish it with version " + (before.version() + 1));
                }
            }
        } catch (InvalidEventException invalid) {
            // Never replaces the valid policy: the scope keeps what it had.
            LOG.warn("Rejected policy record {}: {}", u, invalid.getMessage());
            if (reportsPolicies()) {
                output.collect(POLICY_DEAD_LETTERS, new StreamRecord<>(deadLetter(u, invalid)));
            }
            return;
        }

        resolved.clear();
        if (after == null) {
            policies.remove(scope);
            policyDocuments.remove(scope);
        } else {
            policies.put(scope, after);
            policyDocuments.put(scope, after.json());
        }
        List<String> changed = Policy.changedFields(before, after);
        LOG.info("Policy of scope {} {} (version {}); changed: {}", scope, after == null ? "removed" : "set",
                after == null ? before.version() : after.version(), changed);
        if (reportsPolicies()) {
            output.collect(POLICY_CHANGES, new StreamRecord<>(change(u, scope, before, after, changed)));
        }
        retime(scope);
    }

    /**
     * Customers of the scope that are still waiting get their due time recomputed under the new policy:
     * the old timer is deleted and one at the new due time registered. A due time now in the past fires at
     * the next watermark (LiveWatermarks: about 2 s on a quiet night). Customers already overdue keep the
     * alert they had: it is never raised again or withdrawn by a policy change.
     */
    private void retime(String scope) throws Exception {
        String[] parts = scope.split("/", -1);
        String tenantPrefix = parts[0] + '\u001f';
        this.<String>getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                opportunityDescriptor, (String key, ValueState<CustomerState> state) -> {
                    if (!key.startsWith(tenantPrefix)) {
                        return;
                    }
                    CustomerState s = state.value();
                    if (s == null || !s.status.equals(ACTIVE) || !Policy.covers(scope, s.tenant, s.region, s.team)) {
                        return;
                    }
                    Stage stage = Stage.fromCode(s.stage).orElseThrow();
                    EffectivePolicy p = policyOf(s);
                    long due = p.dueAt(stage, s.stageEnteredAt);
                    if (due == s.dueAt && p.sla(stage).toMillis() == s.slaMillis) {
                        return;
                    }
                    // applyToAllKeys has set this customer as the current key, so the timers are its own.
                    timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, s.dueAt);
                    s.dueAt = due;
                    s.slaMillis = p.sla(stage).toMillis();
                    s.workingTime = p.calendar() != null;
                    timers.registerEventTimeTimer(VoidNamespace.INSTANCE, due);
                    customersRetimed.inc();
                    long changedAt = Math.max(s.lastEventAt, timers.currentWatermark());
                    CustomerStatus row = status(s, changedAt);
                    state.update(s);
                    status(row, changedAt);
                });
    }

    private boolean reportsPolicies() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
    }

    // --- watermarks: event time comes from the cards only ---

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // Policy records carry no event time; they must not hold the detector's clock back.
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus watermarkStatus, int index) throws Exception {
        if (index == 0) {
            processWatermarkStatus(watermarkStatus);
        }
    }

    // --- the rules ---

    private EffectivePolicy policyOf(CustomerState s) {
        // Arrays.asList: a list key that tolerates null parts, as EffectivePolicy.resolve does.
        List<String> key = Arrays.asList(s.tenant, s.region, s.team);
        EffectivePolicy p = resolved.get(key);
        if (p == null) {
            if (resolved.size() >= MAX_RESOLVED) {
                resolved.clear();
            }
            p = EffectivePolicy.resolve(sla, policies::get, s.tenant, s.region, s.team);
            resolved.put(key, p);
        }
        return p;
    }

    /** Marks the customer overdue (待激活) as of its due time and emits the alert, unless the policy switched it off. */
    private void fireOverdue(CustomerState s) {
        LOG.debug("Overdue: {} {} due {} (watermark {})", s.customerId, s.stage, s.dueAt, timers.currentWatermark());
        s.status = OVERDUE;
        status(status(s, s.dueAt), s.dueAt);
        if (!policyOf(s).alertEnabled("stage_overdue")) {
            // Tracked (the status says overdue) but not alerted: the scope switched stage_overdue off.
            alertsSuppressed.inc();
            return;
        }
        output.collect(new StreamRecord<>(alert(s, getProcessingTimeService().getCurrentProcessingTime()), s.dueAt));
        alertsFired.inc();
    }

    /** Stores the state and emits its customer_status row with the next version. */
    private void save(CustomerState s, long changedAt) throws Exception {
        CustomerStatus row = status(s, changedAt);
        opportunity.update(s);
        status(row, changedAt);
    }

    private void status(CustomerStatus row, long at) {
        output.collect(STATUS, new StreamRecord<>(row, at));
    }

    private void enterStage(CustomerState s, Stage stage, long at) {
        EffectivePolicy p = policyOf(s);
        s.stage = stage.code();
        s.stageEnteredAt = at;
        s.dueAt = p.dueAt(stage, at);
        s.slaMillis = p.sla(stage).toMillis();
        s.workingTime = p.calendar() != null;
        s.status = ACTIVE;
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, s.dueAt);
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

    /**
     * The alert id carries the due time, so a re-timed customer's alert names its new due time. Ids stay
     * deterministic: the same cards under the same sequence of policy changes give the same ids.
     */
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
        a.title = OverdueAlertText.title(s);
        // slaMillis is 0 only in state restored from before policies existed: that state used the job's SLA.
        Duration limit = s.slaMillis > 0 ? Duration.ofMillis(s.slaMillis)
                : sla.of(Stage.fromCode(s.stage).orElseThrow());
        a.message = OverdueAlertText.message(s, limit, ZoneId.of(zoneId));
        a.suggestion = OverdueAlertText.suggestion(s);
        return a;
    }

    /**
     * customer_status versions: the opportunity's start (ms) in the high bits, the number of the change
     * within it in the low 16. A later opportunity outranks everything of an earlier one, whatever event
     * times their changes carry: an overdue raised at a due time can lie after a late card that follows it,
     * or after the close and a new opportunity's first card, so event times cannot order the rows.
     */
    static final int CHANGE_BITS = 16;

    private static long nextVersion(CustomerState s) {
        if (s.opportunityStart == 0) {
            // State restored from before this scheme: its versions were plain milliseconds, far below these.
            s.opportunityStart = s.stageEnteredAt;
            s.version = s.opportunityStart << CHANGE_BITS;
        }
        long base = s.opportunityStart << CHANGE_BITS;
        s.version = Math.min(Math.max(s.version + 1, base + 1), base + (1L << CHANGE_BITS) - 1);
        return s.version;
    }

    private static CustomerStatus status(CustomerState s, long changedAt) {
        nextVersion(s);
        return row(s, changedAt);
    }

    /** The customer's status row as of now, at its current version. */
    private static CustomerStatus row(CustomerState s, long changedAt) {
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
        // Nothing was open: this close is an opportunity of its own, starting and ending at the card.
        row.version = (at << CHANGE_BITS) + 1;
        return row;
    }

    private PolicyChange change(PolicyUpdate u, String scope, Policy before, Policy after, List<String> changed) {
        PolicyChange c = new PolicyChange();
        c.scope = scope;
        c.tenant = scope.split("/", -1)[0];
        c.version = after != null ? after.version() : before.version();
        c.change = after != null ? "set" : "removed";
        c.fieldsChanged = String.join(",", changed);
        c.oldPolicy = before == null ? null : before.json();
        c.newPolicy = after == null ? null : after.json();
        c.effectiveAt = getProcessingTimeService().getCurrentProcessingTime();
        c.updatedAt = after == null ? 0 : after.updatedAt();
        c.updatedBy = after == null ? "" : after.updatedBy();
        c.receivedAt = u.publishedAt;
        return c;
    }

    private static DeadLetter deadLetter(PolicyUpdate u, InvalidEventException why) {
        DeadLetter d = new DeadLetter();
        d.topic = u.topic;
        d.partition = u.partition;
        d.offset = u.offset;
        d.key = u.scope;
        byte[] bytes = u.value == null ? new byte[0] : u.value;
        try {
            d.raw = EventParser.utf8(bytes);
            d.rawEncoding = "utf8";
        } catch (InvalidEventException notText) {
            d.raw = Base64.getEncoder().encodeToString(bytes);
            d.rawEncoding = "base64";
        }
        d.errorCode = why.code();
        d.error = why.getMessage();
        d.tenant = u.scope == null ? "" : u.scope.split("/", -1)[0];
        d.receivedAt = u.publishedAt;
        return d;
    }
}

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
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.imports.ImportGate;
import io.salespulse.pipeline.imports.ImportSessionRow;
import io.salespulse.pipeline.policy.PolicyChange;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * Per (tenant, customer): keeps the customer's stage cards in timeline order, finds the stages whose next card
 * did not come within the SLA ({@link TimelineWalk}), raises one {@code stage_overdue} alert per such gap, and
 * withdraws an alert that a card uploaded later proves wrong.
 *
 * <p><b>Time.</b> Two clocks meet here. Due times are in the cards' own time ({@code occurred_at} + SLA, as the
 * run-time policies define it). The operator's clock is arrival time (watermarks from Kafka timestamps, see
 * {@code ArrivalWatermarks}): when it passes {@code due + offline_grace}, every card that arrived before that
 * moment has been read, so the customer is overdue as far as anyone can know, and the alert goes out. A card
 * that arrives later but occurred before the due time (an offline phone uploading its queue) proves the alert
 * wrong: a {@code retraction} alert ({@code retraction:<id>}) follows it to the same groups. The tenant's
 * {@code offline_grace} trades alert latency for fewer retractions.
 *
 * <p><b>Exactness.</b> The walk starts from the sorted cards every time, so which alerts exist depends only on
 * which cards there are: the same history gives the same alert ids however it arrives. A card sent again with
 * the same {@code event_id} (an app retry, before or after the opportunity closed) is recognized and changes
 * nothing. Every id is emitted at most once, so it has one content.
 *
 * <p><b>Imports.</b> A card with an {@code import_id} holds its customer while the import is open (see
 * {@link ImportGate}): no alert is decided for it until every record of the import has been read, then its whole
 * history is decided at once; alerts about moments more than a day back get origin {@code history}.
 *
 * <p>Input 1 (keyed by customer): stage cards and visits. Input 2 (broadcast to every subtask): records of
 * {@code sales.policies} and {@code sales.imports}. Main output: alerts. Side outputs: {@link #STATUS} (a
 * {@code customer_status} row when the customer's status changes), {@link #POLICY_CHANGES} and
 * {@link #POLICY_DEAD_LETTERS} and {@link #IMPORT_SESSIONS} (from subtask 0 only, as every subtask takes the same decision about the same
 * broadcast records).
 *
 * <p>An operator rather than a {@code KeyedBroadcastProcessFunction}: a policy change re-times the customers
 * already waiting and an import's completion releases its customers, both by walking the keyed state and
 * setting timers, which a broadcast function's context cannot do.
 */
public final class OverdueDetector extends AbstractStreamOperator<Alert>
        implements TwoInputStreamOperator<CustomerEvent, PolicyUpdate, Alert>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 3L;

    private static final Logger LOG = LoggerFactory.getLogger(OverdueDetector.class);
    /** Bound of the resolved-policy cache: tenants x regions x teams seen by one subtask, normally far fewer. */
    private static final int MAX_RESOLVED = 10_000;

    public static final OutputTag<CustomerStatus> STATUS = new OutputTag<>("customer-status") {};
    public static final OutputTag<PolicyChange> POLICY_CHANGES = new OutputTag<>("policy-changes") {};
    public static final OutputTag<DeadLetter> POLICY_DEAD_LETTERS = new OutputTag<>("policy-dead-letters") {};
    public static final OutputTag<ImportSessionRow> IMPORT_SESSIONS = new OutputTag<>("import-sessions") {};

    /** scope -> the accepted policy document (JSON). Broadcast state: the same on every subtask, checkpointed. */
    public static final MapStateDescriptor<String, String> POLICIES =
            new MapStateDescriptor<>("policies", Types.STRING, Types.STRING);

    static final String ACTIVE = "active";
    static final String OVERDUE = "overdue";

    /** What the detector is configured with; serializable, it travels with the job graph. */
    public record Settings(StageSla sla, Duration stateTtl, ZoneId zone, Duration offlineGrace, String importsTopic,
            Duration outOfOrderness, Duration unannouncedImportTimeout) implements Serializable {
        public static Settings of(PipelineConfig c) {
            return new Settings(c.sla, c.stateTtl, c.timeZone, c.offlineGrace, c.topicImports, c.outOfOrderness,
                    c.unannouncedImportTimeout);
        }
    }

    private final Settings settings;
    private final ImportGate imports;

    /**
     * The customer's timeline, or null when it has none (never seen, or forgotten after {@code state.ttl} without
     * a card or visit). While it exists, one event-time timer is registered ({@link CustomerTimeline#timerAt}):
     * the next alert due, an import hold to check, or the moment the customer is forgotten.
     */
    private transient ValueStateDescriptor<CustomerTimeline> timelineDescriptor;
    private transient ValueState<CustomerTimeline> timeline;
    /** The state of versions before timelines (one open opportunity); read once per customer and converted. */
    private transient ValueState<CustomerState> formerOpportunity;
    /** Same name as the timers of the former KeyedCoProcessOperator, so older savepoints keep their timers. */
    private transient InternalTimerService<VoidNamespace> timers;
    private transient BroadcastState<String, String> policyDocuments;
    private transient BroadcastState<String, String> importSessions;
    /** The broadcast state parsed, rebuilt on start. */
    private transient Map<String, Policy> policies;
    /** Resolved policies by (tenant, region, team), emptied whenever a policy changes: resolving is per card. */
    private transient Map<List<String>, EffectivePolicy> resolved;
    private transient PolicyParser parser;
    /** Import releases up to this arrival time have been applied to this subtask's customers since the start. */
    private transient long releasesAppliedUpTo;

    private transient Counter alertsFired;
    private transient Counter alertsSuppressed;
    private transient Counter alertsRetracted;
    private transient Counter duplicateCards;
    private transient Counter customersRetimed;
    private transient Counter customersHeld;

    public OverdueDetector(Settings settings) {
        this.settings = settings;
        this.imports = new ImportGate(settings.outOfOrderness(), settings.unannouncedImportTimeout());
    }

    /** Defaults for everything but the SLAs, the state TTL and the zone (tests). */
    public OverdueDetector(StageSla sla, Duration stateTtl, ZoneId zone) {
        this(new Settings(sla, stateTtl, zone, Duration.ZERO, "sales.imports", Duration.ofMillis(500),
                Duration.ofMinutes(15)));
    }

    /** The key of a customer: tenant and customer id (joined by the ASCII unit separator, which ids do not contain). */
    public static String key(String tenant, String customerId) {
        return tenant + '\u001f' + customerId;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        policyDocuments = context.getOperatorStateStore().getBroadcastState(POLICIES);
        importSessions = context.getOperatorStateStore().getBroadcastState(ImportGate.STATE);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Its own serializer; a timeline restored in the POJO format of earlier versions is migrated on start.
        timelineDescriptor = new ValueStateDescriptor<>("timeline", CustomerTimelineSerializer.INSTANCE);
        timeline = getRuntimeContext().getState(timelineDescriptor);
        ValueStateDescriptor<CustomerState> former = new ValueStateDescriptor<>("opportunity", CustomerState.class);
        // Declared as it was written (TTL and all), or its restore would fail.
        former.enableTimeToLive(StateTtlConfig.newBuilder(settings.stateTtl())
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        formerOpportunity = getRuntimeContext().getState(former);
        timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
        parser = new PolicyParser(settings.stateTtl(), settings.zone());
        policies = new HashMap<>();
        resolved = new HashMap<>();
        releasesAppliedUpTo = Long.MIN_VALUE;
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
        alertsRetracted = metrics.counter("overdueAlertsRetracted");
        duplicateCards = metrics.counter("duplicateCards");
        customersRetimed = metrics.counter("customersRetimed");
        customersHeld = metrics.counter("customersHeldForImport");
    }

    // --- input 1: cards and visits (keyed) ---

    @Override
    public void processElement1(StreamRecord<CustomerEvent> element) throws Exception {
        CustomerEvent e = element.getValue();
        long arrival = element.hasTimestamp() ? element.getTimestamp() : e.occurredAt();
        if (e.card != null) {
            processCard(e.card, arrival);
        } else {
            processVisit(e.visit, arrival);
        }
    }

    private void processCard(StageEvent card, long arrival) throws Exception {
        CustomerTimeline t = load();
        if (t == null) {
            t = new CustomerTimeline();
            t.tenant = card.tenant;
            t.customerId = card.customerId;
        }
        CardFact[] cards = TimelineWalk.insert(t.cards, fact(card, arrival));
        if (cards == null) {
            // The same event_id again (an app retry, a re-run import), at any delay: it changes nothing.
            duplicateCards.inc();
            return;
        }
        t.cards = cards;
        t.cardsSeen++;
        t.lastEventAt = Math.max(t.lastEventAt, card.occurredAt);
        t.lastArrivalAt = Math.max(t.lastArrivalAt, arrival);
        long clock = timers.currentWatermark();
        if (card.importId != null) {
            hold(t, card.importId, arrival, clock);
        }
        decide(t, clock, card.occurredAt, false);
    }

    /** A visit is activity (it keeps the customer from being forgotten) but does not satisfy an SLA: only a card does. */
    private void processVisit(VisitEvent visit, long arrival) throws Exception {
        CustomerTimeline t = load();
        if (t == null) {
            return;
        }
        t.lastArrivalAt = Math.max(t.lastArrivalAt, arrival);
        if (visit.occurredAt <= t.lastEventAt) {
            timeline.update(t);
            return;
        }
        // Activity, not a change of status: the row keeps its version (a tie goes to the row written last).
        // Visits and cards come from different topics, so their relative order differs between a run and its
        // replay after a restore; if visits counted in versions, the rows of an attempt that failed (ClickHouse
        // keeps them) could outrank the replay's final status.
        t.lastEventAt = visit.occurredAt;
        decide(t, timers.currentWatermark(), visit.occurredAt, false);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        CustomerTimeline t = load();
        if (t == null || t.timerAt != timer.getTimestamp()) {
            return; // a timer left behind (the customer moved on, or was forgotten)
        }
        t.timerAt = 0;
        long clock = Math.max(timer.getTimestamp(), timers.currentWatermark());
        boolean released = releaseHolds(t, clock);
        if (t.holds.length == 0 && clock >= t.lastArrivalAt + settings.stateTtl().toMillis()
                && nextFire(t, clock) == Long.MAX_VALUE) {
            // No card or visit for state.ttl and nothing left to fire: the customer is forgotten.
            timeline.clear();
            return;
        }
        decide(t, clock, Math.max(t.lastEventAt, clock), released);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // The detector registers no processing-time timers.
    }

    // --- the decisions ---

    /**
     * Walks the timeline and brings everything up to date as of arrival time {@code clock}: alerts whose time
     * has come, retractions of alerts the cards now contradict, the status row, the next timer. Then stores it.
     *
     * @param changedAt event time of the change, for the status row
     * @param releasing an import hold was just released: alerts about moments more than a day back are history
     */
    private void decide(CustomerTimeline t, long clock, long changedAt, boolean releasing) throws Exception {
        TimelineWalk.Result walk = TimelineWalk.walk(t.cards, (card, stage) -> fixDue(t, card, stage));
        long next = Long.MAX_VALUE;
        if (t.holds.length == 0) {
            retract(t, walk, clock);
            for (TimelineWalk.Entry e : walk.entries()) {
                if (!e.isGap(t.cards) || alertOf(t, e.card().idHash) != null) {
                    continue;
                }
                long fireAt = e.dueAt() + grace(t, e.card());
                if (fireAt <= clock) {
                    fire(t, e, fireAt, releasing && fireAt < clock - ImportGate.LIVE_WINDOW);
                } else {
                    next = Math.min(next, fireAt);
                }
            }
            // Only once everything of the cards is decided: a held customer's old opportunities still owe their alerts.
            trim(t);
        } else {
            next = holdsRelease(t);
        }
        writeStatus(t, walk, changedAt);
        long forget = Math.max(t.lastArrivalAt + settings.stateTtl().toMillis(), clock + 1);
        schedule(t, Math.min(next, forget));
        timeline.update(t);
    }

    private void fire(CustomerTimeline t, TimelineWalk.Entry e, long firedAt, boolean history) {
        AlertFact f = new AlertFact();
        f.entryIdHash = e.card().idHash;
        f.stage = e.stage().code();
        f.dueAt = e.dueAt();
        f.firedAt = firedAt;
        EffectivePolicy policy = policyOf(t.tenant, e.card().region, e.card().team);
        f.sent = policy.alertEnabled("stage_overdue");
        f.high = e.highPotential();
        f.history = history;
        t.alerts = append(t.alerts, f);
        if (!f.sent) {
            // Tracked (the status says overdue) but not alerted: the scope switched stage_overdue off.
            alertsSuppressed.inc();
            return;
        }
        Alert a = OverdueAlertText.alert(t, e, firedAt, settings.zone(), now());
        a.origin = history ? Alert.HISTORY : Alert.LIVE;
        output.collect(new StreamRecord<>(a, firedAt));
        alertsFired.inc();
    }

    /** Withdraws every alert sent whose gap the cards no longer show (its stage was answered in time after all). */
    private void retract(CustomerTimeline t, TimelineWalk.Result walk, long clock) {
        for (AlertFact f : t.alerts) {
            if (f.retracted) {
                continue;
            }
            TimelineWalk.Entry e = null;
            for (TimelineWalk.Entry x : walk.entries()) {
                if (x.card().idHash == f.entryIdHash) {
                    e = x;
                }
            }
            if (e != null && e.dueAt() == f.dueAt && e.isGap(t.cards)) {
                continue;
            }
            f.retracted = true;
            if (f.sent) {
                CardFact answer = e != null && e.answeredBy() >= 0 ? t.cards[e.answeredBy()] : newestArrival(t);
                output.collect(new StreamRecord<>(OverdueAlertText.retraction(t, f, cardById(t, f.entryIdHash), answer,
                        settings.zone(), now()), Math.max(clock, answer.arrivedAt)));
                alertsRetracted.inc();
            }
        }
    }

    /** The first arrival time at which some alert of the customer is due to fire; MAX_VALUE when none is pending. */
    private long nextFire(CustomerTimeline t, long clock) {
        TimelineWalk.Result walk = TimelineWalk.walk(t.cards, (card, stage) -> fixDue(t, card, stage));
        long next = Long.MAX_VALUE;
        for (TimelineWalk.Entry e : walk.entries()) {
            if (e.isGap(t.cards) && alertOf(t, e.card().idHash) == null) {
                next = Math.min(next, e.dueAt() + grace(t, e.card()));
            }
        }
        return next;
    }

    private void schedule(CustomerTimeline t, long at) {
        if (t.timerAt == at) {
            return;
        }
        if (t.timerAt != 0) {
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, t.timerAt);
        }
        t.timerAt = at;
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, at);
    }

    /**
     * Drops what can no longer matter: cards of opportunities that closed more than {@code state.ttl} before the
     * customer's latest card (their retries are recognized until then), and the alerts about them.
     */
    private void trim(CustomerTimeline t) {
        long horizon = t.lastEventAt - settings.stateTtl().toMillis();
        int keepFrom = 0;
        for (int i = 0; i < t.cards.length - 1; i++) {
            if (t.cards[i].closes() && t.cards[i].at < horizon) {
                keepFrom = i + 1;
            }
        }
        if (keepFrom == 0) {
            return;
        }
        Set<Long> dropped = new java.util.HashSet<>();
        for (int i = 0; i < keepFrom; i++) {
            dropped.add(t.cards[i].idHash);
        }
        t.cards = Arrays.copyOfRange(t.cards, keepFrom, t.cards.length);
        t.alerts = Arrays.stream(t.alerts).filter(a -> !dropped.contains(a.entryIdHash)).toArray(AlertFact[]::new);
    }

    /** The customer_status row, written when something in it changed. */
    private void writeStatus(CustomerTimeline t, TimelineWalk.Result walk, long changedAt) {
        CustomerStatus row = new CustomerStatus();
        row.tenant = t.tenant;
        row.customerId = t.customerId;
        row.lastEventAt = t.lastEventAt;
        row.highPotential = walk.highPotential();
        row.dealValue = walk.dealValue();
        boolean overdue = false;
        CardFact owner;
        if (walk.current() != null) {
            TimelineWalk.Entry e = walk.current();
            owner = e.card();
            AlertFact f = alertOf(t, owner.idHash);
            overdue = f != null && !f.retracted;
            row.stage = e.stage().code();
            row.status = overdue ? OVERDUE : ACTIVE;
            row.stageEnteredAt = owner.at;
            row.dueAt = e.dueAt();
        } else if (walk.closedBy() != null) {
            owner = walk.closedBy();
            row.stage = Stage.CLOSING.code();
            row.status = owner.outcome;
            row.stageEnteredAt = owner.at;
            row.dueAt = 0;
        } else {
            return; // no card yet
        }
        row.repId = owner.repId;
        row.region = owner.region;
        row.team = owner.team;
        long hash = Objects.hash(row.repId, row.region, row.team, row.stage, row.status, row.highPotential,
                row.dealValue, row.stageEnteredAt, row.dueAt, row.lastEventAt);
        if (hash == t.lastRowHash) {
            return;
        }
        t.lastRowHash = hash;
        row.version = version(t, overdue);
        row.updatedAt = changedAt;
        output.collect(STATUS, new StreamRecord<>(row, changedAt));
    }

    /**
     * customer_status versions: the customer's newest card time (ms) in the high bits, then the number of distinct
     * cards ever seen, then whether the waiting stage is overdue. Every change outranks the one before whatever
     * event times the cards carry (a late card adds a card; a firing sets the low bit; a retraction comes with a
     * card). The same cards give the same versions in a run and its replay after a restore. Above the versions
     * of earlier releases (opportunity start << 16), so an upgrade does not leave old rows on top.
     */
    static long version(CustomerTimeline t, boolean overdue) {
        long newest = t.cards.length == 0 ? 0 : t.cards[t.cards.length - 1].at;
        return (newest << 17) | ((t.cardsSeen & 0xFFFFL) << 1) | (overdue ? 1 : 0);
    }

    // --- imports ---

    private void hold(CustomerTimeline t, String importId, long arrival, long clock) throws Exception {
        for (String h : t.holds) {
            if (h.equals(importId)) {
                return;
            }
        }
        long seenAt = ImportGate.seenAt(arrival, clock);
        if (imports.releaseAt(t.tenant, importId, seenAt, importSessions.immutableEntries()) <= clock) {
            return; // its import has been read completely already: a late copy, decided like a live card
        }
        t.holds = Arrays.copyOf(t.holds, t.holds.length + 1);
        t.holds[t.holds.length - 1] = importId;
        t.holdsSeenAt = Arrays.copyOf(t.holdsSeenAt, t.holdsSeenAt.length + 1);
        t.holdsSeenAt[t.holdsSeenAt.length - 1] = seenAt;
        customersHeld.inc();
    }

    /** Removes the holds whose import has been read completely by {@code clock}; true when one was removed. */
    private boolean releaseHolds(CustomerTimeline t, long clock) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < t.holds.length; i++) {
            if (imports.releaseAt(t.tenant, t.holds[i], t.holdsSeenAt[i], importSessions.immutableEntries()) > clock) {
                ids.add(t.holds[i]);
                seen.add(t.holdsSeenAt[i]);
            }
        }
        if (ids.size() == t.holds.length) {
            return false;
        }
        t.holds = ids.toArray(new String[0]);
        t.holdsSeenAt = seen.stream().mapToLong(Long::longValue).toArray();
        return true;
    }

    /** When the first of the customer's holds can be released (checked again then). */
    private long holdsRelease(CustomerTimeline t) throws Exception {
        long at = Long.MAX_VALUE;
        for (int i = 0; i < t.holds.length; i++) {
            at = Math.min(at, imports.releaseAt(t.tenant, t.holds[i], t.holdsSeenAt[i], importSessions.immutableEntries()));
        }
        return at;
    }

    /**
     * After the clock moved: imports whose records have now all been read release their customers on this
     * subtask (after a start or restore, every release in state is applied once more: holds of customers whose
     * import completed meanwhile).
     */
    private void applyImportReleases(long clock) throws Exception {
        Map<String, Long> released = imports.releasedBetween(releasesAppliedUpTo, clock, importSessions.immutableEntries());
        releasesAppliedUpTo = clock;
        if (!released.isEmpty()) {
            release(released.keySet(), clock);
        }
        imports.expire(clock, importSessions);
    }

    /** Releases this subtask's customers held by the given imports (keys tenant/import_id) whose records are all read. */
    private void release(Set<String> sessionKeys, long clock) throws Exception {
        Set<String> tenants = new java.util.HashSet<>();
        for (String key : sessionKeys) {
            tenants.add(key.substring(0, key.indexOf('/')) + '\u001f');
        }
        this.<String>getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                timelineDescriptor, (String key, ValueState<CustomerTimeline> state) -> {
                    if (!tenants.contains(key.substring(0, key.indexOf('\u001f') + 1))) {
                        return;
                    }
                    CustomerTimeline t = state.value();
                    if (t == null || t.holds.length == 0 || !releaseHolds(t, clock)) {
                        return;
                    }
                    // applyToAllKeys has set this customer as the current key: its state and timers are its own.
                    decide(t, clock, Math.max(t.lastEventAt, clock), true);
                });
    }

    // --- input 2: policies and imports (broadcast) ---

    @Override
    public void processElement2(StreamRecord<PolicyUpdate> element) throws Exception {
        PolicyUpdate u = element.getValue();
        if (settings.importsTopic().equals(u.topic)) {
            io.salespulse.contract.ImportSession session = imports.update(u, importSessions);
            if (session != null && reportsPolicies()) {
                output.collect(IMPORT_SESSIONS, new StreamRecord<>(ImportSessionRow.of(session)));
            }
            long clock = timers.currentWatermark();
            if (session != null && imports.releaseAt(session) <= releasesAppliedUpTo) {
                // The session record came after the clock had passed its release (the control input lags the
                // data): its customers are released now.
                release(Set.of(session.key()), clock);
            }
            return;
        }
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
     * Customers of the scope still waiting in a stage get that stage's due time recomputed under the new policy,
     * and every pending alert its new moment (the offline grace may have changed). A due time now in the past
     * fires at once. An alert already decided stays as it is: a policy change neither raises it again nor
     * withdraws it, and history keeps the due times it had.
     */
    private void retime(String scope) throws Exception {
        String tenantPrefix = scope.split("/", -1)[0] + '\u001f';
        long clock = timers.currentWatermark();
        this.<String>getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                timelineDescriptor, (String key, ValueState<CustomerTimeline> state) -> {
                    if (!key.startsWith(tenantPrefix)) {
                        return;
                    }
                    CustomerTimeline t = state.value();
                    if (t == null) {
                        return;
                    }
                    TimelineWalk.Result walk = TimelineWalk.walk(t.cards, (card, stage) -> fixDue(t, card, stage));
                    TimelineWalk.Entry e = walk.current();
                    if (e == null || !Policy.covers(scope, t.tenant, e.card().region, e.card().team)) {
                        return;
                    }
                    if (alertOf(t, e.card().idHash) == null) {
                        long before = e.card().dueAt;
                        fixDue(t, e.card(), e.stage());
                        if (e.card().dueAt != before) {
                            customersRetimed.inc();
                        }
                    }
                    // applyToAllKeys has set this customer as the current key, so the timers are its own.
                    decide(t, clock, Math.max(t.lastEventAt, clock), false);
                });
    }

    private boolean reportsPolicies() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
    }

    // --- watermarks: the clock comes from the input records only ---

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
        if (mark.getTimestamp() > releasesAppliedUpTo) {
            applyImportReleases(mark.getTimestamp());
        }
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // Policy and import records carry no time of their own; they must not hold the detector's clock back.
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus watermarkStatus, int index) throws Exception {
        if (index == 0) {
            processWatermarkStatus(watermarkStatus);
        }
    }

    // --- the rules ---

    private EffectivePolicy policyOf(String tenant, String region, String team) {
        // Arrays.asList: a list key that tolerates null parts, as EffectivePolicy.resolve does.
        List<String> key = Arrays.asList(tenant, region, team);
        EffectivePolicy p = resolved.get(key);
        if (p == null) {
            if (resolved.size() >= MAX_RESOLVED) {
                resolved.clear();
            }
            p = EffectivePolicy.resolve(settings.sla(), settings.offlineGrace(), policies::get, tenant, region, team);
            resolved.put(key, p);
        }
        return p;
    }

    /** Fixes a card's due time for the stage it enters, under the policy of the card's owner. */
    private void fixDue(CustomerTimeline t, CardFact card, Stage stage) {
        EffectivePolicy p = policyOf(t.tenant, card.region, card.team);
        card.dueAt = p.dueAt(stage, card.at);
        card.slaMillis = p.sla(stage).toMillis();
        card.workingTime = p.calendar() != null;
    }

    private long grace(CustomerTimeline t, CardFact entry) {
        return policyOf(t.tenant, entry.region, entry.team).offlineGrace().toMillis();
    }

    /** The customer's timeline, converting the state of earlier versions (one open opportunity) on first access. */
    private CustomerTimeline load() throws Exception {
        CustomerTimeline t = timeline.value();
        if (t != null) {
            return t;
        }
        CustomerState former = formerOpportunity.value();
        if (former == null) {
            return null;
        }
        formerOpportunity.clear();
        t = FormerState.convert(former);
        timeline.update(t);
        return t;
    }

    private static AlertFact alertOf(CustomerTimeline t, long entryIdHash) {
        for (AlertFact a : t.alerts) {
            if (a.entryIdHash == entryIdHash) {
                return a;
            }
        }
        return null;
    }

    private static CardFact cardById(CustomerTimeline t, long idHash) {
        for (CardFact c : t.cards) {
            if (c.idHash == idHash) {
                return c;
            }
        }
        return null;
    }

    private static CardFact newestArrival(CustomerTimeline t) {
        CardFact newest = t.cards[0];
        for (CardFact c : t.cards) {
            if (c.arrivedAt > newest.arrivedAt) {
                newest = c;
            }
        }
        return newest;
    }

    private static AlertFact[] append(AlertFact[] alerts, AlertFact f) {
        AlertFact[] out = Arrays.copyOf(alerts, alerts.length + 1);
        out[alerts.length] = f;
        return out;
    }

    private static CardFact fact(StageEvent card, long arrival) {
        CardFact f = new CardFact();
        f.idHash = idHash(card.eventId);
        f.at = card.occurredAt;
        f.arrivedAt = arrival;
        f.rank = card.stageEnum().rank();
        f.outcome = card.outcome;
        f.highPotential = card.highPotential;
        f.dealValue = card.dealValue;
        f.objectionTag = card.objectionTag;
        f.repId = card.repId;
        f.region = card.region;
        f.team = card.team;
        return f;
    }

    /** FNV-1a over the id's UTF-16 units, then a final mix: 64 bits, collisions only matter within one customer. */
    static long idHash(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < eventId.length(); i++) {
            h ^= eventId.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
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

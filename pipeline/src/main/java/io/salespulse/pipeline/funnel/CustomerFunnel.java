package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per (tenant, customer): turns stage cards into funnel facts.
 *
 * <ul>
 *   <li>Main output: {@link FunnelEntry} upserts, one per (opportunity, stage) the customer entered, with the time
 *       it advanced. An opportunity runs from its first card to a closing won/lost card (inclusive); the entry
 *       into stage S is the opportunity's first S card; it advanced at the first later card (in occurred_at,
 *       event_id order) of a higher stage, for closing at the first won closing card. Only changes are emitted,
 *       so a duplicate card emits nothing and a late card emits corrections (a retraction is {@code deleted}).
 *   <li>{@link #OBJECTIONS}: every objection card once. {@link #HISTORIES}: the customer's stage history, to every
 *       team it belongs or belonged to, when it changes (for the digest). {@link #COACHING}: {@code coaching}
 *       alerts for N same objection tags of one rep in one opportunity.
 * </ul>
 *
 * <p>Everything is decided from the cards in occurred_at order, so it does not depend on the order they arrive
 * in. A repeated-objection case is alerted once (one per opportunity, rep and tag): a group sharing a card with a
 * case alerted before is that case. While a card of the customer belongs to an import not read completely, its
 * coaching waits (polled every 30 s of arrival time) and is decided at the release, with origin {@code history}
 * for cases more than a day old.
 *
 * <p>State: the customer's cards, trimmed of opportunities closed longer than the retention ago, the entries
 * emitted for them, the history sent, the cases alerted and the import holds. One timer (arrival time): a held
 * customer's next poll, else the moment it is forgotten, once no card arrived or occurred for the retention plus
 * a day.
 *
 * <p>Input 2 (broadcast): the control stream; only import sessions matter here.
 */
public final class CustomerFunnel extends KeyedBroadcastProcessFunction<String, StageEvent, PolicyUpdate, FunnelEntry> {
    private static final long serialVersionUID = 1L;
    private static final long DAY = 86_400_000L;
    private static final int VERSION = 2;

    public static final OutputTag<RegionFact> OBJECTIONS = new OutputTag<>("funnel-objections") {};
    public static final OutputTag<CustomerHistory> HISTORIES = new OutputTag<>("funnel-histories") {};
    public static final OutputTag<Alert> COACHING = new OutputTag<>("funnel-coaching") {};

    private final FunnelSettings settings;
    private final FunnelImports imports;
    private transient ValueState<CustomerFunnelState> customer;

    public CustomerFunnel(FunnelSettings settings) {
        this.settings = settings;
        this.imports = new FunnelImports(settings);
    }

    public static String key(String tenant, String customerId) {
        return tenant + '\u001f' + customerId;
    }

    @Override
    public void open(OpenContext openContext) {
        customer = getRuntimeContext().getState(new ValueStateDescriptor<>("funnel-customer", CustomerFunnelState.class));
    }

    @Override
    public void processElement(StageEvent card, ReadOnlyContext ctx, Collector<FunnelEntry> out) throws Exception {
        CustomerFunnelState s = customer.value();
        if (s == null) {
            s = new CustomerFunnelState();
        }
        convert(s);
        for (CardRef c : s.cards) {
            if (c.eventId.equals(card.eventId)) {
                return; // a re-submitted card (same event_id): already counted
            }
        }
        long clock = ctx.currentWatermark();
        long arrival = ctx.timestamp() == null ? clock : ctx.timestamp();
        CardRef ref = ref(card);
        List<CardRef> cards = new ArrayList<>(Arrays.asList(s.cards));
        int at = 0;
        while (at < cards.size() && cards.get(at).before(ref)) {
            at++;
        }
        cards.add(at, ref);
        trimClosedOpportunities(cards, cards.get(cards.size() - 1).at, s);
        s.cards = cards.toArray(new CardRef[0]);
        s.lastArrivalAt = Math.max(s.lastArrivalAt, arrival);
        imports.hold(s.holds, card.tenant, card.importId, ctx);

        if (card.objectionTag != null && Stage.OBJECTION.code().equals(card.stage)) {
            ctx.output(OBJECTIONS, RegionFact.of(objection(card)));
        }
        coach(s, card.tenant, card.customerId, clock, false, ctx);
        s.emitted = emitChanges(card, cards, s.emitted, out);
        emitHistory(card, s, ctx);
        schedule(s, clock, ctx.timerService());
        customer.update(s);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<FunnelEntry> out) throws Exception {
        imports.apply(u, ctx); // policies do not concern the customer funnel
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelEntry> out) throws Exception {
        CustomerFunnelState s = customer.value();
        if (s == null) {
            return;
        }
        convert(s);
        TimerService timers = ctx.timerService();
        s.timerAt = OneTimer.fired(s.timerAt, timestamp, timers);
        long clock = timers.currentWatermark();
        String tenant = ctx.getCurrentKey().substring(0, ctx.getCurrentKey().indexOf('\u001f'));
        boolean released = imports.release(tenant, s.holds, clock, FunnelImports.sessions(ctx));
        if (released && s.holds.isEmpty()) {
            coach(s, tenant, ctx.getCurrentKey().substring(tenant.length() + 1), clock, true, ctx);
        }
        if (s.holds.isEmpty() && clock >= expiry(s)) {
            // Silent past the retention: its entries are outside every window and baseline; the digest forgets an
            // open customer silent that long by itself.
            customer.clear();
            return;
        }
        schedule(s, clock, timers);
        customer.update(s);
    }

    /** Poll while held by an import, else wait for the moment the customer is forgotten. */
    private void schedule(CustomerFunnelState s, long clock, TimerService timers) {
        s.timerAt = OneTimer.move(s.timerAt, s.holds.isEmpty() ? expiry(s) : clock + FunnelImports.POLL, timers);
    }

    /** Arrival time at which the customer is forgotten: the retention plus a day after its newest card (by either time). */
    private long expiry(CustomerFunnelState s) {
        long newest = s.cards.length == 0 ? Long.MIN_VALUE / 2 : s.cards[s.cards.length - 1].at;
        return Math.max(newest, s.lastArrivalAt) + settings.retentionMs() + DAY;
    }

    /**
     * State of an earlier version: the repeated-objection cases it had then were alerted as their N-th card came,
     * so every group of N or more counts as alerted.
     */
    private void convert(CustomerFunnelState s) {
        if (s.version >= VERSION) {
            return;
        }
        s.version = VERSION;
        s.snapshot = null;
        s.coached = new CoachingCase[0];
        s.holds = s.holds == null ? new ImportHolds() : s.holds;
        s.historyTeams = s.historyTeams == null ? new String[0] : s.historyTeams;
        for (List<CardRef> group : objectionGroups(Arrays.asList(s.cards))) {
            if (group.size() >= settings.repeatedObjections) {
                s.coached = append(s.coached, coachingCase(group));
            }
        }
    }

    /** Drops opportunities that closed more than the retention before the newest card; their entries can no longer count. */
    private void trimClosedOpportunities(List<CardRef> cards, long latest, CustomerFunnelState s) {
        int keepFrom = 0;
        for (int i = 0; i < cards.size(); i++) {
            if (cards.get(i).closes() && cards.get(i).at < latest - settings.retentionMs() - DAY) {
                keepFrom = i + 1;
            }
        }
        if (keepFrom == 0) {
            return;
        }
        long firstKept = keepFrom < cards.size() ? cards.get(keepFrom).at : Long.MAX_VALUE;
        cards.subList(0, keepFrom).clear();
        s.emitted = Arrays.stream(s.emitted).filter(e -> e.entryAt >= firstKept).toArray(FunnelEntry[]::new);
    }

    /** Recomputes every entry from the cards and emits those that differ from what was emitted before. */
    private FunnelEntry[] emitChanges(StageEvent card, List<CardRef> cards, FunnelEntry[] before,
            Collector<FunnelEntry> out) {
        Map<String, FunnelEntry> old = new HashMap<>();
        for (FunnelEntry e : before) {
            old.put(e.entryId, e);
        }
        List<FunnelEntry> now = entries(card.tenant, card.customerId, cards);
        for (FunnelEntry e : now) {
            FunnelEntry was = old.remove(e.entryId);
            if (e.sameAs(was)) {
                continue;
            }
            if (was != null && !was.region.equals(e.region)) {
                old.put(e.entryId, was); // it moves to another region's key: retracted from the old one below
            }
            e.importId = card.importId;
            out.collect(e);
        }
        for (FunnelEntry gone : old.values()) {
            FunnelEntry retraction = copy(gone);
            retraction.deleted = true;
            retraction.importId = card.importId;
            out.collect(retraction);
        }
        return now.toArray(new FunnelEntry[0]);
    }

    /** The measure of docs/funnel.md: one entry per (opportunity, stage). */
    static List<FunnelEntry> entries(String tenant, String customerId, List<CardRef> cards) {
        List<FunnelEntry> out = new ArrayList<>();
        int start = 0;
        while (start < cards.size()) {
            int end = start;
            while (end < cards.size() - 1 && !cards.get(end).closes()) {
                end++;
            }
            long opportunityStart = cards.get(start).at;
            for (Stage stage : Stage.values()) {
                int first = -1;
                for (int i = start; i <= end && first < 0; i++) {
                    if (cards.get(i).rank == stage.rank()) {
                        first = i;
                    }
                }
                if (first < 0) {
                    continue;
                }
                CardRef entry = cards.get(first);
                FunnelEntry e = new FunnelEntry();
                e.tenant = tenant;
                e.customerId = customerId;
                e.region = entry.region;
                e.team = entry.team;
                e.rep = entry.rep;
                e.stage = stage.code();
                e.entryId = customerId + ":" + stage.code() + ":" + opportunityStart;
                e.entryAt = entry.at;
                for (int j = stage == Stage.CLOSING ? first : first + 1; j <= end; j++) {
                    CardRef c = cards.get(j);
                    boolean advances = stage == Stage.CLOSING ? "won".equals(c.outcome) : c.rank > stage.rank();
                    if (advances) {
                        e.advancedAt = c.at;
                        break;
                    }
                }
                out.add(e);
            }
            start = end + 1;
        }
        return out;
    }

    /**
     * Repeated objections: the same rep filed the same objection tag N times on this customer within one
     * opportunity (objection cards come between proposal and closing, so the customer did not advance meanwhile).
     * Every such group not alerted yet is alerted once; its id carries the N-th card's time. Waits while the
     * customer is held by an import.
     *
     * @param releasing decided at an import's release: cases more than a day old are history
     */
    private void coach(CustomerFunnelState s, String tenant, String customerId, long clock, boolean releasing,
            ReadOnlyContext ctx) {
        if (!s.holds.isEmpty()) {
            return;
        }
        int n = settings.repeatedObjections;
        for (List<CardRef> group : objectionGroups(Arrays.asList(s.cards))) {
            if (group.size() < n || alerted(s, group)) {
                continue;
            }
            CardRef nth = group.get(n - 1);
            Alert a = FunnelText.repeatedObjection(tenant, customerId, nth, n, settings.zone());
            a.emittedAt = ctx.currentProcessingTime();
            a.origin = releasing && FunnelImports.aboutThePast(nth.at, clock) ? Alert.HISTORY : Alert.LIVE;
            s.coached = append(s.coached, coachingCase(group));
            ctx.output(COACHING, a);
        }
    }

    /** The objection cards of each (opportunity, rep, tag), in card order. */
    private static List<List<CardRef>> objectionGroups(List<CardRef> cards) {
        List<List<CardRef>> groups = new ArrayList<>();
        Map<List<String>, List<CardRef>> open = new LinkedHashMap<>();
        for (CardRef c : cards) {
            if (c.rank == Stage.OBJECTION.rank() && c.objectionTag != null) {
                open.computeIfAbsent(Arrays.asList(c.rep, c.objectionTag), k -> new ArrayList<>()).add(c);
            }
            if (c.closes()) {
                groups.addAll(open.values());
                open.clear();
            }
        }
        groups.addAll(open.values());
        return groups;
    }

    private static boolean alerted(CustomerFunnelState s, List<CardRef> group) {
        for (CoachingCase c : s.coached) {
            if (!Objects.equals(c.rep, group.get(0).rep) || !Objects.equals(c.tag, group.get(0).objectionTag)) {
                continue;
            }
            for (String id : c.eventIds) {
                for (CardRef g : group) {
                    if (g.eventId.equals(id)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static CoachingCase coachingCase(List<CardRef> group) {
        CoachingCase c = new CoachingCase();
        c.rep = group.get(0).rep;
        c.tag = group.get(0).objectionTag;
        c.eventIds = group.stream().map(g -> g.eventId).toArray(String[]::new);
        return c;
    }

    private static CoachingCase[] append(CoachingCase[] cases, CoachingCase c) {
        CoachingCase[] out = Arrays.copyOf(cases, cases.length + 1);
        out[cases.length] = c;
        return out;
    }

    /** Sends the stage history to every team in it or in the one sent before, when it changed. */
    private void emitHistory(StageEvent card, CustomerFunnelState s, ReadOnlyContext ctx) {
        StageInterval[] intervals = history(s.cards);
        long hash = 1;
        TreeSet<String> teams = new TreeSet<>(Arrays.asList(s.historyTeams));
        for (StageInterval i : intervals) {
            hash = 31 * hash + i.hash();
            teams.add(i.team);
        }
        if (hash == s.historyHash) {
            return;
        }
        for (String team : teams) {
            CustomerHistory h = new CustomerHistory();
            h.tenant = card.tenant;
            h.customerId = card.customerId;
            h.team = team;
            h.lastCardAt = s.cards[s.cards.length - 1].at;
            h.intervals = intervals;
            h.importId = card.importId;
            ctx.output(HISTORIES, h);
        }
        s.historyHash = hash;
        s.historyTeams = Arrays.stream(intervals).map(i -> i.team).distinct().toArray(String[]::new);
    }

    /**
     * Where the customer stood after each card: open in the highest stage its opportunity reached (a repeated card
     * of that stage restarts its clock), or won/lost at a closing card; owner (rep, region, team) of the latest
     * card; high potential when any card of the opportunity says so. One interval per card: the digest forgets a
     * customer silent (no card) for the retention plus a day.
     */
    static StageInterval[] history(CardRef[] cards) {
        List<StageInterval> out = new ArrayList<>();
        CardRef current = null;
        boolean highPotential = false;
        for (CardRef c : cards) {
            StageInterval i = new StageInterval();
            i.from = c.at;
            highPotential |= c.highPotential;
            if (current == null || c.rank >= current.rank) {
                current = c;
            }
            i.status = c.closes() ? c.outcome : CustomerHistory.OPEN;
            i.stage = Stage.values()[current.rank].code();
            i.stageEnteredAt = c.closes() ? c.at : current.at;
            i.highPotential = highPotential;
            i.rep = c.rep;
            i.region = c.region;
            i.team = c.team;
            if (c.closes()) {
                current = null;
                highPotential = false;
            }
            out.add(i);
        }
        return out.toArray(new StageInterval[0]);
    }

    private static CardRef ref(StageEvent card) {
        CardRef r = new CardRef();
        r.eventId = card.eventId;
        r.at = card.occurredAt;
        r.rank = card.stageEnum().rank();
        r.outcome = card.outcome;
        r.region = card.region;
        r.team = card.team;
        r.rep = card.repId;
        r.objectionTag = card.objectionTag;
        r.scripted = card.scriptId != null && !card.scriptId.isBlank();
        r.highPotential = card.highPotential;
        return r;
    }

    private static ObjectionFact objection(StageEvent card) {
        ObjectionFact f = new ObjectionFact();
        f.tenant = card.tenant;
        f.region = card.region;
        f.team = card.team;
        f.rep = card.repId;
        f.customerId = card.customerId;
        f.tag = card.objectionTag;
        f.scripted = card.scriptId != null && !card.scriptId.isBlank();
        f.at = card.occurredAt;
        f.importId = card.importId;
        return f;
    }

    private static FunnelEntry copy(FunnelEntry e) {
        FunnelEntry c = new FunnelEntry();
        c.tenant = e.tenant;
        c.region = e.region;
        c.team = e.team;
        c.rep = e.rep;
        c.customerId = e.customerId;
        c.stage = e.stage;
        c.entryId = e.entryId;
        c.entryAt = e.entryAt;
        c.advancedAt = e.advancedAt;
        c.deleted = e.deleted;
        return c;
    }
}

package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
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
 *   <li>{@link #OBJECTIONS}: every objection card once. {@link #SNAPSHOTS}: the customer's current stage when it
 *       changes (for the digest). {@link #COACHING}: {@code coaching} alerts for N same objection tags in a row.
 * </ul>
 *
 * State: the customer's cards, trimmed of opportunities closed longer than the retention ago, and the entries
 * emitted for them; everything is cleared by an event-time timer once the customer has been silent for the
 * retention (window + baseline weeks) plus a day.
 */
public final class CustomerFunnel extends KeyedProcessFunction<String, StageEvent, FunnelEntry> {
    private static final long serialVersionUID = 1L;
    private static final long DAY = 86_400_000L;

    public static final OutputTag<ObjectionFact> OBJECTIONS = new OutputTag<>("funnel-objections") {};
    public static final OutputTag<CustomerSnapshot> SNAPSHOTS = new OutputTag<>("funnel-snapshots") {};
    public static final OutputTag<Alert> COACHING = new OutputTag<>("funnel-coaching") {};

    private final FunnelSettings settings;
    private transient ValueState<CustomerFunnelState> customer;

    public CustomerFunnel(FunnelSettings settings) {
        this.settings = settings;
    }

    public static String key(String tenant, String customerId) {
        return tenant + '\u001f' + customerId;
    }

    @Override
    public void open(OpenContext openContext) {
        customer = getRuntimeContext().getState(new ValueStateDescriptor<>("funnel-customer", CustomerFunnelState.class));
    }

    @Override
    public void processElement(StageEvent card, Context ctx, Collector<FunnelEntry> out) throws Exception {
        CustomerFunnelState s = customer.value();
        if (s == null) {
            s = new CustomerFunnelState();
        }
        for (CardRef c : s.cards) {
            if (c.eventId.equals(card.eventId)) {
                return; // a re-submitted card (same event_id): already counted
            }
        }
        CardRef ref = ref(card);
        List<CardRef> cards = new ArrayList<>(Arrays.asList(s.cards));
        int at = 0;
        while (at < cards.size() && cards.get(at).before(ref)) {
            at++;
        }
        cards.add(at, ref);
        long latest = cards.get(cards.size() - 1).at;
        ctx.timerService().deleteEventTimeTimer(expiry(s.cards));
        trimClosedOpportunities(cards, latest, s);
        s.cards = cards.toArray(new CardRef[0]);
        ctx.timerService().registerEventTimeTimer(expiry(s.cards));

        if (card.objectionTag != null && Stage.OBJECTION.code().equals(card.stage)) {
            ctx.output(OBJECTIONS, objection(card));
            repeatedObjection(cards, ref, card).ifPresent(a -> {
                a.emittedAt = ctx.timerService().currentProcessingTime();
                ctx.output(COACHING, a);
            });
        }
        s.emitted = emitChanges(card, cards, s.emitted, out);
        emitSnapshot(card, cards, s, ctx);
        customer.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelEntry> out) throws Exception {
        CustomerFunnelState s = customer.value();
        if (s == null || expiry(s.cards) != timestamp) {
            return;
        }
        // Silent past the retention: its entries are outside every window and baseline. The digest forgets it too.
        if (s.snapshot != null && CustomerSnapshot.OPEN.equals(s.snapshot.status)) {
            CustomerSnapshot gone = copy(s.snapshot);
            gone.status = CustomerSnapshot.GONE;
            gone.at = timestamp;
            ctx.output(SNAPSHOTS, gone);
        }
        customer.clear();
    }

    private long expiry(CardRef[] cards) {
        return cards.length == 0 ? Long.MIN_VALUE : cards[cards.length - 1].at + settings.retentionMs() + DAY;
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
            if (!e.sameAs(old.remove(e.entryId))) {
                out.collect(e);
            }
        }
        for (FunnelEntry gone : old.values()) {
            FunnelEntry retraction = copy(gone);
            retraction.deleted = true;
            out.collect(retraction);
        }
        return now.toArray(new FunnelEntry[0]);
    }

    /** The measure of the README, section "Funnel windows": one entry per (opportunity, stage). */
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
     * The same rep filed the same objection tag N times on this customer within one opportunity (objection cards
     * come between proposal and closing, so the customer did not advance meanwhile). The card that makes the N-th
     * raises the alert; its id carries the N-th card's time, so each case alerts once.
     */
    private java.util.Optional<Alert> repeatedObjection(List<CardRef> cards, CardRef added, StageEvent card) {
        int n = settings.repeatedObjections;
        int i = cards.indexOf(added);
        int from = i;
        while (from > 0 && !cards.get(from - 1).closes()) {
            from--;
        }
        List<CardRef> same = new ArrayList<>();
        for (int j = from; j < cards.size() && (j == from || !cards.get(j - 1).closes()); j++) {
            if (sameObjection(cards.get(j), added)) {
                same.add(cards.get(j));
            }
        }
        if (same.size() < n || same.indexOf(added) > n - 1) {
            return java.util.Optional.empty();
        }
        CardRef nth = same.get(n - 1);
        return java.util.Optional.of(FunnelText.repeatedObjection(card.tenant, card.customerId, added, nth, n,
                card.highPotential, settings.zone()));
    }

    private static boolean sameObjection(CardRef c, CardRef added) {
        return c.rank == Stage.OBJECTION.rank() && Objects.equals(c.objectionTag, added.objectionTag)
                && Objects.equals(c.rep, added.rep);
    }

    private void emitSnapshot(StageEvent card, List<CardRef> cards, CustomerFunnelState s, Context ctx) {
        int start = 0;
        for (int i = 0; i < cards.size() - 1; i++) {
            if (cards.get(i).closes()) {
                start = i + 1;
            }
        }
        CardRef last = cards.get(cards.size() - 1);
        CardRef current = cards.get(start);
        boolean highPotential = false;
        for (int i = start; i < cards.size(); i++) {
            CardRef c = cards.get(i);
            // The current stage: the highest one reached; a repeated card of it restarts its clock.
            if (c.rank >= current.rank) {
                current = c;
            }
            highPotential |= c.highPotential;
        }
        CustomerSnapshot now = new CustomerSnapshot();
        now.tenant = card.tenant;
        now.customerId = card.customerId;
        now.region = last.region;
        now.team = last.team;
        now.rep = last.rep;
        now.status = last.closes() ? last.outcome : CustomerSnapshot.OPEN;
        now.stage = Stage.values()[current.rank].code();
        now.stageEnteredAt = last.closes() ? last.at : current.at;
        now.highPotential = highPotential;
        now.at = Math.max(card.occurredAt, s.snapshot == null ? Long.MIN_VALUE : s.snapshot.at);
        CustomerSnapshot before = s.snapshot;
        if (before != null && before.team.equals(now.team) && before.region.equals(now.region)
                && before.status.equals(now.status) && before.stage.equals(now.stage)
                && before.stageEnteredAt == now.stageEnteredAt && before.highPotential == now.highPotential
                && before.rep.equals(now.rep)) {
            return;
        }
        if (before != null && CustomerSnapshot.OPEN.equals(before.status)
                && (!before.team.equals(now.team) || !before.region.equals(now.region))) {
            CustomerSnapshot gone = copy(before);
            gone.status = CustomerSnapshot.GONE;
            gone.at = now.at;
            ctx.output(SNAPSHOTS, gone);
        }
        ctx.output(SNAPSHOTS, now);
        s.snapshot = now;
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

    private static CustomerSnapshot copy(CustomerSnapshot s) {
        CustomerSnapshot c = new CustomerSnapshot();
        c.tenant = s.tenant;
        c.region = s.region;
        c.team = s.team;
        c.rep = s.rep;
        c.customerId = s.customerId;
        c.stage = s.stage;
        c.status = s.status;
        c.stageEnteredAt = s.stageEnteredAt;
        c.highPotential = s.highPotential;
        c.at = s.at;
        return c;
    }
}

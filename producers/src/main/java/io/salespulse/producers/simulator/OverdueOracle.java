package io.salespulse.producers.simulator;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.contract.VisitEvent;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedRetraction;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference model of overdue detection on records as they arrive: what a correct pipeline emits, retracts
 * and shows, given when each record reached the system. Pure Java, no Flink, written to be obviously right
 * rather than fast: for every customer it recomputes everything from scratch at every instant something can
 * change (a record arrives, or a gap's {@code due + grace} passes).
 *
 * <ul>
 *   <li>Per customer, the stage cards that have arrived, sorted by (occurred_at, event_id), one per event_id,
 *       are walked in order. A won/lost closing ends the opportunity; the first card of an opportunity enters its
 *       stage; a later card moves the customer on when its stage ranks higher than the current one, or the same
 *       and strictly later; any other card is ignored. Every entry but a won/lost closing is due at
 *       {@code occurred_at + SLA(stage)}.
 *   <li>An entry is a gap when its next moving card (of the same opportunity) is absent or occurred after the
 *       due time. Each gap is one {@code stage_overdue} alert, emitted at the first instant
 *       {@code t >= due + grace} at which the cards arrived by {@code t} make it a gap; {@code fired_at = due +
 *       grace}. Once emitted, it is retracted at the arrival that removes the gap. Each at most once.
 *   <li>A history import's records arrive together at the import's completion; its customers are held (no
 *       emission, no retraction) from the import's opening until then. Alerts emitted at the completion are
 *       {@code history} when {@code fired_at} lies more than 24 h before it, else {@code live}.
 *   <li>Visits and acks do not change alerts; they are only counted (distinct event ids per kind).
 * </ul>
 */
public final class OverdueOracle {
    /** Alerts an import completes that fired longer ago than this are about the past ({@code history}). */
    static final Duration HISTORY_AGE = Duration.ofHours(24);

    private static final EventParser PARSER = new EventParser();

    /** The three input kinds; {@link #label} names them in the ground truth. */
    public enum Kind {
        STAGE_CARD("stage_cards"), VISIT("visits"), ACK("acks");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One valid record and the instant it reached the system. {@code customerId} is null for acks, {@code card}
     * only set for stage cards; {@code importId} is the history import the record belongs to, or null.
     */
    public record Arrival(Instant arrivedAt, Kind kind, String eventId, String tenant, String customerId,
            String importId, StageEvent card) {

        public Arrival {
            Objects.requireNonNull(arrivedAt, "arrivedAt");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(eventId, "eventId");
        }

        public static Arrival card(StageEvent card, Instant arrivedAt) {
            return new Arrival(arrivedAt, Kind.STAGE_CARD, card.eventId, card.tenant, card.customerId, card.importId,
                    card);
        }

        public static Arrival visit(VisitEvent visit, Instant arrivedAt) {
            return new Arrival(arrivedAt, Kind.VISIT, visit.eventId, visit.tenant, visit.customerId, visit.importId,
                    null);
        }

        public static Arrival ack(AckEvent ack, Instant arrivedAt) {
            return new Arrival(arrivedAt, Kind.ACK, ack.eventId, ack.tenant, null, ack.importId, null);
        }

        /**
         * A record of an input topic as the pipeline would read it (the contract's parser, judged against the
         * arrival instant); null when the parser rejects it (a dead letter) or the topic is not an input topic.
         */
        public static Arrival parse(String topic, byte[] value, Instant arrivedAt) {
            long at = arrivedAt.toEpochMilli();
            try {
                return switch (topic) {
                    case Topics.STAGES -> card(PARSER.parseStage(value, at), arrivedAt);
                    case Topics.VISITS -> visit(PARSER.parseVisit(value, at), arrivedAt);
                    case Topics.ACKS -> ack(PARSER.parseAck(value, at), arrivedAt);
                    default -> null;
                };
            } catch (InvalidEventException e) {
                return null;
            }
        }

        /** The same record as part of the history import {@code importId} (an importer sets {@code import_id}). */
        public Arrival inImport(String importId) {
            return new Arrival(arrivedAt, kind, eventId, tenant, customerId, importId, card);
        }
    }

    /** A history import of one tenant: opened at {@code openedAt}, every record of it sent by {@code completedAt}. */
    public record ImportWindow(String tenant, String importId, Instant openedAt, Instant completedAt) {
        public ImportWindow {
            if (completedAt.isBefore(openedAt)) {
                throw new IllegalArgumentException("import " + importId + " completes before it opens");
            }
        }

        boolean holds(Instant t) {
            return !t.isBefore(openedAt) && t.isBefore(completedAt);
        }
    }

    private final StageSla sla;
    private final Duration grace;

    /** @param grace the tenant's {@code offline_grace}: how long after the due time an alert waits */
    public OverdueOracle(StageSla sla, Duration grace) {
        this.sla = Objects.requireNonNull(sla, "sla");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        this.grace = grace;
    }

    /** Live records only: {@link #run(Collection, Collection, Instant)} without imports. */
    public ExpectedOutcomes run(Collection<Arrival> arrivals, Instant end) {
        return run(arrivals, List.of(), end);
    }

    /**
     * What a correct pipeline has emitted, retracted and shows at {@code end}, from the records arrived by then.
     *
     * @throws IllegalArgumentException when a record names an import that is not in {@code imports}
     */
    public ExpectedOutcomes run(Collection<Arrival> arrivals, Collection<ImportWindow> imports, Instant end) {
        Map<String, ImportWindow> windows = new HashMap<>();
        for (ImportWindow w : imports) {
            windows.put(w.tenant() + "/" + w.importId(), w);
        }
        // The first arrival of each event id counts; a retry or a duplicate changes nothing.
        Map<String, Arrival> first = new HashMap<>();
        Map<Customer, List<ImportWindow>> held = new TreeMap<>();
        for (Arrival a : arrivals) {
            Instant at = a.arrivedAt();
            if (a.importId() != null) {
                ImportWindow w = windows.get(a.tenant() + "/" + a.importId());
                if (w == null) {
                    throw new IllegalArgumentException("record " + a.eventId() + " belongs to import " + a.importId()
                            + " of tenant " + a.tenant() + ", which is not among the imports given");
                }
                at = w.completedAt();
                if (a.customerId() != null) {
                    List<ImportWindow> ws = held.computeIfAbsent(new Customer(a.tenant(), a.customerId()),
                            k -> new ArrayList<>());
                    if (!ws.contains(w)) {
                        ws.add(w);
                    }
                }
            }
            if (at.isAfter(end)) {
                continue;
            }
            Arrival effective = at.equals(a.arrivedAt()) ? a
                    : new Arrival(at, a.kind(), a.eventId(), a.tenant(), a.customerId(), a.importId(), a.card());
            first.merge(a.kind() + "|" + a.eventId(), effective,
                    (x, y) -> y.arrivedAt().isBefore(x.arrivedAt()) ? y : x);
        }

        Map<String, Long> distinct = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            distinct.put(k.label(), 0L);
        }
        Map<Customer, List<Arrival>> cards = new TreeMap<>();
        for (Arrival a : first.values()) {
            distinct.merge(a.kind().label(), 1L, Long::sum);
            if (a.kind() == Kind.STAGE_CARD) {
                cards.computeIfAbsent(new Customer(a.tenant(), a.customerId()), k -> new ArrayList<>()).add(a);
            }
        }

        ExpectedOutcomes.Builder out = new ExpectedOutcomes.Builder(grace, end);
        for (Map.Entry<Customer, List<Arrival>> e : cards.entrySet()) {
            new CustomerReplay(e.getKey(), e.getValue(), held.getOrDefault(e.getKey(), List.of()), end).run(out);
        }
        return out.build(distinct);
    }

    private record Customer(String tenant, String id) implements Comparable<Customer> {
        @Override
        public int compareTo(Customer o) {
            int c = tenant.compareTo(o.tenant);
            return c != 0 ? c : id.compareTo(o.id);
        }
    }

    /** A card that entered a stage in the walk, and the card that moved the customer on from it (or null). */
    private record Entry(StageEvent card, Stage stage, StageEvent next) {
        boolean closes() {
            return card.closesOpportunity();
        }
    }

    /** A stage entry whose next moving card is absent or came after the due time. */
    private record Gap(String alertId, Entry entry, Instant due, Instant firedAt) {}

    /** One customer's history, replayed instant by instant. */
    private final class CustomerReplay {
        private final Customer customer;
        private final List<Arrival> cards;
        private final List<ImportWindow> holds;
        private final Instant end;
        private final Map<String, Gap> emitted = new LinkedHashMap<>();
        private final Map<String, Instant> emittedAt = new HashMap<>();
        private final Map<String, Instant> retractedAt = new HashMap<>();

        CustomerReplay(Customer customer, List<Arrival> cards, List<ImportWindow> holds, Instant end) {
            this.customer = customer;
            this.cards = cards;
            this.holds = holds;
            this.end = end;
        }

        void run(ExpectedOutcomes.Builder out) {
            TreeSet<Instant> arrivals = new TreeSet<>();
            cards.forEach(a -> arrivals.add(a.arrivedAt()));
            Instant t = arrivals.first();
            List<Gap> gaps = List.of();
            while (t != null && !t.isAfter(end)) {
                gaps = gaps(walk(t));
                if (!isHeld(t)) {
                    decide(t, gaps);
                }
                t = next(t, arrivals, gaps);
            }
            List<Entry> walk = walk(end);
            for (Gap g : gaps) {
                if (g.firedAt().isAfter(end)) {
                    out.pending(new ExpectedAlert(g.alertId(), customer.tenant(), customer.id(),
                            g.entry().stage().code(), g.due(), g.firedAt(), null, null, g.entry().card()));
                }
            }
            for (Map.Entry<String, Gap> e : emitted.entrySet()) {
                Gap g = e.getValue();
                Instant at = emittedAt.get(e.getKey());
                out.alert(new ExpectedAlert(g.alertId(), customer.tenant(), customer.id(), g.entry().stage().code(),
                        g.due(), g.firedAt(), at, origin(at, g), g.entry().card()));
                Instant retracted = retractedAt.get(e.getKey());
                if (retracted != null) {
                    out.retraction(new ExpectedRetraction(g.alertId(), Alert.retractionId(g.alertId()), retracted));
                }
            }
            out.status(status(walk));
        }

        /** Emits the gaps that are due (with grace) at {@code t}; retracts emitted alerts that are no gap any more. */
        private void decide(Instant t, List<Gap> gaps) {
            Map<String, Gap> due = new HashMap<>();
            for (Gap g : gaps) {
                if (!g.firedAt().isAfter(t)) {
                    due.put(g.alertId(), g);
                }
            }
            for (Gap g : due.values()) {
                if (!emitted.containsKey(g.alertId())) {
                    emitted.put(g.alertId(), g);
                    emittedAt.put(g.alertId(), t);
                }
            }
            for (String id : emitted.keySet()) {
                if (!due.containsKey(id) && !retractedAt.containsKey(id)) {
                    retractedAt.put(id, t);
                }
            }
        }

        /** The next instant something can change: the next arrival, or the next due + grace of a gap. */
        private Instant next(Instant t, TreeSet<Instant> arrivals, List<Gap> gaps) {
            Instant next = arrivals.higher(t);
            for (Gap g : gaps) {
                if (g.firedAt().isAfter(t) && (next == null || g.firedAt().isBefore(next))) {
                    next = g.firedAt();
                }
            }
            return next;
        }

        private boolean isHeld(Instant t) {
            return holds.stream().anyMatch(w -> w.holds(t));
        }

        private String origin(Instant emittedAt, Gap g) {
            boolean atImportCompletion = holds.stream().anyMatch(w -> w.completedAt().equals(emittedAt));
            return atImportCompletion && g.firedAt().isBefore(emittedAt.minus(HISTORY_AGE)) ? Alert.HISTORY
                    : Alert.LIVE;
        }

        /** The walk over the cards arrived by {@code t}. */
        private List<Entry> walk(Instant t) {
            List<StageEvent> arrived = new ArrayList<>();
            for (Arrival a : cards) {
                if (!a.arrivedAt().isAfter(t)) {
                    arrived.add(a.card());
                }
            }
            arrived.sort(Comparator.comparingLong((StageEvent c) -> c.occurredAt).thenComparing(c -> c.eventId));
            List<Entry> entries = new ArrayList<>();
            StageEvent current = null;
            for (StageEvent c : arrived) {
                boolean moves = current == null
                        || c.stageEnum().rank() > current.stageEnum().rank()
                        || c.stageEnum() == current.stageEnum() && c.occurredAt > current.occurredAt;
                if (!moves) {
                    continue;
                }
                if (current != null) {
                    Entry previous = entries.remove(entries.size() - 1);
                    entries.add(new Entry(previous.card(), previous.stage(), c));
                }
                entries.add(new Entry(c, c.stageEnum(), null));
                current = c.closesOpportunity() ? null : c;
            }
            return entries;
        }

        private List<Gap> gaps(List<Entry> walk) {
            List<Gap> gaps = new ArrayList<>();
            for (Entry e : walk) {
                if (e.closes()) {
                    continue;
                }
                Instant due = Instant.ofEpochMilli(e.card().occurredAt).plus(sla.of(e.stage()));
                if (e.next() == null || Instant.ofEpochMilli(e.next().occurredAt).isAfter(due)) {
                    gaps.add(new Gap(AlertIds.stageOverdue(customer.tenant(), customer.id(), e.stage().code(), due),
                            e, due, due.plus(grace)));
                }
            }
            return gaps;
        }

        private ExpectedStatus status(List<Entry> walk) {
            Entry last = walk.get(walk.size() - 1);
            if (last.closes()) {
                return new ExpectedStatus(customer.tenant(), customer.id(), last.stage().code(), last.card().outcome);
            }
            Instant due = Instant.ofEpochMilli(last.card().occurredAt).plus(sla.of(last.stage()));
            String id = AlertIds.stageOverdue(customer.tenant(), customer.id(), last.stage().code(), due);
            boolean overdue = emitted.containsKey(id) && !retractedAt.containsKey(id);
            return new ExpectedStatus(customer.tenant(), customer.id(), last.stage().code(),
                    overdue ? "overdue" : "active");
        }
    }
}

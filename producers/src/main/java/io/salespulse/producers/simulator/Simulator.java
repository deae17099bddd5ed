package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedRetraction;
import io.salespulse.producers.simulator.MalformedRecords.Malformed;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import io.salespulse.producers.simulator.OverdueOracle.ImportWindow;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SalesOrganisation.Region;
import io.salespulse.producers.simulator.SimulatedEvent.Ack;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import io.salespulse.producers.simulator.SimulatedEvent.Visit;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the history of a sales organisation (visits, stage cards, acks on the alerts it should
 * cause, plus malformed and duplicate records) and sends it in arrival order.
 *
 * <p>A record's arrival is when it reaches SalesPulse, and the timestamp it is sent with. Without field traffic
 * (the default) every record arrives at its {@code occurred_at}; with it ({@link FieldArrivals}) offline reps'
 * records arrive in bursts when their phones reconnect, and some records arrive again later (app retries).
 *
 * <p>Deterministic: the same {@link SimulationSettings} give byte-identical records in the same order.
 * Randomness comes from {@link SplittableRandom}s seeded per purpose (organisation, each customer,
 * acks, noise, offline spells, retries), so one customer's history does not shift when another's changes,
 * and switching field traffic on changes when records arrive, not what happened.
 *
 * <p>Lead to cash ({@link CashSimulation}): won customers' contracts, invoices and payments on {@code sales.cash},
 * from their own random stream, so the rest of the history and its ground truth do not change with them.
 *
 * <p>Event ids are {@code <prefix>-<run>-<counter>}: prefix {@code v}/{@code s}/{@code a} for visits,
 * stage cards and acks, {@code k} for contracts, invoices and payments, {@code m} for malformed records; {@code run} is a hash of the settings, so
 * two runs with different settings (e.g. the demo's {@code end = now}) never share an event id.
 */
public final class Simulator {
    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
    private static final long STREAM_ORGANISATION = 1;
    private static final long STREAM_ACKS = 2;
    private static final long STREAM_NOISE = 3;
    private static final long STREAM_BURSTS = 4;
    private static final long STREAM_OFFLINE_SPELLS = 5;
    private static final long STREAM_RETRIES = 6;
    private static final long STREAM_PLACES = 7;
    private static final long STREAM_CASH = 8;
    private static final long STREAM_CUSTOMERS = 1_000;
    /** The import id the ground truth of {@link #writeHistory} assumes; the importer chooses the real one. */
    static final String HISTORY_IMPORT_ID = "history";
    private static final DateTimeFormatter IMPORT_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS")
            .withZone(ZoneOffset.UTC);

    private final SimulationSettings settings;
    private final Clock clock;

    public Simulator(SimulationSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /**
     * @param clock what "now" is when a run tells its history (arrived already) from its live part, and the run's
     *     start in the import id; the wall clock but in tests. Imported records are stamped by the sink's own clock.
     */
    public Simulator(SimulationSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sends the whole history to {@code sink} as plain live records ({@link HistoryMode#PLAIN}), flushes it (the
     * caller closes it) and says what was sent: for a job started after the records are in Kafka, and for tests.
     */
    public SimulationSummary run(EventSink sink) throws Exception {
        return run(sink, (sent, total) -> { });
    }

    /** Like {@link #run(EventSink)}, telling {@code progress} after each record how many of how many are sent. */
    public SimulationSummary run(EventSink sink, SimulationProgress progress) throws Exception {
        return run(sink, progress, HistoryMode.PLAIN);
    }

    /**
     * Sends the whole history to {@code sink}, flushes it (the caller closes it) and says what was sent. With
     * {@link HistoryMode#IMPORT_SESSION} the records whose arrival has passed when they are handed to the sink go as
     * one import session of the tenant (see {@link HistoryMode}); the first record that arrives later completes it,
     * and that record and the rest are sent live. The summary's ground truth is then that of the import as it
     * happened: its records all arriving at the completion, its customers held from the opening until then.
     */
    public SimulationSummary run(EventSink sink, SimulationProgress progress, HistoryMode mode) throws Exception {
        Plan plan = plan();
        SimulationSummary summary = mode == HistoryMode.IMPORT_SESSION ? sendWithImport(plan, sink, progress)
                : sendPlain(plan, sink, progress);
        LOG.info("{} ({})", summary, settings);
        return summary;
    }

    private SimulationSummary sendPlain(Plan plan, EventSink sink, SimulationProgress progress) throws Exception {
        long total = plan.records.size();
        long sent = 0;
        for (OutgoingRecord r : plan.records) {
            sink.send(r.topic, r.key, r.value, r.timestampMillis);
            progress.sent(++sent, total);
        }
        sink.flush();
        return plan.summary;
    }

    private SimulationSummary sendWithImport(Plan plan, EventSink sink, SimulationProgress progress)
            throws Exception {
        Instant runStart = clock.instant();
        String tenant = settings.tenant();
        String importId = importId(runStart);
        long total = plan.records.size();
        long sent = 0;
        Instant openedAt = null;
        Instant completedAt = null;
        boolean live = false;
        long arrivedUntil = Long.MIN_VALUE;
        long importedRecords = 0;
        Map<String, Long> validByTopic = new HashMap<>();
        // What the ground truth is computed on: the valid records sent, parsed as the jobs parse them.
        List<Arrival> arrivals = new ArrayList<>(plan.arrivals.size());
        for (OutgoingRecord r : plan.records) {
            if (!live && r.timestampMillis <= clock.millis()) {
                if (openedAt == null) {
                    openedAt = sink.openImport(tenant, importId, "simulated history: "
                            + settings.scenario().name().toLowerCase(Locale.ROOT).replace('_', '-') + ", seed "
                            + settings.seed() + ", up to " + settings.end());
                }
                byte[] value = r.kind.isValid() ? withImportId(r.value, importId) : r.value;
                sink.sendReceivedNow(r.topic, r.key, value, r.timestampMillis);
                addArrival(arrivals, r.topic, value, r.timestampMillis);
                importedRecords++;
                arrivedUntil = r.timestampMillis;
                if (r.kind == RecordKind.VALID) {
                    validByTopic.merge(r.topic, 1L, Long::sum);
                }
            } else {
                if (!live && openedAt != null) {
                    completedAt = complete(sink, tenant, importId, validByTopic);
                }
                live = true;
                sink.send(r.topic, r.key, r.value, r.timestampMillis);
                addArrival(arrivals, r.topic, r.value, r.timestampMillis);
            }
            progress.sent(++sent, total);
        }
        sink.flush();
        if (openedAt == null) {
            return plan.summary; // nothing had arrived when the run started: all of it went live
        }
        if (!live) {
            completedAt = complete(sink, tenant, importId, validByTopic);
        }

        // The ground truth of what was sent: the import's records (import_id set) all arrive at its completion.
        Instant end = completedAt.isAfter(settings.end()) ? completedAt : settings.end();
        ExpectedOutcomes truth = new OverdueOracle(settings.sla(), settings.offlineGrace()).run(arrivals,
                List.of(new ImportWindow(tenant, importId, openedAt, completedAt)), end);
        return plan.summary.imported(new SimulationSummary.HistoryImport(tenant, importId, openedAt, completedAt,
                importedRecords, validByTopic.getOrDefault(Topics.STAGES, 0L),
                validByTopic.getOrDefault(Topics.VISITS, 0L), validByTopic.getOrDefault(Topics.ACKS, 0L),
                Instant.ofEpochMilli(arrivedUntil)), truth);
    }

    private static void addArrival(List<Arrival> arrivals, String topic, byte[] value, long arrivalMillis) {
        Arrival a = Arrival.parse(topic, value, Instant.ofEpochMilli(arrivalMillis));
        if (a != null) {
            arrivals.add(a);
        }
    }

    /** Completes the import once every record of it is acknowledged; returns when the completion was written. */
    private static Instant complete(EventSink sink, String tenant, String importId, Map<String, Long> valid)
            throws Exception {
        sink.flush();
        return sink.completeImport(tenant, importId, valid.getOrDefault(Topics.STAGES, 0L),
                valid.getOrDefault(Topics.VISITS, 0L), valid.getOrDefault(Topics.ACKS, 0L));
    }

    /**
     * {@code sim-<UTC start of the run, ms>-<run tag>}: the same settings started at another moment (or other settings
     * at the same moment) give another id.
     */
    private String importId(Instant runStart) {
        return "sim-" + IMPORT_STAMP.format(runStart) + "-" + runTag();
    }

    /** A valid event with {@code import_id} set (the same bytes give the same result, so duplicates stay copies). */
    private static byte[] withImportId(byte[] value, String importId) throws IOException {
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(value);
        n.put("import_id", importId);
        return Json.MAPPER.writeValueAsBytes(n);
    }

    /**
     * Writes the history as a history-import file for {@code bin/salespulse import}: the contract's JSON, one
     * event per line, each valid event once in {@code occurred_at} order (no duplicates, no retries, none of the
     * random malformed records; the records of a {@code malformed-burst} injection are written, as asked). The
     * lines carry no {@code import_id}: the importer sets its own.
     *
     * @param completedAt when the import is assumed complete (all its records arrive then)
     * @return what was written and the ground truth of importing it: every record arriving at {@code completedAt},
     *     its customers held until then, outcomes as of {@code completedAt}
     */
    public SimulationSummary writeHistory(Writer out, Instant completedAt) throws IOException {
        if (settings.fieldTraffic()) {
            throw new IllegalArgumentException("a history file has no arrival times: turn field traffic off");
        }
        Plan plan = plan();
        List<Arrival> arrivals = new ArrayList<>();
        List<OutgoingRecord> written = new ArrayList<>();
        for (OutgoingRecord r : plan.records) {
            // History files hold the field's records (cards, visits, acks), as they did before lead to cash.
            if ((r.kind == RecordKind.VALID || r.kind == RecordKind.BURST) && !r.topic.equals(Topics.CASH)) {
                out.write(new String(r.value, StandardCharsets.UTF_8));
                out.write('\n');
                written.add(r);
                Arrival a = Arrival.parse(r.topic, r.value, completedAt);
                if (a != null) {
                    arrivals.add(a.inImport(HISTORY_IMPORT_ID));
                }
            }
        }
        out.flush();
        ImportWindow window = new ImportWindow(settings.tenant(), HISTORY_IMPORT_ID, completedAt, completedAt);
        ExpectedOutcomes truth = new OverdueOracle(settings.sla(), settings.offlineGrace())
                .run(arrivals, List.of(window), completedAt);
        SimulationSummary summary = summary(written, plan.summary.groundTruth(), truth, plan.summary.places(),
                SimulatedCash.NONE);
        LOG.info("history file: {} ({})", summary, settings);
        return summary;
    }

    /** The valid records as they arrive (duplicates and retries included), parsed as the pipeline parses them. */
    List<Arrival> arrivals() {
        return plan().arrivals;
    }

    /** What a record is, for the counts and the history file. */
    private enum RecordKind {
        VALID, DUPLICATE, RETRY, MALFORMED, BURST;

        /** A valid event or a copy of one (an importer sets import_id on these). */
        boolean isValid() {
            return this == VALID || this == DUPLICATE || this == RETRY;
        }
    }

    private record OutgoingRecord(String topic, String key, byte[] value, long timestampMillis, RecordKind kind) {
        OutgoingRecord as(RecordKind other, long timestamp) {
            return new OutgoingRecord(topic, key, value, timestamp, other);
        }
    }

    private record Plan(List<OutgoingRecord> records, List<Arrival> arrivals, SimulationSummary summary) {}

    /** A valid event with its id, JSON and arrival instant. */
    private record Numbered(SimulatedEvent event, String topic, String key, ObjectNode json, Instant arrival) {
        boolean fromTheFieldApp() {
            return !(event instanceof Ack);
        }
    }

    private Plan plan() {
        SalesOrganisation org = new SalesOrganisation(settings.size(), random(STREAM_ORGANISATION));
        List<SimulatedEvent> events = new ArrayList<>();
        List<Customer> customerList = new ArrayList<>();
        int customers = customerCount();
        Instant lastFirstContact = settings.end().minus(Duration.ofMinutes(30));
        for (int i = 0; i < customers; i++) {
            SplittableRandom rnd = random(STREAM_CUSTOMERS + i);
            Customer customer = org.newCustomer(i, rnd);
            customerList.add(customer);
            Instant firstContact = WorkingCalendar.sample(settings.start(), lastFirstContact, rnd);
            events.addAll(new CustomerJourney(settings, customer, rnd).generate(firstContact));
        }
        Set<String> injectedCustomers = new HashSet<>();
        events.addAll(InjectedEvents.repeatedObjections(settings, org, customers, injectedCustomers));
        List<StageCard> cards = events.stream()
                .filter(e -> e instanceof StageCard).map(e -> (StageCard) e).toList();
        // Stable sort: events at the same second keep their creation order (a check-in before its contact card).
        events.sort(Comparator.comparing(SimulatedEvent::occurredAt));
        String run = runTag();
        FieldArrivals field = new FieldArrivals(settings, org.reps, random(STREAM_OFFLINE_SPELLS));
        List<Numbered> records = numberFieldEvents(events, run, field);
        // Positions before anything reads the visits' JSON; their own stream leaves the rest of the history alone.
        PlaceSimulation places = new PlaceSimulation(settings.tenant(), random(STREAM_PLACES));
        for (Numbered n : records) {
            if (n.event() instanceof Visit v) {
                places.locate(v.customer(), n.json());
            }
        }
        Set<String> withoutOutlet = new HashSet<>();
        List<io.salespulse.producers.places.Outlet> outlets = places.outlets(org, customerList, withoutOutlet);
        records.addAll(numberAcks(acks(records, org), run));
        records.sort(Comparator.comparing(n -> n.event().occurredAt()));
        // The seed distributor's slow payers: the last region (the first one has the objection problem).
        CashSimulation.Result cash = new CashSimulation(settings.tenant(), settings.start(), settings.end(),
                settings.erpHistoryMonths(), random(STREAM_CASH)).generate(cards, org.reps, settings.size().customersPerThreeWeeks() / 21.0,
                        org.regions.get(org.regions.size() - 1).code(), run);
        return serialise(records, run, field, cards, customerList, injectedCustomers,
                new PlaceTruth(outlets, places.far(), withoutOutlet), cash);
    }

    /** Customers whose first contact falls in the window, scaled from the scenario's three-week figure. */
    private int customerCount() {
        double weeks = settings.duration().getSeconds() / (7.0 * 24 * 3600);
        return Math.max(1, (int) Math.round(settings.size().customersPerThreeWeeks() * weeks / 3.0));
    }

    /** Visits and cards in {@code occurred_at} order, numbered in that order, with their arrival. */
    private List<Numbered> numberFieldEvents(List<SimulatedEvent> events, String run, FieldArrivals field) {
        List<Numbered> out = new ArrayList<>(events.size() * 11 / 10);
        String tenant = settings.tenant();
        long visits = 0;
        long cards = 0;
        for (SimulatedEvent e : events) {
            if (e instanceof Visit v) {
                out.add(new Numbered(v, Topics.VISITS, v.customer().id(),
                        EventJson.visit(id("v", run, ++visits), tenant, v), field.arrival(v.customer().rep().id(),
                                v.occurredAt())));
            } else {
                StageCard c = (StageCard) e;
                out.add(new Numbered(c, Topics.STAGES, c.customer().id(),
                        EventJson.stageCard(id("s", run, ++cards), tenant, c), field.arrival(c.customer().rep().id(),
                                c.occurredAt())));
            }
        }
        return out;
    }

    /** Acks numbered in {@code occurred_at} order; managers are online, so they arrive when they happen. */
    private List<Numbered> numberAcks(List<Ack> acks, String run) {
        List<Ack> sorted = new ArrayList<>(acks);
        sorted.sort(Comparator.comparing(Ack::occurredAt));
        List<Numbered> out = new ArrayList<>(sorted.size());
        long counter = 0;
        for (Ack a : sorted) {
            out.add(new Numbered(a, Topics.ACKS, a.alertId(), EventJson.ack(id("a", run, ++counter), settings.tenant(),
                    a), a.occurredAt()));
        }
        return out;
    }

    /**
     * The region manager acks about {@code ackRate} of the alerts the pipeline raises (without grace, on the
     * cards as they arrive): about two hours after it is raised in the day, the next morning when at night;
     * sometimes marks it resolved later. An alert withdrawn before the manager gets to it is not acked (nor
     * resolved after its withdrawal).
     */
    private List<Ack> acks(List<Numbered> fieldRecords, SalesOrganisation org) {
        List<Arrival> cards = new ArrayList<>();
        for (Numbered n : fieldRecords) {
            if (n.event() instanceof StageCard) {
                cards.add(Arrival.parse(n.topic(), EventJson.bytes(n.json()), n.arrival()));
            }
        }
        ExpectedOutcomes raised = new OverdueOracle(settings.sla(), Duration.ZERO).run(cards, settings.end());
        Map<String, Instant> retracted = new HashMap<>();
        for (ExpectedRetraction r : raised.retractions()) {
            retracted.put(r.alertId(), r.retractedAt());
        }
        Map<String, String> managers = new HashMap<>();
        for (Region r : org.regions) {
            managers.put(r.code(), r.manager());
        }
        SplittableRandom rnd = random(STREAM_ACKS);
        List<Ack> acks = new ArrayList<>();
        for (ExpectedAlert alert : raised.alerts()) {
            if (rnd.nextDouble() >= settings.ackRate()) {
                continue;
            }
            String responder = managers.get(alert.entry().region);
            Instant ackAt = ackTime(alert.emittedAt(), rnd);
            Instant withdrawn = retracted.get(alert.alertId());
            if (ackAt.isAfter(settings.end()) || withdrawn != null && !withdrawn.isAfter(ackAt)) {
                continue;
            }
            acks.add(new Ack(ackAt, alert.alertId(), responder, "ack"));
            if (rnd.nextDouble() < 0.45) {
                Instant resolveAt = WorkingCalendar.sample(ackAt.plus(Duration.ofMinutes(20)),
                        ackAt.plus(Duration.ofHours(24)), rnd);
                if (!resolveAt.isAfter(settings.end()) && (withdrawn == null || resolveAt.isBefore(withdrawn))) {
                    acks.add(new Ack(resolveAt, alert.alertId(), responder, "resolve"));
                }
            }
        }
        return acks;
    }

    private static Instant ackTime(Instant raisedAt, SplittableRandom rnd) {
        ZonedDateTime local = raisedAt.atZone(WorkingCalendar.ZONE);
        int hour = local.getHour();
        if (hour >= 8 && hour < 22) {
            return raisedAt.plusSeconds(logNormalSeconds(2 * 3600, 0.8, 36 * 3600, rnd));
        }
        ZonedDateTime morning = (hour >= 22 ? local.plusDays(1) : local).toLocalDate().atTime(8, 0)
                .atZone(WorkingCalendar.ZONE);
        return morning.toInstant().plusSeconds(rnd.nextLong(90 * 60) + logNormalSeconds(3600, 0.7, 12 * 3600, rnd));
    }

    /** Box-Muller by hand: {@code nextGaussian} implementations may differ between JDKs. At least 60 s. */
    static long logNormalSeconds(double medianSeconds, double sigma, long maxSeconds, SplittableRandom rnd) {
        double gaussian = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
        return Math.max(60, Math.min(maxSeconds, Math.round(medianSeconds * Math.exp(sigma * gaussian))));
    }

    /**
     * Turns the numbered events into records: each one at its arrival, with the malformed records and duplicates
     * right after their originals and the app's retries later; then puts everything in arrival order and leaves
     * out what arrives after the end (a phone still offline when the history ends).
     */
    /** The simulated places before the sending decides which check-ins arrive by the end. */
    private record PlaceTruth(List<io.salespulse.producers.places.Outlet> outlets, Set<String> far,
            Set<String> withoutOutlet) {}

    private Plan serialise(List<Numbered> events, String run, FieldArrivals field, List<StageCard> cards,
            List<Customer> customers, Set<String> injectedCustomers, PlaceTruth places, CashSimulation.Result cash) {
        SplittableRandom noise = random(STREAM_NOISE);
        SplittableRandom retries = random(STREAM_RETRIES);
        List<OutgoingRecord> out = new ArrayList<>(events.size() * 11 / 10);
        long malformed = 0;
        long end = settings.end().toEpochMilli();
        Set<String> farSent = new HashSet<>();
        long positioned = 0;
        long unknownCustomer = 0;
        for (Numbered e : events) {
            long ts = e.arrival().toEpochMilli();
            if (e.event() instanceof Visit v && ts <= end && e.json().has("lat")) {
                positioned++;
                String id = e.json().get("event_id").asText();
                if (places.withoutOutlet().contains(v.customer().id())) {
                    unknownCustomer++;
                } else if (places.far().contains(id)) {
                    farSent.add(id);
                }
            }
            OutgoingRecord record = new OutgoingRecord(e.topic(), e.key(), EventJson.bytes(e.json()), ts,
                    RecordKind.VALID);
            out.add(record);
            if (noise.nextDouble() < settings.duplicateRate()) {
                out.add(record.as(RecordKind.DUPLICATE, ts)); // the app re-submits after a timeout: same bytes, same event_id
            }
            if (!e.topic().equals(Topics.ACKS) && noise.nextDouble() < settings.malformedRate()) {
                Malformed m = MalformedRecords.of(e.topic(), e.key(), e.json(), id("m", run, ++malformed), noise);
                out.add(new OutgoingRecord(m.topic(), m.key(), m.value(), ts, RecordKind.MALFORMED));
            }
            Instant again = e.fromTheFieldApp() ? field.retry(e.arrival(), retries) : null;
            if (again != null) {
                out.add(record.as(RecordKind.RETRY, again.toEpochMilli()));
            }
        }
        // Bursts last, so the event ids and noise of the regular records do not depend on them.
        List<GroundTruth.MalformedBurst> bursts = new ArrayList<>();
        SplittableRandom burstRandom = random(STREAM_BURSTS);
        long[] burstCounter = {malformed};
        for (Injection i : settings.injections()) {
            if (i instanceof Injection.MalformedBurst b) {
                List<InjectedEvents.BurstRecord> burst = InjectedEvents.burst(b, customers, settings.tenant(),
                        () -> id("m", run, ++burstCounter[0]), burstRandom);
                Map<String, Long> codes = new TreeMap<>();
                for (InjectedEvents.BurstRecord r : burst) {
                    codes.merge(r.errorCode(), 1L, Long::sum);
                    out.add(new OutgoingRecord(r.record().topic(), r.record().key(), r.record().value(),
                            b.at().toEpochMilli(), RecordKind.BURST));
                }
                bursts.add(new GroundTruth.MalformedBurst(b.at(), b.count(), codes));
            }
        }
        // Lead to cash after everything else, so the other records' ids and noise do not depend on it; the ERP is
        // online: each record arrives when it happens.
        for (CashSimulation.Outgoing c : cash.records()) {
            out.add(new OutgoingRecord(Topics.CASH, c.key(), EventJson.bytes(c.json()), c.at().toEpochMilli(),
                    RecordKind.VALID));
        }
        // Stable: records arriving together keep their order (an offline queue uploads in creation order; a
        // burst goes after everything at or before its time).
        out.sort(Comparator.comparingLong(OutgoingRecord::timestampMillis));
        out.removeIf(r -> r.timestampMillis > end);

        List<Arrival> arrivals = new ArrayList<>(out.size());
        for (OutgoingRecord r : out) {
            Arrival a = Arrival.parse(r.topic, r.value, Instant.ofEpochMilli(r.timestampMillis));
            if (a != null) {
                arrivals.add(a);
            }
        }
        ExpectedOutcomes truth = new OverdueOracle(settings.sla(), settings.offlineGrace()).run(arrivals,
                settings.end());
        GroundTruth injected = settings.injections().isEmpty() ? GroundTruth.NONE
                : InjectedEvents.groundTruth(settings, cards, injectedCustomers, bursts);
        SimulatedPlaces placeTruth = new SimulatedPlaces(places.outlets(), farSent, places.withoutOutlet(), positioned,
                unknownCustomer);
        return new Plan(out, arrivals, summary(out, injected, truth, placeTruth, cash.truth()));
    }

    private static SimulationSummary summary(List<OutgoingRecord> records, GroundTruth injected,
            ExpectedOutcomes truth, SimulatedPlaces places, SimulatedCash cash) {
        Map<String, Long> valid = new HashMap<>();
        long malformed = 0;
        long duplicates = 0;
        long retries = 0;
        for (OutgoingRecord r : records) {
            switch (r.kind) {
                case VALID -> valid.merge(r.topic, 1L, Long::sum);
                case DUPLICATE -> duplicates++;
                case RETRY -> retries++;
                case MALFORMED, BURST -> malformed++;
            }
        }
        return new SimulationSummary(valid.getOrDefault(Topics.STAGES, 0L), valid.getOrDefault(Topics.VISITS, 0L),
                valid.getOrDefault(Topics.ACKS, 0L), malformed, duplicates, retries, injected, truth, null, places,
                cash);
    }

    private static String id(String prefix, String run, long counter) {
        return String.format("%s-%s-%06d", prefix, run, counter);
    }

    /** A short hash of everything that shapes the output; String.hashCode is fixed by the JDK spec. */
    private String runTag() {
        return String.format("%08x", settings.toString().hashCode());
    }

    private SplittableRandom random(long stream) {
        long z = settings.seed() + stream * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }
}

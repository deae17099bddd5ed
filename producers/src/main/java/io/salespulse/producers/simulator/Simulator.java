package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.MalformedRecords.Malformed;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SimulatedEvent.Ack;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import io.salespulse.producers.simulator.SimulatedEvent.Visit;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the history of a sales organisation (visits, stage cards, acks on the alerts it should
 * cause, plus malformed and duplicate records) and sends it in {@code occurred_at} order.
 *
 * <p>Deterministic: the same {@link SimulationSettings} give byte-identical records in the same order.
 * Randomness comes from {@link SplittableRandom}s seeded per purpose (organisation, each customer,
 * acks, noise), so one customer's history does not shift when another's changes.
 *
 * <p>Event ids are {@code <prefix>-<run>-<counter>}: prefix {@code v}/{@code s}/{@code a} for visits,
 * stage cards and acks, {@code m} for malformed records; {@code run} is a hash of the settings, so
 * two runs with different settings (e.g. the demo's {@code end = now}) never share an event id.
 */
public final class Simulator {
    private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
    private static final long STREAM_ORGANISATION = 1;
    private static final long STREAM_ACKS = 2;
    private static final long STREAM_NOISE = 3;
    private static final long STREAM_BURSTS = 4;
    private static final long STREAM_CUSTOMERS = 1_000;

    private final SimulationSettings settings;

    public Simulator(SimulationSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Sends the whole history to {@code sink}, flushes it (the caller closes it) and says what was sent. */
    public SimulationSummary run(EventSink sink) throws Exception {
        return run(sink, (sent, total) -> { });
    }

    /** Like {@link #run(EventSink)}, telling {@code progress} after each record how many of how many are sent. */
    public SimulationSummary run(EventSink sink, SimulationProgress progress) throws Exception {
        Plan plan = plan();
        long total = plan.records.size();
        long sent = 0;
        for (OutgoingRecord r : plan.records) {
            sink.send(r.topic, r.key, r.value, r.timestampMillis);
            progress.sent(++sent, total);
        }
        sink.flush();
        LOG.info("{} ({})", plan.summary, settings);
        return plan.summary;
    }

    private record OutgoingRecord(String topic, String key, byte[] value, long timestampMillis) {}

    private record Plan(List<OutgoingRecord> records, SimulationSummary summary) {}

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
        ExpectedOutcomes expected = new ExpectedOutcomes(settings.tenant(), cards, settings.sla(), settings.end());
        events.addAll(acks(expected));
        // Stable sort: events at the same second keep their creation order (a check-in before its contact card).
        events.sort(Comparator.comparing(SimulatedEvent::occurredAt));
        return serialise(events, expected, cards, customerList, injectedCustomers);
    }

    /** Customers whose first contact falls in the window, scaled from the scenario's three-week figure. */
    private int customerCount() {
        double weeks = settings.duration().getSeconds() / (7.0 * 24 * 3600);
        return Math.max(1, (int) Math.round(settings.size().customersPerThreeWeeks() * weeks / 3.0));
    }

    /**
     * The region manager acks about {@code ackRate} of the alerts: about two hours after it fires in the
     * day, the next morning when it fires at night; sometimes marks it resolved later.
     */
    private List<Ack> acks(ExpectedOutcomes expected) {
        SplittableRandom rnd = random(STREAM_ACKS);
        List<Ack> acks = new ArrayList<>();
        for (ExpectedAlert alert : expected.alerts) {
            if (rnd.nextDouble() >= settings.ackRate()) {
                continue;
            }
            String responder = alert.card().customer().rep().team().region().manager();
            Instant ackAt = ackTime(alert.dueAt(), rnd);
            if (ackAt.isAfter(settings.end())) {
                continue;
            }
            acks.add(new Ack(ackAt, alert.alertId(), responder, "ack"));
            if (rnd.nextDouble() < 0.45) {
                Instant resolveAt = WorkingCalendar.sample(ackAt.plus(Duration.ofMinutes(20)),
                        ackAt.plus(Duration.ofHours(24)), rnd);
                if (!resolveAt.isAfter(settings.end())) {
                    acks.add(new Ack(resolveAt, alert.alertId(), responder, "resolve"));
                }
            }
        }
        return acks;
    }

    private static Instant ackTime(Instant firedAt, SplittableRandom rnd) {
        ZonedDateTime local = firedAt.atZone(WorkingCalendar.ZONE);
        int hour = local.getHour();
        if (hour >= 8 && hour < 22) {
            return firedAt.plusSeconds(logNormalSeconds(2 * 3600, 0.8, 36 * 3600, rnd));
        }
        ZonedDateTime morning = (hour >= 22 ? local.plusDays(1) : local).toLocalDate().atTime(8, 0)
                .atZone(WorkingCalendar.ZONE);
        return morning.toInstant().plusSeconds(rnd.nextLong(90 * 60) + logNormalSeconds(3600, 0.7, 12 * 3600, rnd));
    }

    /** Box-Muller by hand: {@code nextGaussian} implementations may differ between JDKs. */
    private static long logNormalSeconds(double medianSeconds, double sigma, long maxSeconds, SplittableRandom rnd) {
        double gaussian = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
        return Math.max(60, Math.min(maxSeconds, Math.round(medianSeconds * Math.exp(sigma * gaussian))));
    }

    /** Gives each event its id and JSON, and adds the malformed records and duplicates right after their originals. */
    private Plan serialise(List<SimulatedEvent> events, ExpectedOutcomes expected, List<StageCard> cards,
            List<Customer> customers, Set<String> injectedCustomers) {
        String run = runTag();
        String tenant = settings.tenant();
        SplittableRandom noise = random(STREAM_NOISE);
        List<OutgoingRecord> out = new ArrayList<>(events.size() * 11 / 10);
        long visits = 0;
        long cardCount = 0;
        long acks = 0;
        long malformed = 0;
        long duplicates = 0;
        for (SimulatedEvent e : events) {
            String topic;
            String key;
            ObjectNode json;
            if (e instanceof Visit v) {
                topic = Topics.VISITS;
                key = v.customer().id();
                json = EventJson.visit(id("v", run, ++visits), tenant, v);
            } else if (e instanceof StageCard c) {
                topic = Topics.STAGES;
                key = c.customer().id();
                json = EventJson.stageCard(id("s", run, ++cardCount), tenant, c);
            } else {
                Ack a = (Ack) e;
                topic = Topics.ACKS;
                key = a.alertId();
                json = EventJson.ack(id("a", run, ++acks), tenant, a);
            }
            long ts = e.occurredAt().toEpochMilli();
            OutgoingRecord record = new OutgoingRecord(topic, key, EventJson.bytes(json), ts);
            out.add(record);
            if (noise.nextDouble() < settings.duplicateRate()) {
                out.add(record); // the app re-submits after a timeout: same bytes, same event_id
                duplicates++;
            }
            if (!topic.equals(Topics.ACKS) && noise.nextDouble() < settings.malformedRate()) {
                Malformed m = MalformedRecords.of(topic, key, json, id("m", run, ++malformed), noise);
                out.add(new OutgoingRecord(m.topic(), m.key(), m.value(), ts));
            }
        }
        // Bursts last, so the event ids and noise of the regular records do not depend on them.
        List<GroundTruth.MalformedBurst> bursts = new ArrayList<>();
        SplittableRandom burstRandom = random(STREAM_BURSTS);
        long[] burstCounter = {malformed};
        for (Injection i : settings.injections()) {
            if (i instanceof Injection.MalformedBurst b) {
                List<InjectedEvents.BurstRecord> burst = InjectedEvents.burst(b, customers, tenant,
                        () -> id("m", run, ++burstCounter[0]), burstRandom);
                Map<String, Long> codes = new TreeMap<>();
                List<OutgoingRecord> records = new ArrayList<>();
                for (InjectedEvents.BurstRecord r : burst) {
                    codes.merge(r.errorCode(), 1L, Long::sum);
                    records.add(new OutgoingRecord(r.record().topic(), r.record().key(), r.record().value(),
                            b.at().toEpochMilli()));
                }
                insertInTimeOrder(out, records);
                bursts.add(new GroundTruth.MalformedBurst(b.at(), b.count(), codes));
            }
        }
        malformed = burstCounter[0];
        GroundTruth truth = settings.injections().isEmpty() ? GroundTruth.NONE
                : InjectedEvents.groundTruth(settings, cards, injectedCustomers, bursts);
        SimulationSummary summary = new SimulationSummary(cardCount, visits, acks, malformed, duplicates,
                expected.alertIds(), expected.customersByStatus, truth);
        return new Plan(out, summary);
    }

    /** Inserts records that share one timestamp after every record at or before that time. */
    private static void insertInTimeOrder(List<OutgoingRecord> out, List<OutgoingRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        long ts = records.get(0).timestampMillis;
        int at = out.size();
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).timestampMillis > ts) {
                at = i;
                break;
            }
        }
        out.addAll(at, records);
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

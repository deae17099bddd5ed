package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SalesOrganisation.Rep;
import io.salespulse.producers.simulator.SalesOrganisation.Store;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import io.salespulse.producers.simulator.SimulatedEvent.Visit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The events the {@link Injection}s add to a history, and the {@link GroundTruth} counted from the final
 * stage cards. (The conversion drop itself acts inside {@link CustomerJourney}.)
 */
final class InjectedEvents {
    private static final Duration STEP = Duration.ofDays(1);

    private InjectedEvents() {}

    /**
     * One new customer per {@link Injection.RepeatedObjection}: contact (with its check-in), needs and
     * proposal a day apart, then {@code times} objection cards with the same tag a day apart, nothing after.
     *
     * @param firstIndex customer index for the first such customer (after the natural ones), so ids never clash
     */
    static List<SimulatedEvent> repeatedObjections(SimulationSettings settings, SalesOrganisation org, int firstIndex,
            Set<String> injectedCustomers) {
        List<SimulatedEvent> events = new ArrayList<>();
        int index = firstIndex;
        for (Injection i : settings.injections()) {
            if (!(i instanceof Injection.RepeatedObjection r)) {
                continue;
            }
            Rep rep = org.reps.stream().filter(x -> x.id().equals(r.repId())).findFirst().orElseThrow();
            Store store = org.stores.stream().filter(s -> s.region() == rep.team().region()).findFirst()
                    .orElse(org.stores.get(0));
            Customer c = new Customer(String.format("c-%05d", ++index), rep, store, true, 20_000.0);
            injectedCustomers.add(c.id());
            Instant at = r.at();
            events.add(new Visit(at, c, "store_scan", true, store.lat(), store.lon()));
            events.add(new StageCard(at, c, Stage.CONTACT, null, null, null, null, null));
            events.add(new StageCard(at.plus(STEP), c, Stage.NEEDS, "shelf-space", null, null, null, null));
            events.add(new StageCard(at.plus(STEP.multipliedBy(2)), c, Stage.PROPOSAL, null, "sku-lowsugar-01", null,
                    null, null));
            for (int k = 0; k < r.times(); k++) {
                events.add(new StageCard(at.plus(STEP.multipliedBy(3L + k)), c, Stage.OBJECTION, null, null, r.tag(),
                        null, null));
            }
        }
        return events;
    }

    /** The ground truth of every injection, counted from all stage cards that are sent. */
    static GroundTruth groundTruth(SimulationSettings settings, List<StageCard> cards, Set<String> injectedCustomers,
            List<GroundTruth.MalformedBurst> bursts) {
        Map<String, List<StageCard>> byCustomer = new TreeMap<>();
        for (StageCard c : cards) {
            byCustomer.computeIfAbsent(c.customer().id(), k -> new ArrayList<>()).add(c);
        }
        byCustomer.values().forEach(h -> h.sort(Comparator.comparing(StageCard::occurredAt)));

        List<GroundTruth.ConversionDrop> drops = new ArrayList<>();
        List<Injection.PolicyRollout> policies = new ArrayList<>();
        for (Injection i : settings.injections()) {
            if (i instanceof Injection.ConversionDrop d) {
                drops.add(new GroundTruth.ConversionDrop(d.region(), d.from(), d.rate(),
                        conversion(byCustomer, settings, c -> region(c).equals(d.region()) && c.occurredAt().isBefore(d.from())),
                        conversion(byCustomer, settings, c -> region(c).equals(d.region()) && !c.occurredAt().isBefore(d.from())),
                        conversion(byCustomer, settings, c -> !region(c).equals(d.region())
                                && !c.occurredAt().isBefore(d.from()))));
            } else if (i instanceof Injection.PolicyRollout p) {
                policies.add(p);
            }
        }
        List<GroundTruth.RepeatedObjection> repeated = settings.injections().isEmpty() ? List.of()
                : repeatedObjections(byCustomer, injectedCustomers);
        return new GroundTruth(drops, policies, repeated, bursts);
    }

    private static String region(StageCard c) {
        return c.customer().rep().team().region().code();
    }

    private static GroundTruth.Conversion conversion(Map<String, List<StageCard>> byCustomer,
            SimulationSettings settings, java.util.function.Predicate<StageCard> counted) {
        Duration proposalSla = settings.sla().of(Stage.PROPOSAL);
        long proposals = 0;
        long advanced = 0;
        for (List<StageCard> history : byCustomer.values()) {
            for (int i = 0; i < history.size(); i++) {
                StageCard c = history.get(i);
                if (c.stage() != Stage.PROPOSAL || !counted.test(c)
                        || c.occurredAt().plus(proposalSla).isAfter(settings.end())) {
                    continue;
                }
                proposals++;
                if (i + 1 < history.size() && history.get(i + 1).stage().rank() > Stage.PROPOSAL.rank()) {
                    advanced++;
                }
            }
        }
        return new GroundTruth.Conversion(proposals, advanced);
    }

    /** Every (customer, opportunity, rep, tag) with at least three objection cards, in time order of the third. */
    private static List<GroundTruth.RepeatedObjection> repeatedObjections(Map<String, List<StageCard>> byCustomer,
            Set<String> injectedCustomers) {
        List<GroundTruth.RepeatedObjection> out = new ArrayList<>();
        for (List<StageCard> history : byCustomer.values()) {
            Map<String, List<StageCard>> byRepAndTag = new TreeMap<>();
            for (StageCard c : history) {
                if (c.stage() == Stage.CONTACT) {
                    flushRepeated(byRepAndTag, injectedCustomers, out); // a new opportunity starts
                }
                if (c.stage() == Stage.OBJECTION) {
                    byRepAndTag.computeIfAbsent(c.customer().rep().id() + "|" + c.objectionTag().code(),
                            k -> new ArrayList<>()).add(c);
                }
            }
            flushRepeated(byRepAndTag, injectedCustomers, out);
        }
        out.sort(Comparator.comparing(GroundTruth.RepeatedObjection::thirdAt)
                .thenComparing(GroundTruth.RepeatedObjection::customerId));
        return out;
    }

    private static void flushRepeated(Map<String, List<StageCard>> byRepAndTag, Set<String> injectedCustomers,
            List<GroundTruth.RepeatedObjection> out) {
        for (List<StageCard> same : byRepAndTag.values()) {
            if (same.size() >= 3) {
                StageCard third = same.get(2);
                Customer c = third.customer();
                out.add(new GroundTruth.RepeatedObjection(c.id(), c.rep().id(), c.rep().team().region().code(),
                        c.rep().team().id(), third.objectionTag().code(), same.size(), third.occurredAt(),
                        injectedCustomers.contains(c.id())));
            }
        }
        byRepAndTag.clear();
    }

    /** A malformed record of a burst, with the error code the contract parser gives it. */
    record BurstRecord(MalformedRecords.Malformed record, String errorCode) {}

    /**
     * {@code count} broken variants of stage cards (60%) and visits (40%) of random existing customers,
     * all stamped {@code at}. The error codes come from the contract's own parser, so the ground truth is
     * exactly what the dead-letter table must show.
     */
    static List<BurstRecord> burst(Injection.MalformedBurst b, List<Customer> customers, String tenant,
            java.util.function.Supplier<String> nextEventId, SplittableRandom rnd) {
        EventParser parser = new EventParser();
        List<BurstRecord> out = new ArrayList<>(b.count());
        long ts = b.at().toEpochMilli();
        for (int i = 0; i < b.count(); i++) {
            Customer c = customers.get(rnd.nextInt(customers.size()));
            boolean stage = rnd.nextDouble() < 0.6;
            String id = nextEventId.get();
            ObjectNode template = stage
                    ? EventJson.stageCard(id, tenant, new StageCard(b.at(), c, Stage.CONTACT, null, null, null, null, null))
                    : EventJson.visit(id, tenant, new Visit(b.at(), c, "phone", false, 0, 0));
            String topic = stage ? Topics.STAGES : Topics.VISITS;
            MalformedRecords.Malformed m = MalformedRecords.of(topic, c.id(), template, id, rnd);
            String code;
            try {
                if (stage) {
                    parser.parseStage(m.value(), ts);
                } else {
                    parser.parseVisit(m.value(), ts);
                }
                throw new IllegalStateException("a malformed record of kind " + m.kind() + " passed the parser");
            } catch (InvalidEventException e) {
                code = e.code();
            }
            out.add(new BurstRecord(m, code));
        }
        return out;
    }
}

package io.salespulse.producers.simulator;

import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.producers.simulator.SalesOrganisation.Customer;
import io.salespulse.producers.simulator.SimulatedEvent.StageCard;
import io.salespulse.producers.simulator.SimulatedEvent.Visit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One customer's history: opportunities of contact -> needs -> proposal -> objection* -> closing, with
 * the visits around them. Cards of one customer are strictly increasing in time and never go back to a
 * lower stage within an opportunity; only a won/lost closing is followed by a new contact.
 */
final class CustomerJourney {
    private static final Duration MIN_GAP = Duration.ofMinutes(20);
    /** A last-minute card comes within this before its due time (in working hours when there are any). */
    private static final Duration LAST_MINUTE = Duration.ofHours(12);
    private static final String[] NEEDS = {"low-sugar-range", "shelf-space", "promo-support", "faster-delivery",
        "credit-terms", "new-store-opening", "private-label", "cold-chain"};
    private static final String[] PROPOSALS = {"sku-lowsugar-01", "sku-lowsugar-02", "sku-bakery-03",
        "sku-drinks-05", "bundle-summer-01", "promo-display-02", "sku-snacks-04"};
    /** Weighted toward the two objections our reference customers meet most: price and delivery time. */
    private static final ObjectionTag[] TAGS = ObjectionTag.values();
    private static final double[] TAG_WEIGHTS = {0.34, 0.24, 0.12, 0.11, 0.11, 0.08};

    private final SimulationSettings settings;
    private final StageSla sla;
    private final Customer customer;
    private final SplittableRandom rnd;
    private final List<SimulatedEvent> events = new ArrayList<>();

    CustomerJourney(SimulationSettings settings, Customer customer, SplittableRandom rnd) {
        this.settings = settings;
        this.sla = settings.sla();
        this.customer = customer;
        this.rnd = rnd;
    }

    /** The customer's events from the first contact at {@code firstContact} up to the simulation end. */
    List<SimulatedEvent> generate(Instant firstContact) {
        Instant contactAt = firstContact;
        while (contactAt != null) {
            contactAt = opportunity(contactAt);
        }
        return events;
    }

    /** Plays one opportunity; returns when the next one starts, or null. */
    private Instant opportunity(Instant contactAt) {
        Instant end = settings.end();
        // The app opens the contact card on the check-in: same instant, the visit first.
        events.add(visit(contactAt, rnd.nextDouble() < 0.7 ? "store_scan" : followUpChannel()));
        events.add(card(contactAt, Stage.CONTACT, null));
        Stage current = Stage.CONTACT;
        Instant at = contactAt;
        int objections = 0;
        int pendings = 0;
        ObjectionTag lastTag = null;
        double proneness = customer.rep().team().objectionProneness();
        while (true) {
            Duration limit = sla.of(current);
            Instant due = at.plus(limit);
            Instant nextAt;
            // An injected conversion drop decides first whether a proposal advances at all; the random
            // numbers of customers it does not touch stay exactly what they were.
            boolean mustAdvance = false;
            Injection.ConversionDrop drop = current == Stage.PROPOSAL ? conversionDropAt(at) : null;
            if (drop != null) {
                if (rnd.nextDouble() >= drop.rate()) {
                    return null;
                }
                mustAdvance = true;
            }
            if (rnd.nextDouble() < settings.slaMissRate()) {
                if (!mustAdvance && rnd.nextDouble() < 0.45) {
                    return null; // the customer goes cold: no next card ever
                }
                nextAt = WorkingCalendar.sample(due.plus(Duration.ofMinutes(30)),
                        at.plus(scale(limit, 1.3 + rnd.nextDouble() * 0.9)), rnd);
            } else if (settings.lastMinuteShare() > 0 && rnd.nextDouble() < settings.lastMinuteShare()) {
                // Draws only when asked for, so the default journeys stay what they were.
                Instant earliest = due.minus(LAST_MINUTE);
                nextAt = WorkingCalendar.sample(earliest.isBefore(at.plus(MIN_GAP)) ? at.plus(MIN_GAP) : earliest,
                        due.minusSeconds(61), rnd);
            } else {
                Instant latest = at.plus(scale(limit, 0.15 + rnd.nextDouble() * 0.7));
                nextAt = WorkingCalendar.sample(at.plus(MIN_GAP), latest, rnd);
            }
            if (nextAt.equals(due)) {
                nextAt = nextAt.plusSeconds(61); // never exactly at the due instant: the ground truth stays unambiguous
            }
            if (nextAt.isAfter(end)) {
                return null;
            }
            maybeFollowUpVisit(at, nextAt);

            Stage next = nextStage(current, objections, proneness);
            if (rnd.nextDouble() < 0.45) {
                events.add(visit(nextAt, followUpChannel()));
            }
            at = nextAt;
            current = next;
            switch (next) {
                case NEEDS -> events.add(card(at, next, pick(NEEDS)));
                case PROPOSAL -> events.add(card(at, next, pick(PROPOSALS)));
                case OBJECTION -> {
                    objections++;
                    ObjectionTag tag = lastTag != null && rnd.nextDouble() < 0.5 ? lastTag : weightedTag();
                    lastTag = tag;
                    String script = rnd.nextDouble() < customer.rep().team().scriptAdoption() ? scriptFor(tag) : null;
                    events.add(new StageCard(at, customer, next, null, null, tag, script, null));
                }
                case CLOSING -> {
                    String outcome = closingOutcome(pendings);
                    events.add(card(at, next, outcome));
                    if ("pending".equals(outcome)) {
                        pendings++;
                    } else {
                        return rnd.nextDouble() < 0.3
                                ? startOfNextOpportunity(at)
                                : null;
                    }
                }
                default -> throw new IllegalStateException("contact never follows within an opportunity");
            }
        }
    }

    private Injection.ConversionDrop conversionDropAt(Instant at) {
        String region = customer.rep().team().region().code();
        for (Injection i : settings.injections()) {
            if (i instanceof Injection.ConversionDrop d && d.region().equals(region) && !at.isBefore(d.from())) {
                return d;
            }
        }
        return null;
    }

    private Stage nextStage(Stage current, int objections, double proneness) {
        return switch (current) {
            case CONTACT -> rnd.nextDouble() < 0.12 ? Stage.PROPOSAL : Stage.NEEDS;
            case NEEDS -> Stage.PROPOSAL;
            case PROPOSAL -> rnd.nextDouble() < Math.min(0.95, 0.65 * proneness) ? Stage.OBJECTION : Stage.CLOSING;
            case OBJECTION -> objections < 3 && rnd.nextDouble() < Math.min(0.8, 0.35 * proneness)
                    ? Stage.OBJECTION : Stage.CLOSING;
            case CLOSING -> Stage.CLOSING; // only after pending
        };
    }

    /** Won ~35%, lost ~40%, pending ~25% (at most twice in a row). */
    private String closingOutcome(int pendings) {
        double x = rnd.nextDouble() * (pendings >= 2 ? 0.75 : 1.0);
        return x < 0.35 ? "won" : x < 0.75 ? "lost" : "pending";
    }

    private Instant startOfNextOpportunity(Instant closedAt) {
        Instant next = WorkingCalendar.sample(closedAt.plus(Duration.ofDays(3)), closedAt.plus(Duration.ofDays(12)),
                rnd);
        return next.isAfter(settings.end()) ? null : next;
    }

    /** Sometimes the rep visits between two cards without submitting one. */
    private void maybeFollowUpVisit(Instant from, Instant to) {
        if (rnd.nextDouble() < 0.3 && Duration.between(from, to).compareTo(Duration.ofHours(3)) > 0) {
            events.add(visit(WorkingCalendar.sample(from.plus(Duration.ofHours(1)), to.minus(Duration.ofHours(1)), rnd),
                    followUpChannel()));
        }
    }

    private StageCard card(Instant at, Stage stage, String requiredValue) {
        return switch (stage) {
            case CONTACT -> new StageCard(at, customer, stage, null, null, null, null, null);
            case NEEDS -> new StageCard(at, customer, stage, requiredValue, null, null, null, null);
            case PROPOSAL -> new StageCard(at, customer, stage, null, requiredValue, null, null, null);
            case CLOSING -> new StageCard(at, customer, stage, null, null, null, null, requiredValue);
            case OBJECTION -> throw new IllegalArgumentException("objection cards are built with their tag");
        };
    }

    private Visit visit(Instant at, String channel) {
        boolean atStore = channel.equals("store_scan");
        double lat = atStore ? SalesOrganisation.round5(customer.store().lat() + (rnd.nextDouble() - 0.5) * 0.001) : 0;
        double lon = atStore ? SalesOrganisation.round5(customer.store().lon() + (rnd.nextDouble() - 0.5) * 0.001) : 0;
        return new Visit(at, customer, channel, atStore, lat, lon);
    }

    /** Store scans dominate; phone, online chat and short video calls make up the rest. */
    private String followUpChannel() {
        double x = rnd.nextDouble();
        return x < 0.45 ? "store_scan" : x < 0.70 ? "phone" : x < 0.88 ? "online" : "video";
    }

    private ObjectionTag weightedTag() {
        double x = rnd.nextDouble();
        for (int i = 0; i < TAGS.length; i++) {
            x -= TAG_WEIGHTS[i];
            if (x < 0) {
                return TAGS[i];
            }
        }
        return TAGS[TAGS.length - 1];
    }

    private String scriptFor(ObjectionTag tag) {
        return switch (tag) {
            case PRICE_HIGH -> rnd.nextDouble() < 0.6 ? "kb-price-01" : "kb-price-02";
            case DELIVERY_TIME -> rnd.nextDouble() < 0.7 ? "kb-delivery-01" : "kb-delivery-02";
            case QUALITY_DOUBT -> "kb-quality-01";
            case COMPETITOR_CONTRACT -> "kb-competitor-01";
            case PAYMENT_TERMS -> "kb-payment-01";
            case NO_BUDGET -> "kb-budget-01";
        };
    }

    private String pick(String[] options) {
        return options[rnd.nextInt(options.length)];
    }

    private static Duration scale(Duration d, double factor) {
        return Duration.ofSeconds(Math.round(d.getSeconds() * factor));
    }
}

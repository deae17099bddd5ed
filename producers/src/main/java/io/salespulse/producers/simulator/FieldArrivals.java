package io.salespulse.producers.simulator;

import io.salespulse.producers.simulator.SalesOrganisation.Rep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * When the field app's records reach SalesPulse, as opposed to when they happened.
 *
 * <p><b>Offline queues.</b> The reps of our reference customers (docs/simulator.md) work in stores and outlets: the distributor's reps drive a
 * route of shops, the food chain's sales guides stand in stores, and the contact card is created by scanning the
 * store's QR code on the spot. Back rooms, basements, underground malls and suburban outlets have poor coverage,
 * and some phones keep the app's data off until Wi-Fi. So a share of reps ({@link SimulationSettings#offlineReps},
 * 15 % by default: those whose route has such places, not everybody) go offline 1 to 3 times a week, starting
 * while they work. A spell lasts about one store visit or a stretch of the route: lognormal with a median of 2 h
 * (sigma 0.9: one in ten over 6 h, when the app is only opened again at the end of the day), capped at 24 h (by
 * the next working day the rep is back in coverage). Everything the rep creates meanwhile (cards and visits) is
 * queued and uploaded in one burst, in creation order, a few seconds (2-20 s: reconnect and sign-in) after the
 * spell ends.
 *
 * <p><b>App retries.</b> A share of the field records ({@link SimulationSettings#retryRate}, 2 % by default) is
 * sent again with the same bytes and event_id: mostly seconds later (75 %, 2-90 s: a request that timed out on a
 * weak connection), sometimes hours later (20 %, 1-12 h: the app was killed and resends its outbox on the next
 * start), rarely days later (5 %, 1-21 days: an outbox resent after an app update or a phone restore). The later
 * ones arrive after the customer may have moved on or closed. Acks are not retried: they come from managers
 * through WeCom, not from the field app.
 *
 * <p>These figures are our judgement of field conditions, not measurements; the retraction table
 * ({@link RetractionTable}) shows how much they matter for the alerts.
 */
final class FieldArrivals {
    private static final Duration SPELL_MEDIAN = Duration.ofHours(2);
    private static final double SPELL_SIGMA = 0.9;
    private static final Duration SPELL_CAP = Duration.ofHours(24);
    private static final int MAX_SPELLS_A_WEEK = 3;
    private static final int UPLOAD_MIN_SECONDS = 2;
    private static final int UPLOAD_MAX_SECONDS = 20;

    /** An offline spell: what the rep creates in {@code [start, uploadAt)} arrives at {@code uploadAt}. */
    record Spell(Instant start, Instant uploadAt) {}

    private final double retryRate;
    private final Map<String, List<Spell>> spellsByRep = new LinkedHashMap<>();

    /** @param spells draws which reps go offline and when (consumed here, in the order of {@code reps}) */
    FieldArrivals(SimulationSettings settings, List<Rep> reps, SplittableRandom spells) {
        this.retryRate = settings.retryRate();
        if (settings.offlineReps() <= 0) {
            return;
        }
        for (Rep rep : reps) {
            if (spells.nextDouble() < settings.offlineReps()) {
                spellsByRep.put(rep.id(), spells(settings.start(), settings.end(), spells));
            }
        }
    }

    private static List<Spell> spells(Instant from, Instant to, SplittableRandom rnd) {
        List<Spell> drawn = new ArrayList<>();
        for (Instant week = from; week.isBefore(to); week = week.plus(Duration.ofDays(7))) {
            int count = 1 + rnd.nextInt(MAX_SPELLS_A_WEEK);
            for (int i = 0; i < count; i++) {
                Instant start = WorkingCalendar.sample(week, week.plus(Duration.ofDays(7)), rnd);
                long seconds = Simulator.logNormalSeconds(SPELL_MEDIAN.getSeconds(), SPELL_SIGMA,
                        SPELL_CAP.getSeconds(), rnd);
                long upload = UPLOAD_MIN_SECONDS + rnd.nextInt(UPLOAD_MAX_SECONDS - UPLOAD_MIN_SECONDS + 1);
                drawn.add(new Spell(start, start.plusSeconds(seconds + upload)));
            }
        }
        drawn.sort(Comparator.comparing(Spell::start));
        // Overlapping spells are one longer spell: the phone was offline throughout.
        List<Spell> merged = new ArrayList<>();
        for (Spell s : drawn) {
            Spell last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && s.start().isBefore(last.uploadAt())) {
                Instant upload = s.uploadAt().isAfter(last.uploadAt()) ? s.uploadAt() : last.uploadAt();
                merged.set(merged.size() - 1, new Spell(last.start(), upload));
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    /** When a record the rep created at {@code occurredAt} arrives: at once, or with the spell's upload. */
    Instant arrival(String repId, Instant occurredAt) {
        for (Spell s : spellsByRep.getOrDefault(repId, List.of())) {
            if (!occurredAt.isBefore(s.start()) && occurredAt.isBefore(s.uploadAt())) {
                return s.uploadAt();
            }
        }
        return occurredAt;
    }

    /**
     * When the app sends a record that arrived at {@code arrival} again, or null when it does not. Draws from
     * {@code rnd} only when retries are on, so a run without them consumes nothing.
     */
    Instant retry(Instant arrival, SplittableRandom rnd) {
        if (retryRate <= 0 || rnd.nextDouble() >= retryRate) {
            return null;
        }
        double kind = rnd.nextDouble();
        long seconds;
        if (kind < 0.75) {
            seconds = 2 + rnd.nextLong(89);
        } else if (kind < 0.95) {
            seconds = 3600 + rnd.nextLong(11 * 3600 + 1);
        } else {
            seconds = 86_400 + rnd.nextLong(20 * 86_400L + 1);
        }
        return arrival.plusSeconds(seconds);
    }

    /** The reps with offline spells, in organisation order. */
    List<String> offlineReps() {
        return List.copyOf(spellsByRep.keySet());
    }

    List<Spell> spells(String repId) {
        return spellsByRep.getOrDefault(repId, List.of());
    }
}

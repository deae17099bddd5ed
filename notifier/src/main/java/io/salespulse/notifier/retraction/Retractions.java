package io.salespulse.notifier.retraction;

import io.salespulse.contract.Alert;
import io.salespulse.notifier.delivery.Delivery;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code retraction} does to deliveries. A card uploaded late by an offline phone proved an alert wrong, so
 * the groups that saw the alert must see its withdrawal, and the groups that did not see it must never see either:
 *
 * <ul>
 *   <li>the alert (or an escalation of it) was posted: the retraction goes to the same routes, taken from the
 *       ledger, not from the routing rules (a rule on {@code type} would not match {@code retraction});</li>
 *   <li>the alert still waits for its robot (rate limit, backoff, a digest backlog): it is withdrawn, recorded as
 *       {@code retracted_before_delivery}, and nothing is posted;</li>
 *   <li>the alert was never posted (failed, history, unknown): nothing is posted;</li>
 *   <li>the alert or an escalation of it is read after its retraction (another partition, a replay): it is
 *       recorded as {@code retracted_before_delivery} instead of being queued.</li>
 * </ul>
 *
 * Every retraction leaves ledger rows (its posts, or one {@code nothing_to_retract} row on route '') whose
 * origin_alert_id is the withdrawn alert: that stops escalation, and reading the retraction again finds them and
 * posts nothing twice. A retraction from an imported history ({@code origin = history}) is never posted but
 * still withdraws what waits.
 */
public final class Retractions {
    private static final Logger LOG = LoggerFactory.getLogger(Retractions.class);

    /** Holds a retraction's post (quiet hours): the held ledger row, or empty to post it now. */
    public interface Hold {
        Optional<Delivery> held(Delivery post);

        Hold NEVER = post -> Optional.empty();
    }

    private final DeliveryLedger ledger;
    private final RobotDispatcher dispatcher;
    private final Hold hold;

    public Retractions(DeliveryLedger ledger, RobotDispatcher dispatcher, Hold hold) {
        this.ledger = ledger;
        this.dispatcher = dispatcher;
        this.hold = hold;
    }

    /**
     * The ids a round's ledger lookup needs besides the alerts' own: the retraction of each alert (was it withdrawn
     * already?) and the alert each retraction withdraws (was it ever seen?).
     */
    public static Set<String> lookupIds(Collection<NotifierAlert> alerts) {
        Set<String> ids = new LinkedHashSet<>();
        for (NotifierAlert a : alerts) {
            ids.add(a.alertId());
            ids.add(a.isRetraction() ? a.retracts() : Alert.retractionId(a.originAlertId()));
        }
        return ids;
    }

    /** The alert, or the alert this escalation is about, was withdrawn by a retraction read earlier. */
    public boolean withdrawn(NotifierAlert a, Map<String, Map<String, Delivery.Status>> known) {
        return known.containsKey(Alert.retractionId(a.originAlertId())) || dispatcher.retractionWaiting(a.originAlertId());
    }

    /** Takes what still waits of the alert {@code retraction} withdraws: the ledger rows that record it. */
    public List<Delivery> withdrawWaiting(NotifierAlert retraction) {
        List<Delivery> out = new ArrayList<>();
        for (Delivery d : dispatcher.withdraw(retraction.retracts())) {
            out.add(d.decide(Delivery.Status.RETRACTED_BEFORE_DELIVERY, "retracted",
                    "withdrawn by " + retraction.alertId() + " before it was posted"));
        }
        return out;
    }

    /**
     * Applies the round's live retractions, each read as a delivery without a route, after the round's other alerts
     * were queued (so an alert and its retraction read together are withdrawn too). Queues the retraction posts and
     * returns the ledger rows of the decisions.
     */
    public List<Delivery> apply(List<Delivery> retractions, Map<String, Map<String, Delivery.Status>> known)
            throws SQLException {
        List<Delivery> decided = new ArrayList<>();
        if (retractions.isEmpty()) {
            return decided;
        }
        Map<String, Set<String>> posted = ledger.postedRoutes(retractions.stream().map(d -> d.alert.retracts()).toList());
        for (Delivery read : retractions) {
            NotifierAlert r = read.alert;
            List<Delivery> dropped = withdrawWaiting(r);
            decided.addAll(dropped);
            Map<String, Delivery.Status> seen = known.getOrDefault(r.alertId(), Map.of());
            Set<String> targets = new TreeSet<>(posted.getOrDefault(r.retracts(), Set.of()));
            targets.removeAll(seen.keySet());
            for (String route : targets) {
                Delivery post = read.onRoute(route);
                Optional<Delivery> held = hold.held(post);
                if (held.isPresent()) {
                    decided.add(held.get());
                } else {
                    dispatcher.enqueue(post);
                }
            }
            if (!targets.isEmpty() || !seen.isEmpty()) {
                continue;
            }
            String reason;
            String detail;
            if (!dropped.isEmpty()) {
                reason = "original_dropped";
                detail = r.retracts() + " still waited for its robot: withdrawn, neither posted";
            } else if (known.containsKey(r.retracts())) {
                reason = "original_not_posted";
                detail = r.retracts() + " was never posted (" + String.join(", ", statuses(known.get(r.retracts())))
                        + "): nothing to withdraw in any group";
            } else {
                reason = "original_unknown";
                detail = r.retracts() + " has not been read: if it comes later it is not posted";
            }
            decided.add(read.decide(Delivery.Status.NOTHING_TO_RETRACT, reason, detail));
            LOG.info("Retraction {}: nothing to post ({})", r.alertId(), reason);
        }
        return decided;
    }

    private static Set<String> statuses(Map<String, Delivery.Status> byRoute) {
        Set<String> out = new TreeSet<>();
        byRoute.values().forEach(s -> out.add(s.code()));
        return out;
    }
}

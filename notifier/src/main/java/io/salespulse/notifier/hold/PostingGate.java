package io.salespulse.notifier.hold;

import io.salespulse.contract.StageSla;
import io.salespulse.contract.policy.BusinessCalendar;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.notifier.delivery.Delivery;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.routing.RoutingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, for one alert on one route at one moment, whether its message goes out now or is held, and until when.
 * In this order:
 *
 * <ol>
 *   <li><b>Silence</b>: a running silence matches the alert: {@code silenced} until the silence ends.</li>
 *   <li><b>Inhibition</b>: an inhibition rule's source alert is open and agrees with this (target) alert on every
 *       {@code equal} field: {@code inhibited} until the next multiple of the rule's {@code group_interval}, so the
 *       targets of one interval go out together as one message.</li>
 *   <li><b>Quiet hours</b>: the alert's scope has a business calendar (a run-time policy's {@code calendar}) and now
 *       is outside its working time: {@code quiet_hours} until the next opening, where everything held overnight
 *       goes out as one morning message per route. A rule with {@code urgent: true} for this route skips this.</li>
 * </ol>
 *
 * Where ours differs from Alertmanager: an inhibited alert is delayed and grouped, not muted (a region in a funnel
 * drop still needs its overdue customers followed up, just not one message each); a silence that ends while its
 * alert is still open posts the alert then (Alertmanager would notify it on the next group interval); quiet hours
 * come from the tenant's own calendar rather than from time intervals in the routing file.
 */
public final class PostingGate {
    /** Why and until when a message is held. */
    public record Hold(Delivery.Status status, String reason, Instant until, String detail) {}

    /** An open alert that can hold others by an inhibition rule (read from {@code salespulse.alerts}). */
    public record OpenSource(NotifierAlert alert) {}

    public static final String QUIET_HOURS = "quiet_hours";
    public static final String SILENCED = "silenced";
    public static final String INHIBITED = "inhibited";

    private final PolicyBook policies;

    public PostingGate(PolicyBook policies) {
        this.policies = policies;
    }

    /**
     * The hold for {@code a} on {@code route} at {@code now}, if any. {@code sources}: the open alerts inhibition rules
     * may name (empty when the message was held by an inhibition before and is being released: a message is grouped
     * once, not again every interval while the episode lasts).
     */
    public Optional<Hold> holdOf(NotifierAlert a, String route, Instant now, RoutingRules rules,
            List<DeliveryLedger.Silence> silences, List<NotifierAlert> sources) {
        if (a.isHistory()) {
            return Optional.empty();
        }
        if (!a.isRetraction()) {
            for (DeliveryLedger.Silence s : silences) {
                if (s.matches(a)) {
                    return Optional.of(new Hold(Delivery.Status.SILENCED, SILENCED, s.endsAt(),
                            "silence " + s.id() + " until " + s.endsAt() + ": recorded, posted then if still open"));
                }
            }
            for (RoutingRules.Inhibition rule : rules.inhibitions()) {
                if (!rule.isTarget(a.facts())) {
                    continue;
                }
                for (NotifierAlert source : sources) {
                    if (!source.alertId().equals(a.alertId()) && rule.isSource(source.facts())
                            && agree(rule.equal(), source, a)) {
                        Instant until = nextMultiple(now, rule.groupInterval());
                        return Optional.of(new Hold(Delivery.Status.HELD, INHIBITED, until, "inhibited by "
                                + source.alertId() + " (rule " + rule.name() + "): grouped, posted at " + until));
                    }
                }
            }
        }
        if (rules.urgent(a.facts(), route)) {
            return Optional.empty();
        }
        BusinessCalendar calendar = calendarOf(a);
        if (calendar == null || calendar.isWorkingTime(now)) {
            return Optional.empty();
        }
        Instant opening;
        try {
            opening = calendar.addWorkingTime(now, Duration.ZERO);
        } catch (IllegalStateException e) {
            return Optional.empty(); // a calendar without working time for months: holding would lose the message
        }
        return Optional.of(new Hold(Delivery.Status.HELD, QUIET_HOURS, opening, "outside working hours ("
                + calendar.zone() + "): held until the next opening " + opening));
    }

    /** The business calendar of the alert's scope, or null when its SLAs count around the clock. */
    public BusinessCalendar calendarOf(NotifierAlert a) {
        String region = part(a.region());
        String team = region == null ? null : part(a.team());
        return policies.resolve(StageSla.defaults(), a.tenant(), region, team).calendar();
    }

    private static boolean agree(List<String> fields, NotifierAlert x, NotifierAlert y) {
        for (String f : fields) {
            boolean same = switch (f) {
                case "tenant" -> Objects.equals(x.tenant(), y.tenant());
                case "region" -> Objects.equals(blank(x.region()), blank(y.region()));
                case "team" -> Objects.equals(blank(x.team()), blank(y.team()));
                default -> Objects.equals(blank(x.stage()), blank(y.stage()));
            };
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static String blank(String s) {
        return s == null ? "" : s;
    }

    static Instant nextMultiple(Instant now, Duration interval) {
        long step = interval.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), step) * step + step);
    }

    private static String part(String s) {
        return s == null || s.isBlank() || s.contains(",") || s.contains("/") ? null : s;
    }
}

package io.salespulse.notifier.escalation;

import io.salespulse.contract.StageSla;
import io.salespulse.contract.policy.BusinessCalendar;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.notifier.delivery.NotifierAlert;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Diagnoses that ask for an action carry a deadline. A {@code funnel_drop} ("建议区域经理 24 小时内与…复盘") and a
 * {@code coaching} alert ask the manager to do something, not just to look: when their message goes out, the notifier
 * gives it a deadline, {@code escalation.instruction_within} (policy of the alert's scope, default 24 h) after the
 * group was told, moved to the next opening when it would fall outside the scope's working hours (told Friday 16:00:
 * due Monday 09:00, not Saturday 16:00). The message shows it, the ledger keeps it ({@code action_due_at}), and the
 * action is done when someone marks the alert resolved (标记已解决) on its page: an ack says someone looked, and does
 * not stop the clock. A deadline missed escalates (level 1 at the deadline, then as usual), see {@link Escalator}.
 */
public final class Instructions {
    /** Alert types whose text asks for an action. */
    public static final Set<String> TYPES = Set.of("funnel_drop", "coaching");
    public static final Duration DEFAULT_WITHIN = Duration.ofHours(24);

    private final PolicyBook policies;

    public Instructions(PolicyBook policies) {
        this.policies = policies;
    }

    /** The deadline of {@code a}'s action when its group is told at {@code told}, if it asks for one. */
    public Optional<Instant> deadline(NotifierAlert a, Instant told) {
        if (!isInstruction(a)) {
            return Optional.empty();
        }
        EffectivePolicy p = policies.resolve(StageSla.defaults(), a.tenant(), part(a.region()),
                part(a.region()) == null ? null : part(a.team()));
        Instant due = told.plus(p.escalation().getOrDefault("instruction_within", DEFAULT_WITHIN));
        BusinessCalendar calendar = p.calendar();
        if (calendar != null && !calendar.isWorkingTime(due)) {
            try {
                due = calendar.addWorkingTime(due, Duration.ZERO);
            } catch (IllegalStateException e) {
                // no working time for months: keep the plain deadline
            }
        }
        return Optional.of(due);
    }

    public static boolean isInstruction(NotifierAlert a) {
        return TYPES.contains(a.type()) && a.escalationLevel() == 0 && !a.isRetraction() && !a.isHistory();
    }

    private static String part(String s) {
        return s == null || s.isBlank() || s.contains(",") || s.contains("/") ? null : s;
    }
}

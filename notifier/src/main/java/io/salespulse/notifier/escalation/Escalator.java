package io.salespulse.notifier.escalation;

import io.salespulse.contract.StageSla;
import io.salespulse.contract.policy.BusinessCalendar;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.ops.NotifierMetrics;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.routing.RoutingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises an {@code escalation} alert for an alert nobody acknowledged in time, counted from when people were told
 * (the delivery ledger's {@code delivered_at}), not from when the alert fired, and in working time when the alert's
 * scope has a business calendar (told 17:00 with a 4 h wait and 09-18 hours: 12:00 the next working day): level 1 (region) at
 * {@code team told + window}, level 2 (director) at {@code region told + (level-2 time - level-1 time)}, by default
 * another window; a backlog posted late, or a robot held back by its rate limit, therefore never escalates before
 * anyone could answer. An ack or resolve on
 * the alert (or on one of its escalations) stops the chain.
 *
 * <p>Deterministic: the id is {@code escalation:<alert_id>:<level>} and its {@code fired_at} is its due time, computed
 * from delivery times the ledger keeps, so raising it twice (a crash before it was recorded, a replay)
 * yields the same alert, which the delivery ledger delivers once. Due times are compared with the
 * wall clock ({@link NotifierTime}), not event time: escalation is about people not answering while
 * time passes, and event time stands still on a quiet night. Alerts older than
 * {@code escalation.max_age} never escalate, so replaying a history does not page the directors.
 *
 * <p>Run-time policies ({@code sales.policies}) override the routing file for their scope (the alert's tenant,
 * region, team): {@code escalation.region_manager} (or {@code escalation.region}) is the wait for level 1,
 * {@code escalation.director} the total wait up to level 2 (default: twice the level-1 time, as in the routing
 * file); {@code alert_types.escalation: false} means the scope's alerts never escalate.
 *
 * <p>An alert that asks for an action ({@link Instructions}: {@code funnel_drop}, {@code coaching}) carries a deadline
 * from when its message went out: an ack does not stop its chain, only resolving it does, and its level 1 comes at the
 * deadline (「指令逾期」) rather than a window after it was told.
 *
 * <p>A snoozed alert (暂停提醒 on the alert page: a row of {@code alert_silences} naming it) does not escalate
 * while the snooze runs; afterwards, still unanswered, it escalates as due.
 *
 * <p>A retracted alert never escalates: the ledger leaves out alerts with a retraction recorded, and
 * {@code retractionWaiting} those whose retraction was read but waits for its robot (not in the ledger yet).
 */
public final class Escalator {
    private static final Logger LOG = LoggerFactory.getLogger(Escalator.class);
    private static final List<String> LEVEL_NAMES = List.of("团队", "区域经理", "总监");

    private final DeliveryLedger ledger;
    private final RoutingFile routing;
    private final Producer<String, byte[]> producer;
    private final String topicAlerts;
    private final NotifierTime time;
    private final PolicyBook policies;
    private final Predicate<String> retractionWaiting;
    private final NotifierMetrics metrics;
    private final java.time.format.DateTimeFormatter when;
    /** Whether the last check met an alert whose group was being told right then (its ledger row still 'sending'). */
    private boolean waitedForDelivery;
    /** Levels raised by this process but perhaps not yet back through sales.alerts into the ledger. */
    private final Map<String, Integer> raised = new HashMap<>();

    public Escalator(DeliveryLedger ledger, RoutingFile routing, Producer<String, byte[]> producer, String topicAlerts,
            NotifierTime time, PolicyBook policies, Predicate<String> retractionWaiting, NotifierMetrics metrics,
            java.time.ZoneId zone) {
        this.when = java.time.format.DateTimeFormatter.ofPattern("M月d日 HH:mm").withZone(zone);
        this.ledger = ledger;
        this.routing = routing;
        this.producer = producer;
        this.topicAlerts = topicAlerts;
        this.time = time;
        this.policies = policies;
        this.retractionWaiting = retractionWaiting;
        this.metrics = metrics;
    }

    /** Raises every escalation due now, one level per alert per call; returns how many were raised. */
    public int escalateDue() throws Exception {
        RoutingRules rules = routing.current().rules();
        Instant now = time.now();
        int top = RoutingRules.LEVELS.size() - 1;
        int count = 0;
        waitedForDelivery = false;
        List<DeliveryLedger.Silence> silences = ledger.activeSilences(now);
        List<DeliveryLedger.Origin> candidates = ledger.escalationCandidates(now.minus(rules.escalationMaxAge()), top);
        // An alert no longer a candidate (answered, at the top level, too old) can never be raised again: forget it.
        Set<String> ids = new HashSet<>();
        candidates.forEach(o -> ids.add(o.alert().alertId()));
        raised.keySet().retainAll(ids);
        for (DeliveryLedger.Origin o : candidates) {
            NotifierAlert a = o.alert();
            if (raised.getOrDefault(a.alertId(), 0) > o.level() || o.toldAt() == null) {
                // The level raised last is not back in the ledger yet, or its group is being told right now: its
                // wait has not started. Look again shortly rather than a whole interval later.
                waitedForDelivery = true;
                continue;
            }
            int level = o.level();
            int next = level + 1;
            // A snoozed alert waits: when the snooze ends and the alert is still unanswered, its due level follows.
            if (next > top || retractionWaiting.test(a.alertId()) || silences.stream().anyMatch(x -> x.matches(a))) {
                continue;
            }
            EffectivePolicy policy = policyOf(a);
            if (!policy.alertEnabled("escalation")) {
                continue;
            }
            Duration waited = waitAfterTold(next, rules.escalationWindow(a.facts()), policy);
            Instant due = afterWorkingTime(o.toldAt(), waited, policy.calendar());
            boolean missedDeadline = next == 1 && o.actionDueAt() != null;
            if (missedDeadline) {
                // An alert that asks for an action escalates at the deadline its message gave, unless resolved.
                due = o.actionDueAt();
                waited = Duration.between(o.toldAt(), due);
            }
            if (now.isBefore(due)) {
                continue;
            }
            NotifierAlert escalation = missedDeadline ? missedDeadlineOf(a, due) : escalationOf(a, next, due, waited);
            try {
                producer.send(new ProducerRecord<>(topicAlerts, escalation.alertId(), escalation.toJson(now))).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Could not write escalation " + escalation.alertId() + " to " + topicAlerts,
                        e.getCause());
            }
            ledger.writeRaisedAlert(escalation, now);
            raised.put(a.alertId(), next);
            metrics.escalationRaised(next);
            count++;
            if (missedDeadline) {
                LOG.info("Escalated {} to level 1 (region): its action was not marked done by its deadline {}",
                        a.alertId(), due);
            } else {
                LOG.info("Escalated {} to level {} ({}): not acknowledged {} after the {} group was told", a.alertId(),
                        next, RoutingRules.LEVELS.get(next), waited, RoutingRules.LEVELS.get(level));
            }
        }
        return count;
    }

    /**
     * {@code wait} after {@code told}: in the calendar's working time when the scope has one (told Friday 17:00 with a
     * 4 h wait and Mon-Fri 09-18: Monday 12:00), around the clock otherwise.
     */
    public static Instant afterWorkingTime(Instant told, Duration wait, BusinessCalendar calendar) {
        if (calendar == null) {
            return told.plus(wait);
        }
        try {
            return calendar.addWorkingTime(told, wait);
        } catch (IllegalStateException e) {
            return told.plus(wait); // no working time for months: wait around the clock rather than never
        }
    }

    /** The policy of the alert's scope; a missing or combined ("t-2,t-6") region or team stops the chain above it. */
    private EffectivePolicy policyOf(NotifierAlert a) {
        String region = part(a.region());
        String team = region == null ? null : part(a.team());
        return policies.resolve(StageSla.defaults(), a.tenant(), region, team);
    }

    private static String part(String s) {
        return s == null || s.isBlank() || s.contains(",") || s.contains("/") ? null : s;
    }

    /** True when the last {@link #escalateDue} skipped an alert whose delivery was not recorded yet. */
    public boolean waitedForDelivery() {
        return waitedForDelivery;
    }

    /**
     * How long the group of the level below waits before level {@code level} is raised, counted from when that group
     * was told: level 1 waits the level-1 time; level 2 waits the difference between the level-2 and level-1 times
     * (so the spacing of the levels is kept however late each message went out).
     */
    static Duration waitAfterTold(int level, Duration routingWindow, EffectivePolicy policy) {
        Duration first = untilLevel(1, routingWindow, policy);
        return level == 1 ? first : untilLevel(level, routingWindow, policy).minus(first);
    }

    /** Time from the alert to escalation level 1 or 2: the policy's value if it sets one, else the routing file's. */
    static Duration untilLevel(int level, Duration routingWindow, EffectivePolicy policy) {
        Map<String, Duration> p = policy.escalation();
        Duration first = p.getOrDefault("region_manager", p.getOrDefault("region", routingWindow));
        if (level == 1) {
            return first;
        }
        Duration second = p.getOrDefault("director", first.multipliedBy(2));
        return second.compareTo(first) < 0 ? first : second;
    }

    /** Level 1 of an alert whose action was not marked done by its deadline. */
    NotifierAlert missedDeadlineOf(NotifierAlert a, Instant deadline) {
        String title = "【指令逾期·升级至" + LEVEL_NAMES.get(1) + "】" + a.title();
        String message = "该诊断要求的行动应在 " + when.format(deadline) + " 前完成，至今没有人在预警页标记“已解决”，现升级给"
                + LEVEL_NAMES.get(1) + "。（原预警：" + a.alertId() + "）";
        String suggestion = "请区域经理确认行动是否已做：已完成请在预警页点“标记已解决”；未完成请今天指定负责人和完成时间。";
        return new NotifierAlert("escalation:" + a.alertId() + ":1", "escalation", a.severity(), a.tenant(), a.region(),
                a.team(), a.repId(), a.customerId(), null, null, deadline, title, message, suggestion, 1, a.alertId());
    }

    static NotifierAlert escalationOf(NotifierAlert a, int level, Instant firedAt, Duration waitedSinceTold) {
        long hours = waitedSinceTold.toMinutes() / 60;
        long minutes = waitedSinceTold.toMinutes() % 60;
        String waited = hours + " 小时" + (minutes > 0 ? " " + minutes + " 分钟" : "");
        String title = "【升级至" + LEVEL_NAMES.get(level) + "】" + a.title();
        String message = "该预警通知" + LEVEL_NAMES.get(level - 1) + "已 " + waited + "，仍无人确认处理，现升级给"
                + LEVEL_NAMES.get(level) + "。"
                + "（原预警：" + a.alertId() + "）";
        String suggestion = level == 1
                ? "请区域经理今天内指定负责人并跟进客户，打开下方链接点击“确认处理”。"
                : "请总监关注：该客户的跟进已两级无响应，建议在今日例会上安排专人负责。";
        return new NotifierAlert("escalation:" + a.alertId() + ":" + level, "escalation", a.severity(), a.tenant(),
                a.region(), a.team(), a.repId(), a.customerId(), null, null, firedAt, title, message, suggestion, level,
                a.alertId());
    }
}

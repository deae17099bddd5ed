package io.salespulse.notifier.followup;

import io.salespulse.contract.StageSla;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.escalation.Escalator;
import io.salespulse.notifier.ops.NotifierMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the loop after an ack: an acknowledged (or resolved) {@code stage_overdue} alert counts as <em>handled</em>
 * once the customer's next stage card arrives (a card with {@code occurred_at} at or after the alert). When none came
 * within {@code verify_within} of the first response, a reminder {@code follow_up:<alert_id>} ("已确认但客户仍未推进")
 * goes to the same group, once.
 *
 * <p>{@code verify_within} comes from the run-time policy of the alert's scope ({@code escalation.verify_within}),
 * counted in working time when the scope has a business calendar, default {@link #DEFAULT_VERIFY_WITHIN}: 24 h is one working day, the time a rep needs to make the promised call or
 * visit and submit the card, and shorter than the shortest stage SLA (48 h), so the reminder comes before the next
 * overdue alert would.
 *
 * <p>Like escalations, the reminder is deterministic (id, and {@code fired_at} = first response + verify_within),
 * written to {@code sales.alerts} and delivered by the same path, so a repeat is de-duplicated by the ledger. The
 * reminder links to the original alert's page. It does not escalate itself (the original was answered); a snoozed
 * or retracted alert gets no reminder.
 */
public final class FollowUpVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(FollowUpVerifier.class);
    public static final Duration DEFAULT_VERIFY_WITHIN = Duration.ofHours(24);
    public static final String TYPE = "follow_up";

    private final DeliveryLedger ledger;
    private final Producer<String, byte[]> producer;
    private final String topicAlerts;
    private final NotifierTime time;
    private final PolicyBook policies;
    private final NotifierMetrics metrics;
    private final DateTimeFormatter when;
    /** Reminders raised by this process, perhaps not yet back through sales.alerts into the ledger. */
    private final Set<String> raised = new HashSet<>();

    public FollowUpVerifier(DeliveryLedger ledger, Producer<String, byte[]> producer, String topicAlerts, NotifierTime time,
            PolicyBook policies, NotifierMetrics metrics, ZoneId zone) {
        this.ledger = ledger;
        this.producer = producer;
        this.topicAlerts = topicAlerts;
        this.time = time;
        this.policies = policies;
        this.metrics = metrics;
        this.when = DateTimeFormatter.ofPattern("M月d日 HH:mm").withZone(zone);
    }

    /** Raises every reminder due now; returns how many. {@code maxAge}: older alerts are not followed up. */
    public int remindDue(Duration maxAge) throws Exception {
        Instant now = time.now();
        List<DeliveryLedger.Silence> silences = ledger.activeSilences(now);
        int count = 0;
        List<DeliveryLedger.Unverified> candidates = ledger.answeredWithoutNextCard(now.minus(maxAge));
        // One whose reminder is in the ledger, or that is handled or too old, is no candidate any more: forget it.
        Set<String> ids = new HashSet<>();
        candidates.forEach(u -> ids.add(u.alert().alertId()));
        raised.retainAll(ids);
        for (DeliveryLedger.Unverified u : candidates) {
            NotifierAlert a = u.alert();
            if (raised.contains(a.alertId()) || silences.stream().anyMatch(x -> x.matches(a))) {
                continue;
            }
            EffectivePolicy policy = policyOf(a);
            Duration within = policy.escalation().getOrDefault("verify_within", DEFAULT_VERIFY_WITHIN);
            Instant due = Escalator.afterWorkingTime(u.firstResponseAt(), within, policy.calendar());
            if (now.isBefore(due)) {
                continue;
            }
            NotifierAlert reminder = reminderOf(a, u, due, within);
            try {
                producer.send(new ProducerRecord<>(topicAlerts, reminder.alertId(), reminder.toJson(now))).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Could not write " + reminder.alertId() + " to " + topicAlerts, e.getCause());
            }
            ledger.writeRaisedAlert(reminder, now);
            raised.add(a.alertId());
            metrics.followUpReminded();
            count++;
            LOG.info("Follow-up reminder for {}: answered by {} at {}, no stage card of {} within {}", a.alertId(),
                    u.firstResponder(), u.firstResponseAt(), a.customerId(), within);
        }
        return count;
    }

    private EffectivePolicy policyOf(NotifierAlert a) {
        String region = part(a.region());
        String team = region == null ? null : part(a.team());
        return policies.resolve(StageSla.defaults(), a.tenant(), region, team);
    }

    private static String part(String s) {
        return s == null || s.isBlank() || s.contains(",") || s.contains("/") ? null : s;
    }

    NotifierAlert reminderOf(NotifierAlert a, DeliveryLedger.Unverified u, Instant due, Duration within) {
        String title = "【已确认但客户仍未推进】" + a.title();
        String message = u.firstResponder() + " 于 " + when.format(u.firstResponseAt()) + " 确认处理，但客户 "
                + a.customerId() + " 在之后 " + within.toHours() + " 小时内没有新的阶段卡。";
        String suggestion = "请确认跟进是否真的发生：今天内补交阶段卡；如客户要求暂缓，请在预警页面暂停提醒并说明。";
        return new NotifierAlert(TYPE + ":" + a.alertId(), TYPE, a.severity(), a.tenant(), a.region(), a.team(),
                a.repId(), a.customerId(), null, null, due, title, message, suggestion, 0, a.alertId());
    }
}

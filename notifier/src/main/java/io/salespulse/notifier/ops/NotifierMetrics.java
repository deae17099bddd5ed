package io.salespulse.notifier.ops;

import io.salespulse.contract.metrics.Histogram;
import io.salespulse.contract.metrics.LabelledCounter;
import io.salespulse.contract.metrics.MetricsText;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.wecom.WeComResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the notifier counts and what its delivery loop last saw, for {@code GET /metrics} (Prometheus text format) and
 * {@link NotifierHealth}. The delivery thread counts and publishes its state here; the HTTP threads only read. Every
 * metric is listed in docs/notifier.md.
 */
public final class NotifierMetrics {
    /** Seconds: a post takes ~100 ms; rate limits, digests and retries add minutes; an outage hours. */
    private static final double[] LATENCY_BUCKETS =
            {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400};

    /** One robot (route) as the delivery loop last saw it. */
    public record RobotState(String route, int waiting, int busyAnswers, Instant notBefore) {}

    /** A route's latest posts that all failed: how many, the latest result code, since when (wall clock). */
    public record FailedPosts(int count, String latestCode, Instant since) {}

    /** The delivery loop's view of Kafka after its latest poll. */
    public record PollState(long atMillis, long atNanos, int alertPartitions, double heartbeatSecondsAgo,
            Map<String, Long> lag) {}

    private final NotifierTime time;
    private final LabelledCounter alertsConsumed = new LabelledCounter();
    private final LongAdder alertsInvalid = new LongAdder();
    private final LongAdder acksConsumed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LabelledCounter posts = new LabelledCounter();
    private final LabelledCounter retries = new LabelledCounter();
    private final LabelledCounter deliveries = new LabelledCounter();
    private final LabelledCounter escalations = new LabelledCounter();
    private final LabelledCounter followUpReminders = new LabelledCounter();
    private final LabelledCounter retractionsPosted = new LabelledCounter();
    private final LabelledCounter ackRequests = new LabelledCounter();
    private final LabelledCounter acksRecorded = new LabelledCounter();
    /** ClickHouse calls of the ledger that failed, by operation (read, write); both connections. */
    private final LabelledCounter ledgerFailures = new LabelledCounter();
    private final Histogram deliveryLatency = new Histogram(LATENCY_BUCKETS);
    private final Histogram kafkaToWeCom = new Histogram(LATENCY_BUCKETS);
    private final Map<String, FailedPosts> failedPosts = new ConcurrentHashMap<>();

    private final long startedNanos = System.nanoTime();
    private volatile PollState poll;
    /** Since when (System.nanoTime) no partition of topic.alerts has been assigned; -1 while one is. */
    private volatile long unassignedSinceNanos = startedNanos;
    /** Since when partitions of topic.alerts have been assigned without a break; -1 while none is. */
    private volatile long assignedSinceNanos = -1;
    private volatile List<RobotState> robots = List.of();
    private volatile boolean policiesCurrent;
    private volatile String stopped;
    private volatile String ledgerError;
    private volatile Instant ledgerFailingSince;
    private volatile long ledgerFailuresInOutage;

    public NotifierMetrics(NotifierTime time) {
        this.time = time;
        this.poll = new PollState(0, startedNanos, 0, -1, Map.of());
    }

    /** The counter the ledgers count their failed ClickHouse calls in. */
    public LabelledCounter ledgerFailures() {
        return ledgerFailures;
    }

    // ---- counted by the delivery thread

    public void alertConsumed(NotifierAlert a) {
        alertsConsumed.inc("type", a.type(), "origin", a.origin());
    }

    public void alertInvalid() {
        alertsInvalid.increment();
    }

    public void acksConsumed(int n) {
        acksConsumed.add(n);
    }

    public void duplicatesSkipped(int n) {
        duplicates.add(n);
    }

    /** A ledger outcome other than a post's (skipped_history, retracted_before_delivery, nothing_to_retract, uncertain). */
    public void decided(String route, String status) {
        deliveries.inc("route", route, "status", status);
    }

    public void escalationRaised(int level) {
        escalations.inc("level", Integer.toString(level));
    }

    public void followUpReminded() {
        followUpReminders.inc();
    }

    /** Every answer of WeCom to a post; a non-ok answer extends the route's run of failed posts, an ok ends it. */
    public void posted(String route, WeComResult result) {
        posts.inc("route", route, "result", resultClass(result));
        if (result.kind() == WeComResult.Kind.DELIVERED) {
            failedPosts.remove(route);
            return;
        }
        if (result.kind() == WeComResult.Kind.RETRY) {
            retries.inc("route", route);
        }
        Instant now = Instant.now();
        failedPosts.merge(route, new FailedPosts(1, result.code(), now),
                (old, one) -> new FailedPosts(old.count() + 1, result.code(), old.since()));
    }

    /** WeCom took (or finally refused) an alert: its ledger status, and when it was accepted, the latencies. */
    public void settled(String route, NotifierAlert a, String status, Instant receivedAt, Instant acceptedAt) {
        deliveries.inc("route", route, "status", status);
        if (acceptedAt == null) {
            return;
        }
        if (a.isRetraction()) {
            retractionsPosted.inc("route", route);
        }
        deliveryLatency.observe(seconds(a.firedAt(), acceptedAt));
        kafkaToWeCom.observe(seconds(receivedAt, acceptedAt));
    }

    /** The routing or secrets file changed this route's key: its earlier failures say nothing about the new key. */
    public void keyChanged(String route) {
        failedPosts.remove(route);
    }

    // ---- counted by the ack endpoint

    public void ackRequest(String result) {
        ackRequests.inc("result", result);
    }

    public void ackRecorded(String action) {
        acksRecorded.inc("action", action);
    }

    // ---- the delivery loop's state

    public void polled(PollState state) {
        poll = state;
        if (state.alertPartitions() > 0) {
            if (assignedSinceNanos < 0) {
                assignedSinceNanos = state.atNanos();
            }
            unassignedSinceNanos = -1;
        } else {
            assignedSinceNanos = -1;
            if (unassignedSinceNanos < 0) {
                unassignedSinceNanos = state.atNanos();
            }
        }
    }

    /** The consumer left the group (ClickHouse recovery) and joins again: assignment starts afresh. */
    public void rejoining() {
        long now = System.nanoTime();
        unassignedSinceNanos = now;
        assignedSinceNanos = -1;
        poll = new PollState(poll.atMillis(), now, 0, -1, Map.of());
    }

    public void robots(List<RobotState> states) {
        robots = List.copyOf(states);
    }

    public void policiesCurrent(boolean current) {
        policiesCurrent = current;
    }

    /** A ClickHouse call of the delivery loop failed: it waits for ClickHouse, then starts its round afresh. */
    public void ledgerFailing(String error) {
        if (ledgerFailingSince == null) {
            ledgerFailingSince = Instant.now();
            ledgerFailuresInOutage = 0;
        }
        ledgerFailuresInOutage++;
        ledgerError = error;
    }

    public void ledgerRecovered() {
        ledgerFailingSince = null;
        ledgerError = null;
    }

    public void stopped(String reason) {
        stopped = reason;
    }

    // ---- read by /healthz and /metrics

    PollState poll() {
        return poll;
    }

    long unassignedSinceNanos() {
        return unassignedSinceNanos;
    }

    long assignedSinceNanos() {
        return assignedSinceNanos;
    }

    String stoppedReason() {
        return stopped;
    }

    /** Null while ClickHouse answers. */
    String ledgerTrouble() {
        Instant since = ledgerFailingSince;
        String error = ledgerError;
        if (since == null || error == null) {
            return null;
        }
        return "ledger calls failing since " + since + " (" + ledgerFailuresInOutage + " failed attempt(s)): " + error;
    }

    int waitingDeliveries() {
        return robots.stream().mapToInt(RobotState::waiting).sum();
    }

    Map<String, FailedPosts> failedPosts() {
        return Map.copyOf(failedPosts);
    }

    String render(NotifierHealth.Report health) {
        Instant now = time.now();
        Map<String, Double> waiting = new HashMap<>();
        Map<String, Double> busy = new HashMap<>();
        Map<String, Double> backoff = new HashMap<>();
        for (RobotState r : robots) {
            String labels = MetricsText.labels("route", r.route());
            waiting.put(labels, (double) r.waiting());
            busy.put(labels, (double) r.busyAnswers());
            Duration left = Duration.between(now, r.notBefore());
            backoff.put(labels, left.isNegative() ? 0 : left.toMillis() / 1000.0);
        }
        Map<String, Double> failing = new HashMap<>();
        failedPosts.forEach((route, f) -> failing.put(MetricsText.labels("route", route), (double) f.count()));
        PollState p = poll;
        return new MetricsText()
                .counter("salespulse_notifier_alerts_consumed_total",
                        "Alerts read from topic.alerts, by type and origin (live, history); a replay counts again",
                        alertsConsumed)
                .counter("salespulse_notifier_alerts_invalid_total",
                        "Records of topic.alerts that are not valid alerts (dead-lettered)", alertsInvalid.sum())
                .counter("salespulse_notifier_acks_consumed_total",
                        "Acks read from topic.acks and copied into alert_acks", acksConsumed.sum())
                .counter("salespulse_notifier_duplicates_skipped_total",
                        "(alert, route) deliveries read again that the ledger already had (replays, restarts)",
                        duplicates.sum())
                .counter("salespulse_notifier_posts_total", "Posts to WeCom (a digest is one) by route and result: ok,"
                        + " rate_limited (45009, HTTP 429), bad_key (93000), other (other errcodes), http_error"
                        + " (other HTTP statuses), unreachable (timeout, connection error)", posts)
                .counter("salespulse_notifier_retries_total",
                        "Posts WeCom answered busy (rate_limited, HTTP 5xx, unreachable): tried again after a backoff",
                        retries)
                .counter("salespulse_notifier_deliveries_total", "Deliveries settled in the ledger, by route and status"
                        + " (delivered, digested, failed, skipped_history, retracted_before_delivery,"
                        + " nothing_to_retract, uncertain)", deliveries)
                .counter("salespulse_notifier_escalations_raised_total",
                        "Escalations raised (written to topic.alerts), by level: 1 region, 2 director", escalations)
                .counter("salespulse_notifier_follow_up_reminders_total",
                        "Reminders raised for answered alerts whose customer had no next stage card within verify_within",
                        followUpReminders)
                .counter("salespulse_notifier_retractions_posted_total",
                        "Retractions WeCom accepted, by route (where the withdrawn alert had been posted)",
                        retractionsPosted)
                .counter("salespulse_notifier_ack_requests_total", "Requests to /ack by result: recorded,"
                        + " already_recorded, unknown_alert, bad_request, error (a method other than GET or POST),"
                        + " unavailable", ackRequests)
                .counter("salespulse_notifier_acks_recorded_total",
                        "Acks the ack endpoint wrote to topic.acks, by action (ack, resolve)", acksRecorded)
                .counter("salespulse_notifier_ledger_failures_total",
                        "ClickHouse calls of the delivery ledger that failed, by operation (read, write)", ledgerFailures)
                .histogram("salespulse_notifier_delivery_latency_seconds",
                        "From an alert's fired_at (an escalation's due time) to WeCom accepting it", deliveryLatency)
                .histogram("salespulse_notifier_kafka_to_wecom_seconds", "From the alert record's Kafka timestamp to"
                        + " WeCom accepting it: the notifier's share (latency_ms in alert_deliveries)", kafkaToWeCom)
                .gauge("salespulse_notifier_robot_waiting", "Deliveries waiting for their robot (route)", waiting)
                .gauge("salespulse_notifier_robot_busy_answers", "Busy answers in a row of a robot (route)", busy)
                .gauge("salespulse_notifier_robot_backoff_seconds",
                        "Time until a robot (route) may post again after a busy answer", backoff)
                .gauge("salespulse_notifier_route_failed_posts",
                        "Latest posts of a route that all failed (0 series: its latest post succeeded)", failing)
                .gauge("salespulse_notifier_consumer_lag",
                        "Records of an assigned partition not read yet (log end - position), as of the latest poll",
                        p.lag())
                .gauge("salespulse_notifier_assigned_partitions", "Partitions of topic.alerts assigned to this notifier",
                        p.alertPartitions())
                .gauge("salespulse_notifier_last_poll_timestamp_seconds",
                        "Unix time of the delivery loop's latest poll of Kafka (0: none yet)", p.atMillis() / 1000.0)
                .gauge("salespulse_notifier_kafka_heartbeat_age_seconds",
                        "Seconds since the consumer's latest heartbeat to the group coordinator (-1: none yet)",
                        p.heartbeatSecondsAgo())
                .gauge("salespulse_notifier_policies_current",
                        "1 once topic.policies has been read to its end (escalation waits for it)", policiesCurrent ? 1 : 0)
                .gauge("salespulse_notifier_healthy", "1 while /healthz answers ok, 0 while degraded",
                        health.ok() ? 1 : 0)
                .toString();
    }

    private static double seconds(Instant from, Instant to) {
        double s = (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
        return Math.max(0, s);
    }

    /** The result label of a post: ok, rate_limited, bad_key, other, http_error, unreachable. */
    static String resultClass(WeComResult r) {
        if (r.kind() == WeComResult.Kind.DELIVERED) {
            return "ok";
        }
        if (r.rateLimited()) {
            return "rate_limited";
        }
        String code = r.code();
        if (code.equals("wecom_93000")) {
            return "bad_key";
        }
        if (code.startsWith("http_")) {
            return "http_error";
        }
        if (code.equals("timeout") || code.equals("io_error")) {
            return "unreachable";
        }
        return "other";
    }
}

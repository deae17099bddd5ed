package io.salespulse.notifier.delivery;

import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.ops.NotifierMetrics;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.wecom.RobotRateLimiter;
import io.salespulse.notifier.wecom.WeComClient;
import io.salespulse.notifier.wecom.WeComMessages;
import io.salespulse.notifier.wecom.WeComResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds what waits for each robot and sends it as the robot's budget allows: one message per alert while the
 * budget covers the robot's backlog, else one digest for the whole backlog. It never blocks the delivery
 * thread: a delivery that cannot go yet (no rate token, backing off after a busy answer) stays waiting here
 * while the notifier keeps reading, so a retraction read meanwhile can still {@link #withdraw} it.
 *
 * <p>Every message is recorded in the ledger as {@code sending} before its first post and with its outcome
 * after it, so a crash leaves at most the one message in flight undecided. Busy answers (45009, 429, 5xx,
 * timeouts) are retried with exponential backoff and jitter for as long as WeCom answers busy; permanent errors
 * fail at once into the ledger and dead letters.
 */
public final class RobotDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RobotDispatcher.class);

    /** Sees every post right after WeCom answered and before the ledger records it (tests: crashes). */
    public interface PostObserver {
        void posted(String route, WeComResult result, List<String> alertIds);

        PostObserver NONE = (route, result, ids) -> { };
    }

    /** What waits for one robot, and when it may be tried again after a busy answer. */
    private static final class Robot {
        /** Deliveries not posted yet, in the order they were read; a busy answer leaves its deliveries here. */
        final List<Delivery> waiting = new ArrayList<>();
        Instant notBefore = Instant.EPOCH;
        int busyAnswers;
    }

    /**
     * Asked right before a delivery is posted whether it must wait after all (quiet hours began while it waited for
     * its robot): the held ledger row, or empty to post it.
     */
    public interface LastLook {
        Optional<Delivery> hold(Delivery d);

        LastLook NONE = d -> Optional.empty();
    }

    /** One post: a single alert or a digest of several. */
    private record Message(List<Delivery> group, String content, Delivery.Status success, String digestId) {}

    private final DeliveryLedger ledger;
    private final WeComClient client;
    private final RobotRateLimiter limiter;
    private final WeComMessages messages;
    private final RoutingFile routing;
    private final NotifierTime time;
    private final int maxAttempts;
    private final Duration retryBase;
    private final Duration retryMax;
    private final PostObserver observer;
    private final NotifierMetrics metrics;
    private final Map<String, Robot> robots = new LinkedHashMap<>();
    private LastLook lastLook = LastLook.NONE;
    /** The deadline of the action an alert asks for, when told now (none by default). */
    private java.util.function.BiFunction<NotifierAlert, Instant, Optional<Instant>> deadlines =
            (a, told) -> Optional.empty();

    public RobotDispatcher(DeliveryLedger ledger, WeComClient client, RobotRateLimiter limiter, WeComMessages messages,
            RoutingFile routing, NotifierTime time, int maxAttempts, Duration retryBase, Duration retryMax,
            PostObserver observer, NotifierMetrics metrics) {
        this.ledger = ledger;
        this.client = client;
        this.limiter = limiter;
        this.messages = messages;
        this.routing = routing;
        this.time = time;
        this.maxAttempts = maxAttempts;
        this.retryBase = retryBase;
        this.retryMax = retryMax;
        this.observer = observer;
        this.metrics = metrics;
    }

    /** Sets the check made right before posting (the notifier's quiet hours). */
    public void lastLook(LastLook look) {
        this.lastLook = look;
    }

    /** Sets how an alert that asks for an action gets its deadline (shown in its message, kept in the ledger). */
    public void deadlines(java.util.function.BiFunction<NotifierAlert, Instant, Optional<Instant>> deadlines) {
        this.deadlines = deadlines;
    }

    /** Adds a delivery (not in the ledger yet) to its robot's backlog; {@link #sendReady} posts it. */
    public void enqueue(Delivery d) {
        robots.computeIfAbsent(d.route, r -> new Robot()).waiting.add(d);
    }

    /**
     * Takes every waiting delivery of alert {@code alertId} and of its escalations out of the backlogs, unposted,
     * and returns them (a retraction arrived before the robots had a chance to post them).
     */
    public List<Delivery> withdraw(String alertId) {
        List<Delivery> out = new ArrayList<>();
        for (Robot robot : robots.values()) {
            robot.waiting.removeIf(d -> {
                boolean withdrawn = !d.alert.isRetraction() && d.alert.originAlertId().equals(alertId);
                if (withdrawn) {
                    out.add(d);
                }
                return withdrawn;
            });
        }
        return out;
    }

    /** A retraction of {@code alertId} waits to be posted (it is not in the ledger yet). */
    public boolean retractionWaiting(String alertId) {
        return robots.values().stream().flatMap(r -> r.waiting.stream())
                .anyMatch(d -> d.alert.isRetraction() && d.alert.originAlertId().equals(alertId));
    }

    /**
     * Forgets every backlog, as a restart would: the notifier calls this when a ClickHouse call failed, before it
     * reads again from the committed offsets (nothing it drops here was committed).
     */
    public void reset() {
        robots.clear();
    }

    /** Each robot that has had deliveries (its backlog may be empty now), for /metrics and /healthz. */
    public List<NotifierMetrics.RobotState> states() {
        List<NotifierMetrics.RobotState> out = new ArrayList<>();
        robots.forEach((route, r) -> out.add(new NotifierMetrics.RobotState(route, r.waiting.size(), r.busyAnswers,
                r.notBefore)));
        return out;
    }

    /** Every delivery not posted yet: the notifier does not commit offsets past their records. */
    public List<Delivery> waiting() {
        return robots.values().stream().flatMap(r -> r.waiting.stream()).toList();
    }

    /** How long until some robot with a backlog may post again: zero if one may now, empty if nothing waits. */
    public Optional<Duration> nextSendIn() {
        Instant now = time.now();
        Optional<Duration> next = Optional.empty();
        for (Map.Entry<String, Robot> e : robots.entrySet()) {
            if (e.getValue().waiting.isEmpty()) {
                continue;
            }
            Duration backoff = Duration.between(now, e.getValue().notBefore);
            Duration token = limiter.nextTokenIn(e.getKey());
            Duration robot = backoff.compareTo(token) > 0 ? backoff : token;
            robot = robot.isNegative() ? Duration.ZERO : robot;
            if (next.isEmpty() || robot.compareTo(next.get()) < 0) {
                next = Optional.of(robot);
            }
        }
        return next;
    }

    /** Posts, for every robot, what its rate budget and backoff allow right now; the rest keeps waiting. */
    public void sendReady() throws SQLException, InterruptedException {
        for (Map.Entry<String, Robot> e : robots.entrySet()) {
            Robot robot = e.getValue();
            if (robot.waiting.isEmpty() || time.now().isBefore(robot.notBefore)) {
                continue;
            }
            int budget = limiter.available(e.getKey());
            if (budget == 0) {
                continue;
            }
            List<Delivery> held = new ArrayList<>();
            robot.waiting.removeIf(d -> {
                Optional<Delivery> h = lastLook.hold(d);
                h.ifPresent(held::add);
                return h.isPresent();
            });
            ledger.write(held);
            if (robot.waiting.isEmpty()) {
                continue;
            }
            for (Message m : plan(e.getKey(), robot.waiting, budget)) {
                if (!limiter.tryAcquire(e.getKey()) || !post(e.getKey(), robot, m)) {
                    break;
                }
            }
        }
    }

    /**
     * The messages for a robot's backlog: the customer alerts that were held and are released now go as one message
     * per hold reason when there are two or more of a reason (the morning message after quiet hours, the grouped message of an
     * inhibition); the rest one message per delivery while the budget covers the backlog (or when there is at most
     * one alert to fold), else one digest of the alerts. Retractions always go as themselves, never inside a digest of
     * alerts to handle.
     */
    private List<Message> plan(String route, List<Delivery> backlog, int budget) {
        List<Delivery> sorted = backlog.stream()
                .sorted((x, y) -> WeComMessages.MOST_SEVERE_FIRST.compare(x.alert, y.alert)).toList();
        List<Message> plan = new ArrayList<>();
        Map<String, List<Delivery>> held = new LinkedHashMap<>();
        for (Delivery d : sorted) {
            // Customer alerts (and their escalations, reminders) fold into one list; a digest, a drop or a coaching
            // alert carries its own text and goes as itself.
            if (d.released && !d.alert.isRetraction() && d.alert.customerId() != null && !d.alert.customerId().isBlank()) {
                held.computeIfAbsent(d.heldReason, r -> new ArrayList<>()).add(d);
            }
        }
        List<Delivery> grouped = new ArrayList<>();
        held.forEach((reason, group) -> {
            if (group.size() >= 2) {
                plan.add(new Message(group, messages.held(route, reason, group.stream().map(d -> d.alert).toList(),
                        time.now()), Delivery.Status.DIGESTED, digestId(route, group)));
                grouped.addAll(group);
            }
        });
        List<Delivery> rest = sorted.stream().filter(d -> !grouped.contains(d)).toList();
        List<Delivery> alerts = rest.stream().filter(d -> !d.alert.isRetraction()).toList();
        if (rest.size() + plan.size() <= budget || alerts.size() < 2) {
            plan.addAll(singles(rest));
            return plan;
        }
        LOG.info("Route {}: {} alerts waiting, {} message(s) left in this minute's budget: sending one digest",
                route, alerts.size(), budget);
        plan.add(new Message(alerts, messages.digest(route, alerts.stream().map(d -> d.alert).toList()),
                Delivery.Status.DIGESTED, digestId(route, alerts)));
        plan.addAll(singles(rest.stream().filter(d -> d.alert.isRetraction()).toList()));
        return plan;
    }

    /** Whether this (alert, route) already waits here (a hold released earlier, still waiting for its robot). */
    public boolean isWaiting(String alertId, String route) {
        Robot robot = robots.get(route);
        return robot != null && robot.waiting.stream().anyMatch(d -> d.alert.alertId().equals(alertId));
    }

    private List<Message> singles(List<Delivery> deliveries) {
        List<Message> out = new ArrayList<>();
        for (Delivery d : deliveries) {
            String content = messages.single(d.alert, routing.current().rules().wecomUser(d.alert.repId()), d.route,
                    time.now(), deadlines.apply(d.alert, time.now()));
            out.add(new Message(List.of(d), content, Delivery.Status.DELIVERED, ""));
        }
        return out;
    }

    /**
     * One attempt at one message (a rate token is already spent). False when WeCom answered busy: the message's
     * deliveries stay waiting and the robot backs off; every {@code maxAttempts} busy answers of a delivery the
     * ledger records its attempts so far, so an outage shows in alert_deliveries while it lasts.
     */
    private boolean post(String route, Robot robot, Message m) throws SQLException, InterruptedException {
        List<Delivery> first = new ArrayList<>();
        for (Delivery d : m.group()) {
            d.digestId = m.digestId();
            if (d.firstAttemptAt == null) {
                d.status = Delivery.Status.SENDING;
                d.firstAttemptAt = time.now();
                first.add(d);
            }
        }
        ledger.write(first);
        List<String> ids = m.group().stream().map(d -> d.alert.alertId()).toList();
        WeComResult result = client.postMarkdown(routing.current().keys().keyOf(route), m.content());
        metrics.posted(route, result);
        observer.posted(route, result, ids);
        for (Delivery d : m.group()) {
            d.attempts++;
            d.errorCode = result.code();
            d.error = result.kind() == WeComResult.Kind.DELIVERED ? "" : result.detail();
        }
        if (result.kind() == WeComResult.Kind.RETRY) {
            if (result.rateLimited()) {
                limiter.exhausted(route);
            }
            robot.busyAnswers++;
            Duration wait = backoff(robot.busyAnswers);
            robot.notBefore = time.now().plus(wait);
            ledger.write(m.group().stream().filter(d -> d.attempts % maxAttempts == 0).toList());
            LOG.warn("Route {}: busy answer {} in a row: {} ({}); retrying in {} ms", route, robot.busyAnswers,
                    result.code(), result.detail(), wait.toMillis());
            return false;
        }
        robot.busyAnswers = 0;
        robot.waiting.removeAll(m.group());
        boolean ok = result.kind() == WeComResult.Kind.DELIVERED;
        for (Delivery d : m.group()) {
            d.status = ok ? m.success() : Delivery.Status.FAILED;
            d.deliveredAt = ok ? time.now() : null;
            d.actionDueAt = ok ? deadlines.apply(d.alert, d.deliveredAt).orElse(null) : null;
        }
        ledger.write(m.group());
        for (Delivery d : m.group()) {
            metrics.settled(route, d.alert, d.status.code(), d.receivedAt, d.deliveredAt);
        }
        if (!ok) {
            LOG.error("Route {}: giving up on {} alert(s): {} ({}); see alert_deliveries and dead_letters",
                    route, m.group().size(), result.code(), result.detail());
            for (Delivery d : m.group()) {
                ledger.deadLetter(d.topic, d.partition, d.offset, d.alert.alertId(), d.raw, "delivery_" + d.errorCode,
                        "WeCom route '" + route + "' did not take the alert after " + d.attempts + " attempt(s): "
                                + d.error, d.alert.tenant(), d.receivedAt);
            }
        }
        return true;
    }

    /** Exponential, capped, with "equal jitter": half fixed, half random, so retries spread out. */
    Duration backoff(int attempt) {
        long base = retryBase.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, retryMax.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static String digestId(String route, List<Delivery> group) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(route.getBytes(StandardCharsets.UTF_8));
            for (Delivery d : group) {
                md.update((byte) 0);
                md.update(d.alert.alertId().getBytes(StandardCharsets.UTF_8));
            }
            return "digest:" + HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

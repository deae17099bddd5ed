package io.salespulse.notifier.delivery;

import io.salespulse.notifier.NotifierTime;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what one delivery round holds for one robot: one message per alert while the robot's budget
 * covers the backlog, else one digest for the whole backlog. Every message is recorded in the ledger
 * as {@code sending} before the post and with its outcome after it, so a crash leaves at most the one
 * message in flight undecided. Retries 45009 / 429 / 5xx / timeouts with exponential backoff and jitter
 * (each attempt takes a rate token) for as long as WeCom answers busy; permanent errors fail at once into
 * the ledger and dead letters.
 */
public final class RobotDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RobotDispatcher.class);

    /** Sees every post right after WeCom answered and before the ledger records it (tests: crashes). */
    public interface PostObserver {
        void posted(String route, WeComResult result, List<String> alertIds);

        PostObserver NONE = (route, result, ids) -> { };
    }

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

    public RobotDispatcher(DeliveryLedger ledger, WeComClient client, RobotRateLimiter limiter, WeComMessages messages,
            RoutingFile routing, NotifierTime time, int maxAttempts, Duration retryBase, Duration retryMax,
            PostObserver observer) {
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
    }

    /** Delivers {@code backlog} (deliveries of one route, none in the ledger yet). */
    public void deliver(String route, List<Delivery> backlog) throws SQLException, InterruptedException {
        if (backlog.isEmpty()) {
            return;
        }
        List<Delivery> sorted = backlog.stream()
                .sorted((x, y) -> WeComMessages.MOST_SEVERE_FIRST.compare(x.alert, y.alert)).toList();
        int budget = limiter.available(route);
        if (sorted.size() == 1 || sorted.size() <= budget) {
            for (Delivery d : sorted) {
                String content = messages.single(d.alert, routing.current().rules().wecomUser(d.alert.repId()), time.now());
                send(route, List.of(d), content, Delivery.Status.DELIVERED, "");
            }
            return;
        }
        List<NotifierAlert> alerts = sorted.stream().map(d -> d.alert).toList();
        String digestId = digestId(route, sorted);
        LOG.info("Route {}: {} alerts waiting, {} message(s) left in this minute's budget: sending one digest",
                route, sorted.size(), budget);
        send(route, sorted, messages.digest(route, alerts), Delivery.Status.DIGESTED, digestId);
    }

    private void send(String route, List<Delivery> group, String content, Delivery.Status success, String digestId)
            throws SQLException, InterruptedException {
        for (Delivery d : group) {
            d.status = Delivery.Status.SENDING;
            d.digestId = digestId;
            d.firstAttemptAt = time.now();
            d.attempts = 0;
        }
        ledger.write(group);
        List<String> ids = group.stream().map(d -> d.alert.alertId()).toList();
        WeComResult result = null;
        int attempt = 0;
        // Busy answers (45009, 429, 5xx, timeouts) are retried until WeCom takes the message: an outage delays
        // alerts, it never loses them. Every maxAttempts failures the ledger records the attempts so far, so an
        // outage shows in alert_deliveries while it lasts. Only permanent errors end the loop with a failure.
        while (true) {
            limiter.acquire(route);
            attempt++;
            result = client.postMarkdown(routing.current().keys().keyOf(route), content);
            observer.posted(route, result, ids);
            if (result.kind() != WeComResult.Kind.RETRY) {
                break;
            }
            if (result.rateLimited()) {
                limiter.exhausted(route);
            }
            if (attempt % maxAttempts == 0) {
                for (Delivery d : group) {
                    d.attempts = attempt;
                    d.errorCode = result.code();
                    d.error = result.detail();
                }
                ledger.write(group);
            }
            Duration wait = backoff(attempt);
            LOG.warn("Route {}: attempt {} got {} ({}); retrying in {} ms", route, attempt, result.code(),
                    result.detail(), wait.toMillis());
            time.sleep(wait);
        }
        boolean ok = result != null && result.kind() == WeComResult.Kind.DELIVERED;
        for (Delivery d : group) {
            d.attempts = attempt;
            d.errorCode = result == null ? "" : result.code();
            d.error = ok || result == null ? "" : result.detail();
            if (ok) {
                d.status = success;
                d.deliveredAt = time.now();
            } else {
                d.status = Delivery.Status.FAILED;
            }
        }
        ledger.write(group);
        if (!ok) {
            LOG.error("Route {}: giving up on {} alert(s) after {} attempt(s): {} ({}); see alert_deliveries and dead_letters",
                    route, group.size(), attempt, result == null ? "" : result.code(), result == null ? "" : result.detail());
            for (Delivery d : group) {
                ledger.deadLetter(d.topic, d.partition, d.offset, d.alert.alertId(), d.raw, "delivery_" + d.errorCode,
                        "WeCom route '" + route + "' did not take the alert after " + attempt + " attempt(s): " + d.error,
                        d.alert.tenant(), d.receivedAt);
            }
        }
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

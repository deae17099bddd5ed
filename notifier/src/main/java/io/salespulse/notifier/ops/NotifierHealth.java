package io.salespulse.notifier.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The rules of {@code GET /healthz}. The notifier is degraded (503) when any of these holds, and ok (200) again as
 * soon as none does:
 *
 * <ul>
 *   <li><b>delivery</b>: the delivery thread stopped (a failure other than ClickHouse's; the process then exits);</li>
 *   <li><b>clickhouse</b>: a ClickHouse call of the delivery ledger failed and the loop is waiting for ClickHouse to
 *       answer again (it then starts over from the committed offsets, as after a restart);</li>
 *   <li><b>kafka</b> (while the loop runs): no poll of Kafka for {@code notifier.health-stall}; or no partition of
 *       {@code topic.alerts} assigned for that long (since the start, or since they were lost: the broker, or another
 *       notifier in the same group); or no heartbeat sent to the group coordinator for that long (the broker is
 *       unreachable);</li>
 *   <li><b>wecom</b>: a route of the routing file whose latest {@code notifier.health-failed-posts} posts all failed
 *       (any answer but errcode 0: busy, rate-limited, bad key, HTTP error, timeout), until a post to it succeeds or
 *       its key changes.</li>
 * </ul>
 */
public final class NotifierHealth {
    /** What /healthz answers: ok, and per component "ok" or what is wrong. */
    public record Report(boolean ok, Map<String, String> components) {}

    private final NotifierMetrics metrics;
    private final Duration stall;
    private final int failedPosts;
    private final String topicAlerts;
    private final Supplier<Set<String>> routes;

    /** {@code routes}: the routes of the routing file in force (a route no longer there no longer counts). */
    public NotifierHealth(NotifierMetrics metrics, Duration stall, int failedPosts, String topicAlerts,
            Supplier<Set<String>> routes) {
        this.metrics = metrics;
        this.stall = stall;
        this.failedPosts = failedPosts;
        this.topicAlerts = topicAlerts;
        this.routes = routes;
    }

    public Report check() {
        Map<String, String> c = new LinkedHashMap<>();
        String stopped = metrics.stoppedReason();
        c.put("delivery", stopped == null ? "ok" : "stopped: " + stopped);
        String ledger = metrics.ledgerTrouble();
        c.put("clickhouse", ledger == null ? "ok" : ledger);
        c.put("kafka", stopped != null || ledger != null ? "not checked while the delivery loop is not running" : kafka());
        c.put("wecom", wecom());
        return new Report(c.values().stream().allMatch("ok"::equals), c);
    }

    private String kafka() {
        long now = System.nanoTime();
        long limit = stall.toNanos();
        NotifierMetrics.PollState p = metrics.poll();
        List<String> wrong = new ArrayList<>();
        if (now - p.atNanos() > limit) {
            wrong.add("no poll for " + seconds(now - p.atNanos()) + " (the delivery loop is stuck)");
        }
        long unassigned = metrics.unassignedSinceNanos();
        if (unassigned >= 0 && now - unassigned > limit) {
            wrong.add("no partition of " + topicAlerts + " assigned for " + seconds(now - unassigned)
                    + " (broker unreachable, or another notifier in the same consumer group)");
        }
        // Counted only once assigned for longer than the limit: right after a (re)join the age still dates from before.
        double heartbeat = p.heartbeatSecondsAgo();
        long assigned = metrics.assignedSinceNanos();
        if (heartbeat >= 0 && heartbeat * 1e9 > limit && assigned >= 0 && now - assigned > limit) {
            wrong.add("no heartbeat to the group coordinator for " + (long) heartbeat + " s (broker unreachable)");
        }
        return wrong.isEmpty() ? "ok" : String.join("; ", wrong);
    }

    private String wecom() {
        Set<String> configured = routes.get();
        List<String> wrong = new ArrayList<>();
        new TreeMap<>(metrics.failedPosts()).forEach((route, f) -> {
            if (f.count() >= failedPosts && configured.contains(route)) {
                wrong.add("route " + route + ": the latest " + f.count() + " posts failed (latest " + f.latestCode()
                        + ", failing since " + f.since() + ")");
            }
        });
        return wrong.isEmpty() ? "ok" : String.join("; ", wrong);
    }

    private static String seconds(long nanos) {
        return nanos / 1_000_000_000L + " s";
    }
}

package io.salespulse.notifier.wecom;

import io.salespulse.notifier.NotifierTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per robot key in which each spent token comes back exactly one window (60 s plus a
 * margin) after it was spent. Unlike a bucket refilled at a steady rate, which allows 20 + 19 posts in a
 * sliding minute, this never lets more than {@code perMinute} posts into any 60 s window, however the
 * window is placed, and still allows a burst of {@code perMinute} at once.
 */
public final class RobotRateLimiter {
    private final int perMinute;
    private final Duration window;
    private final NotifierTime time;
    private final Map<String, ArrayDeque<Instant>> spent = new HashMap<>();

    public RobotRateLimiter(int perMinute, Duration margin, NotifierTime time) {
        this.perMinute = perMinute;
        this.window = Duration.ofMinutes(1).plus(margin);
        this.time = time;
    }

    /** Tokens usable right now for this robot. */
    public synchronized int available(String robot) {
        ArrayDeque<Instant> q = expire(robot, time.now());
        return perMinute - q.size();
    }

    /** Spends a token if one is free now; never waits (the dispatcher keeps what cannot go yet). */
    public synchronized boolean tryAcquire(String robot) {
        Instant now = time.now();
        ArrayDeque<Instant> q = expire(robot, now);
        if (q.size() >= perMinute) {
            return false;
        }
        q.addLast(now);
        return true;
    }

    /** How long until this robot has a token again (zero if it has one now). */
    public synchronized Duration nextTokenIn(String robot) {
        Instant now = time.now();
        ArrayDeque<Instant> q = expire(robot, now);
        return q.size() < perMinute ? Duration.ZERO : Duration.between(now, q.peekFirst().plus(window));
    }

    /**
     * WeCom said 45009 although we counted below the limit (another sender on the same robot, clock
     * skew): treat the robot's budget as spent now, so the next post waits a full window at most.
     */
    public synchronized void exhausted(String robot) {
        ArrayDeque<Instant> q = expire(robot, time.now());
        Instant now = time.now();
        while (q.size() < perMinute) {
            q.addLast(now);
        }
    }

    /**
     * Tokens spent before this process started (a graceful restart, a crash): the posts the delivery ledger recorded
     * in the last window, oldest first. Without this, a restarted notifier would post a full budget at once into a
     * minute that already had posts, and draw 45009.
     */
    public synchronized void spentBefore(String robot, java.util.List<Instant> posts) {
        ArrayDeque<Instant> q = spent.computeIfAbsent(robot, r -> new ArrayDeque<>());
        Instant now = time.now();
        posts.stream().filter(t -> !t.isAfter(now)).sorted().forEach(q::addLast);
        while (q.size() > perMinute) {
            q.removeFirst();
        }
        expire(robot, time.now());
    }

    public Duration window() {
        return window;
    }

    private ArrayDeque<Instant> expire(String robot, Instant now) {
        ArrayDeque<Instant> q = spent.computeIfAbsent(robot, r -> new ArrayDeque<>());
        while (!q.isEmpty() && !q.peekFirst().plus(window).isAfter(now)) {
            q.removeFirst();
        }
        return q;
    }
}

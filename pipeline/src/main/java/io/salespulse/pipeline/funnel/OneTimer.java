package io.salespulse.pipeline.funnel;

import org.apache.flink.streaming.api.TimerService;

/**
 * The funnel's keyed functions keep one event-time timer per key, its time in their state ({@code timerAt}, 0 for
 * none): moving it deletes the one registered before, so a key that is done leaves no timer behind.
 */
final class OneTimer {
    private OneTimer() {}

    /** Registers {@code at} in place of {@code current}; returns the new time to keep. */
    static long move(long current, long at, TimerService timers) {
        if (current == at) {
            return at;
        }
        if (current != 0) {
            timers.deleteEventTimeTimer(current);
        }
        timers.registerEventTimeTimer(at);
        return at;
    }

    /**
     * A timer fired at {@code timestamp}: none is registered any more, unless the state names another one (a timer
     * of an earlier version fired first), which is deleted. Returns 0.
     */
    static long fired(long current, long timestamp, TimerService timers) {
        if (current != 0 && current != timestamp) {
            timers.deleteEventTimeTimer(current);
        }
        return 0;
    }

    /** The first moment after {@code clock}: work to do at the next advance of the clock. */
    static long soon(long clock) {
        return clock == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : clock + 1;
    }
}

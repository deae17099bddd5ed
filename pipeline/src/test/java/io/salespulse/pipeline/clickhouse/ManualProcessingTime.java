package io.salespulse.pipeline.clickhouse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/** Processing time that only moves when the test says so; timers fire in the test's thread. */
final class ManualProcessingTime implements ProcessingTimeService {

    private final List<Timer> timers = new ArrayList<>();
    private long now;

    @Override
    public long getCurrentProcessingTime() {
        return now;
    }

    @Override
    public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
        Timer timer = new Timer(timestamp, callback);
        timers.add(timer);
        return timer;
    }

    /** Moves time forward, firing due timers in time order (including ones they register). */
    void advanceTo(long time) throws Exception {
        while (true) {
            Timer next =
                    timers.stream()
                            .filter(t -> !t.cancelled && t.time <= time)
                            .min(Comparator.comparingLong(t -> t.time))
                            .orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = Math.max(now, next.time);
            next.callback.onProcessingTime(next.time);
        }
        now = time;
    }

    long activeTimers() {
        return timers.stream().filter(t -> !t.cancelled).count();
    }

    private final class Timer implements ScheduledFuture<Object> {
        final long time;
        final ProcessingTimeCallback callback;
        boolean cancelled;

        Timer(long time, ProcessingTimeCallback callback) {
            this.time = time;
            this.callback = callback;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(time - now, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || !timers.contains(this);
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}

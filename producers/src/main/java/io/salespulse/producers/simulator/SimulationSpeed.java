package io.salespulse.producers.simulator;

import java.time.Instant;
import java.util.Locale;

/**
 * How fast a history is sent. {@code accelerated}: as fast as the sink takes it. {@code realtime}: each
 * record when the wall clock reaches its timestamp (the part of the history before now goes out at once
 * as a backlog, so a history that ends in the future becomes a live stream). A factor such as
 * {@code 3600}: one simulated hour per second, counted from the first record.
 */
public record SimulationSpeed(Mode mode, double factor) {

    public enum Mode { ACCELERATED, REALTIME, FACTOR }

    public static final SimulationSpeed ACCELERATED = new SimulationSpeed(Mode.ACCELERATED, 0);
    public static final SimulationSpeed REALTIME = new SimulationSpeed(Mode.REALTIME, 1);

    /** {@code accelerated}, {@code realtime} or a positive factor like {@code 60} or {@code 3600}. */
    public static SimulationSpeed parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("accelerated")) {
            return ACCELERATED;
        }
        if (v.equals("realtime") || v.equals("real-time")) {
            return REALTIME;
        }
        try {
            double f = Double.parseDouble(v.endsWith("x") ? v.substring(0, v.length() - 1) : v);
            if (f > 0 && Double.isFinite(f)) {
                return new SimulationSpeed(Mode.FACTOR, f);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("speed must be accelerated, realtime or a positive factor like 3600 "
                + "(simulated seconds per wall-clock second), got '" + value + "'");
    }

    /** Wraps {@code sink} so records are sent at this speed. */
    public EventSink pace(EventSink sink) {
        return mode == Mode.ACCELERATED ? sink : new Paced(sink, this, Long.MIN_VALUE);
    }

    /**
     * Wraps {@code sink} so records are sent at this speed, a factor counted from {@code windowStart}: records from
     * before the window (the ERP's past) go out at once, as the backlog of a history sync.
     */
    public EventSink pace(EventSink sink, Instant windowStart) {
        return mode == Mode.ACCELERATED ? sink : new Paced(sink, this, windowStart.toEpochMilli());
    }

    private static final class Paced implements EventSink {
        private final EventSink inner;
        private final SimulationSpeed speed;
        private long firstTimestamp;
        private long startedNanos;
        private boolean started;

        Paced(EventSink inner, SimulationSpeed speed, long firstTimestamp) {
            this.inner = inner;
            this.speed = speed;
            this.firstTimestamp = firstTimestamp;
        }

        @Override
        public void send(String topic, String key, byte[] value, long timestampMillis) throws Exception {
            await(timestampMillis);
            inner.send(topic, key, value, timestampMillis);
        }

        @Override
        public void sendReceivedNow(String topic, String key, byte[] value, long arrivalMillis) throws Exception {
            await(arrivalMillis);
            inner.sendReceivedNow(topic, key, value, arrivalMillis);
        }

        @Override
        public Instant openImport(String tenant, String importId, String description) throws Exception {
            return inner.openImport(tenant, importId, description);
        }

        @Override
        public Instant completeImport(String tenant, String importId, long cards, long visits, long acks)
                throws Exception {
            return inner.completeImport(tenant, importId, cards, visits, acks);
        }

        /** Waits until a record that arrives at {@code timestampMillis} is due at this speed. */
        private void await(long timestampMillis) throws Exception {
            long waitMillis;
            if (speed.mode == Mode.REALTIME) {
                waitMillis = timestampMillis - System.currentTimeMillis();
            } else {
                if (!started) {
                    started = true;
                    startedNanos = System.nanoTime();
                    if (firstTimestamp == Long.MIN_VALUE) {
                        firstTimestamp = timestampMillis;
                    }
                }
                long dueNanos = startedNanos + (long) ((timestampMillis - firstTimestamp) * 1e6 / speed.factor);
                waitMillis = (dueNanos - System.nanoTime()) / 1_000_000;
            }
            if (waitMillis > 0) {
                // Records waiting in a batching sink must not wait for the next one.
                inner.flush();
                Thread.sleep(waitMillis);
            }
        }

        @Override
        public void flush() throws Exception {
            inner.flush();
        }

        @Override
        public void close() throws Exception {
            inner.close();
        }
    }
}

package io.salespulse.contract.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** A Prometheus histogram of seconds with fixed upper bounds ({@code le}); thread-safe. */
public final class Histogram {
    private final double[] bounds;
    /** One count per bound, plus one for values above the last (+Inf). Not cumulative: rendering adds them up. */
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();

    /** {@code bounds}: the buckets' upper bounds in seconds, ascending. */
    public Histogram(double... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("histogram bounds must ascend: " + bounds[i - 1] + ", " + bounds[i]);
            }
        }
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    public void observeNanos(long nanos) {
        observe(nanos / 1e9);
    }

    public void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sum.add(seconds);
    }

    /** How many values were observed. */
    public long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    void render(StringBuilder sb, String name) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts.get(i);
            sb.append(name).append("_bucket{le=\"").append(bounds[i]).append("\"} ").append(cumulative).append('\n');
        }
        cumulative += counts.get(bounds.length);
        sb.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        sb.append(name).append("_sum ").append(sum.sum()).append('\n');
        sb.append(name).append("_count ").append(cumulative).append('\n');
    }
}

package io.salespulse.contract.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A family of counters told apart by their labels (requests by endpoint and status, posts by route and result).
 * Thread-safe; a series appears once it has been counted, and {@link MetricsText} lists the series in label order.
 */
public final class LabelledCounter {
    private final Map<String, LongAdder> values = new ConcurrentHashMap<>();

    /** Adds one to the series {@code labels} names: label names and values alternating, {@code "route", "hz"}. */
    public void inc(String... labels) {
        add(1, labels);
    }

    public void add(long n, String... labels) {
        values.computeIfAbsent(MetricsText.labels(labels), k -> new LongAdder()).add(n);
    }

    /** The count of one series (0 if it was never counted). */
    public long get(String... labels) {
        LongAdder v = values.get(MetricsText.labels(labels));
        return v == null ? 0 : v.sum();
    }

    /** The sum over every series. */
    public long total() {
        return values.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Rendered label set ({@code route="hz",result="ok"}) to count, in label order. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        values.forEach((labels, v) -> out.put(labels, v.sum()));
        return out;
    }
}

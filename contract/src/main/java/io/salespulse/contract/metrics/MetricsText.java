package io.salespulse.contract.metrics;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes metrics in the Prometheus text format, version 0.0.4 ({@code GET /metrics} of the gateway and the
 * notifier): a {@code # HELP} and a {@code # TYPE} line per metric, then one line per series. Hand-written, a few
 * dozen lines, rather than a metrics library: the services have no other dependency than Kafka, Jackson and their
 * HTTP server.
 */
public final class MetricsText {
    /** The Content-Type of the answer. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder sb = new StringBuilder(4096);

    public MetricsText counter(String name, String help, LabelledCounter counter) {
        head(name, help, "counter");
        counter.snapshot().forEach((labels, v) -> sb.append(name).append('{').append(labels).append("} ").append(v)
                .append('\n'));
        return this;
    }

    public MetricsText counter(String name, String help, long value) {
        head(name, help, "counter");
        sb.append(name).append(' ').append(value).append('\n');
        return this;
    }

    public MetricsText gauge(String name, String help, double value) {
        head(name, help, "gauge");
        sb.append(name).append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A gauge per label set: keys are label names and values alternating ({@link #labels}), rendered in order. */
    public MetricsText gauge(String name, String help, Map<String, ? extends Number> series) {
        head(name, help, "gauge");
        new TreeMap<>(series).forEach((labels, v) -> sb.append(name).append('{').append(labels).append("} ")
                .append(number(v.doubleValue())).append('\n'));
        return this;
    }

    public MetricsText histogram(String name, String help, Histogram histogram) {
        head(name, help, "histogram");
        histogram.render(sb, name);
        return this;
    }

    /**
     * A label set as the format writes it, {@code route="hz",result="ok"}, from names and values alternating; values
     * are escaped (backslash, double quote, line feed).
     */
    public static String labels(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come as name, value pairs");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(namesAndValues[i]).append("=\"");
            String v = namesAndValues[i + 1] == null ? "" : namesAndValues[i + 1];
            for (int c = 0; c < v.length(); c++) {
                char ch = v.charAt(c);
                switch (ch) {
                    case '\\' -> out.append("\\\\");
                    case '"' -> out.append("\\\"");
                    case '\n' -> out.append("\\n");
                    default -> out.append(ch);
                }
            }
            out.append('"');
        }
        return out.toString();
    }

    private void head(String name, String help, String type) {
        sb.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /**
     * A gauge's value without an exponent: whole numbers without a fraction ({@code 3}, not {@code 3.0}), a Unix
     * time as {@code 1796215632.588}; {@code +Inf}, {@code -Inf}, {@code NaN}.
     */
    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).toPlainString();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}

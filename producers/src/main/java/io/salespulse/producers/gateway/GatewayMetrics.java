package io.salespulse.producers.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters and latency histograms, rendered in the Prometheus text format at
 * {@code GET /metrics}. Hand-written (a few dozen lines) rather than a metrics library: the gateway
 * has no other dependency but Kafka and Jackson.
 */
final class GatewayMetrics {
    /** Seconds; Kafka acks on one machine take about a millisecond, a sick broker up to the publish timeout. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rejects = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> eventsAccepted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> imports = new ConcurrentHashMap<>();
    private final Histogram publish = new Histogram();
    private final Histogram request = new Histogram();
    final AtomicLong lastPublishFailureMillis = new AtomicLong();
    final AtomicLong lastPublishSuccessMillis = new AtomicLong();

    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder())
                .increment();
        request.observe(nanos);
    }

    void reject(String reason) {
        rejects.computeIfAbsent("reason=\"" + reason + "\"", k -> new LongAdder()).increment();
    }

    void accepted(String endpoint, int events) {
        eventsAccepted.computeIfAbsent("endpoint=\"" + endpoint + "\"", k -> new LongAdder()).add(events);
    }

    /** An import session written to Kafka: {@code opened}, {@code renewed} or {@code completed}. */
    void importSession(String action) {
        imports.computeIfAbsent("action=\"" + action + "\"", k -> new LongAdder()).increment();
    }

    void published(long nanos, boolean ok) {
        publish.observe(nanos);
        (ok ? lastPublishSuccessMillis : lastPublishFailureMillis).set(System.currentTimeMillis());
    }

    /** A health probe reached the broker after a failed publish: Kafka counts as back. */
    void kafkaReached() {
        lastPublishSuccessMillis.set(System.currentTimeMillis());
    }

    /** Whether the latest publish attempt failed (and nothing succeeded or reached the broker since). */
    boolean kafkaFailing() {
        return lastPublishFailureMillis.get() > lastPublishSuccessMillis.get();
    }

    String render() {
        StringBuilder sb = new StringBuilder(4096);
        counter(sb, "salespulse_gateway_requests_total", "HTTP requests by endpoint and status code", requests);
        counter(sb, "salespulse_gateway_rejects_total", "Rejected requests by reason", rejects);
        counter(sb, "salespulse_gateway_events_accepted_total", "Events written to Kafka and acknowledged",
                eventsAccepted);
        counter(sb, "salespulse_gateway_imports_total", "History-import sessions written to Kafka: opened, renewed "
                + "(opened again by this gateway before it expired) and completed", imports);
        publish.render(sb, "salespulse_gateway_publish_seconds",
                "Time from the first send to Kafka's acknowledgement of the last event of a request");
        request.render(sb, "salespulse_gateway_request_seconds", "Time to answer a /v1 request");
        sb.append("# HELP salespulse_gateway_kafka_failing 1 while the latest publish to Kafka failed\n")
                .append("# TYPE salespulse_gateway_kafka_failing gauge\n")
                .append("salespulse_gateway_kafka_failing ").append(kafkaFailing() ? 1 : 0).append('\n');
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, Map<String, LongAdder> values) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(values).forEach((labels, v) ->
                sb.append(name).append('{').append(labels).append("} ").append(v.sum()).append('\n'));
    }

    private static final class Histogram {
        private final AtomicLongArray counts = new AtomicLongArray(BUCKETS.length + 1);
        private final DoubleAdder sum = new DoubleAdder();

        void observe(long nanos) {
            double seconds = nanos / 1e9;
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            counts.incrementAndGet(i);
            sum.add(seconds);
        }

        void render(StringBuilder sb, String name, String help) {
            sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
            sb.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts.get(i);
                sb.append(name).append("_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += counts.get(BUCKETS.length);
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
            sb.append(name).append("_sum ").append(sum.sum()).append('\n');
            sb.append(name).append("_count ").append(cumulative).append('\n');
        }
    }
}

package io.salespulse.producers.gateway;

import io.salespulse.contract.metrics.Histogram;
import io.salespulse.contract.metrics.LabelledCounter;
import io.salespulse.contract.metrics.MetricsText;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's counters and latency histograms, rendered in the Prometheus text format at
 * {@code GET /metrics} ({@link MetricsText}, shared with the notifier).
 */
final class GatewayMetrics {
    /** Seconds; Kafka acks on one machine take about a millisecond, a sick broker up to the publish timeout. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final LabelledCounter requests = new LabelledCounter();
    private final LabelledCounter rejects = new LabelledCounter();
    private final LabelledCounter eventsAccepted = new LabelledCounter();
    private final LabelledCounter imports = new LabelledCounter();
    private final Histogram publish = new Histogram(BUCKETS);
    private final Histogram request = new Histogram(BUCKETS);
    final AtomicLong lastPublishFailureMillis = new AtomicLong();
    final AtomicLong lastPublishSuccessMillis = new AtomicLong();

    void request(String endpoint, int status, long nanos) {
        requests.inc("endpoint", endpoint, "status", Integer.toString(status));
        request.observeNanos(nanos);
    }

    void reject(String reason) {
        rejects.inc("reason", reason);
    }

    /** Per tenant too (tenants are the few of the tokens file): the ops alert "no new cards in working hours" needs it. */
    void accepted(String endpoint, String tenant, int events) {
        eventsAccepted.add(events, "endpoint", endpoint, "tenant", tenant);
    }

    /** An import session written to Kafka: {@code opened}, {@code renewed} or {@code completed}. */
    void importSession(String action) {
        imports.inc("action", action);
    }

    void published(long nanos, boolean ok) {
        publish.observeNanos(nanos);
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
        return new MetricsText()
                .counter("salespulse_gateway_requests_total", "HTTP requests by endpoint and status code", requests)
                .counter("salespulse_gateway_rejects_total", "Rejected requests by reason", rejects)
                .counter("salespulse_gateway_events_accepted_total", "Events written to Kafka and acknowledged, by endpoint and tenant",
                        eventsAccepted)
                .counter("salespulse_gateway_imports_total", "History-import sessions written to Kafka: opened, renewed "
                        + "(opened again by this gateway before it expired) and completed", imports)
                .histogram("salespulse_gateway_publish_seconds",
                        "Time from the first send to Kafka's acknowledgement of the last event of a request", publish)
                .histogram("salespulse_gateway_request_seconds", "Time to answer a /v1 request", request)
                .gauge("salespulse_gateway_kafka_failing", "1 while the latest publish to Kafka failed",
                        kafkaFailing() ? 1 : 0)
                .toString();
    }
}

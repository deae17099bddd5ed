package io.salespulse.notifier.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.salespulse.contract.Json;
import io.salespulse.contract.metrics.MetricsText;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@code GET /healthz} (200 {@code {"status":"ok",...}}, 503 {@code {"status":"degraded",...}} naming what is wrong;
 * rules: {@link NotifierHealth}) and {@code GET /metrics} (Prometheus text format 0.0.4; {@link NotifierMetrics}), on
 * the ack endpoint's server and port.
 */
public final class OpsEndpoints {
    private final NotifierMetrics metrics;
    private final NotifierHealth health;

    public OpsEndpoints(NotifierMetrics metrics, NotifierHealth health) {
        this.metrics = metrics;
        this.health = health;
    }

    public void healthz(HttpExchange ex) throws IOException {
        try (ex) {
            if (!get(ex)) {
                return;
            }
            NotifierHealth.Report r = health.check();
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("status", r.ok() ? "ok" : "degraded");
            r.components().forEach(n::put);
            NotifierMetrics.PollState p = metrics.poll();
            if (p.atMillis() > 0) {
                n.put("last_poll_at", Instant.ofEpochMilli(p.atMillis()).toString());
            }
            n.put("waiting_deliveries", metrics.waitingDeliveries());
            send(ex, r.ok() ? 200 : 503, "application/json; charset=utf-8", Json.bytes(n));
        }
    }

    public void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            if (get(ex)) {
                send(ex, 200, MetricsText.CONTENT_TYPE,
                        metrics.render(health.check()).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static boolean get(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("GET")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET");
        send(ex, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
        return false;
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

package io.salespulse.notifier.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.salespulse.contract.Json;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.wecom.Utf8;
import io.salespulse.notifier.wecom.WeComClient;
import io.salespulse.notifier.wecom.WeComResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ops/alertmanager}: Alertmanager's webhook (payload version 4), posted as one markdown message to the
 * ops WeCom route ({@code notifier.ops-route}, else the routing file's default_route), so that SalesPulse's own alert rules (deploy/prometheus/rules) reach the
 * people who run it. Alertmanager groups and repeats; this only formats and posts. Answers 200 once WeCom took the
 * message, 502 when WeCom refused or did not answer (Alertmanager then sends the notification again), 400 for a
 * payload that is not Alertmanager's. It is on the ack endpoint's port, like /metrics: only the ack path is for phones.
 */
public final class OpsAlertWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(OpsAlertWebhook.class);
    /** WeCom's markdown limit is 4096 bytes (error 40058); the rest of a long group is cut with a note. */
    static final int MAX_BYTES = 4000;

    private final WeComClient client;
    private final Supplier<RoutingFile.Routing> routing;
    /** The configured route; empty: the routing file's default_route at the time of the post. */
    private final String route;
    private final NotifierMetrics metrics;
    private final DateTimeFormatter shown;

    public OpsAlertWebhook(WeComClient client, Supplier<RoutingFile.Routing> routing, String route, ZoneId zone,
            NotifierMetrics metrics) {
        this.client = client;
        this.routing = routing;
        this.route = route;
        this.metrics = metrics;
        this.shown = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(zone);
    }

    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                send(ex, 405, "only POST\n");
                return;
            }
            JsonNode payload;
            try (var in = ex.getRequestBody()) {
                payload = Json.MAPPER.readTree(in.readNBytes(1 << 20));
            } catch (IOException e) {
                send(ex, 400, "not JSON: " + e.getClass().getSimpleName() + "\n");
                return;
            }
            if (payload == null || !payload.path("alerts").isArray()) {
                send(ex, 400, "not an Alertmanager webhook payload: no alerts array\n");
                return;
            }
            RoutingFile.Routing current = routing.get();
            String route = this.route.isEmpty() ? current.rules().defaultRoute().name() : this.route;
            WeComResult r;
            try {
                r = client.postMarkdown(current.keys().keyOf(route), markdown(payload));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ex, 503, "shutting down\n");
                return;
            }
            metrics.posted(route, r);
            if (r.kind() == WeComResult.Kind.DELIVERED) {
                send(ex, 200, "posted to route " + route + "\n");
            } else {
                LOG.warn("event=ops_alert_post_failed route={} code={} detail=\"{}\"", route, r.code(), r.detail());
                send(ex, 502, "WeCom did not take it: " + r.code() + "\n");
            }
        }
    }

    /** The message: one line per alert (firing first as Alertmanager sends them), its summary and since when. */
    String markdown(JsonNode payload) {
        StringBuilder md = new StringBuilder();
        String status = payload.path("status").asText("firing");
        int firing = 0;
        int resolved = 0;
        for (JsonNode a : payload.path("alerts")) {
            if (a.path("status").asText().equals("resolved")) {
                resolved++;
            } else {
                firing++;
            }
        }
        md.append(status.equals("resolved") ? "**【SalesPulse 运维】已恢复**" : "**【SalesPulse 运维】告警**")
                .append(" 触发中 ").append(firing).append(" 条，已恢复 ").append(resolved).append(" 条\n");
        StringBuilder rest = new StringBuilder();
        int shownAlerts = 0;
        for (JsonNode a : payload.path("alerts")) {
            JsonNode labels = a.path("labels");
            boolean isResolved = a.path("status").asText().equals("resolved");
            StringBuilder line = new StringBuilder();
            line.append(isResolved ? "> <font color=\"info\">已恢复</font> " : "> <font color=\"warning\">")
                    .append(isResolved ? "" : labels.path("severity").asText("warning") + "</font> ")
                    .append("**").append(labels.path("alertname").asText("?")).append("**");
            String scope = scope(labels);
            if (!scope.isEmpty()) {
                line.append(" (").append(scope).append(')');
            }
            line.append('\n');
            String summary = a.path("annotations").path("summary").asText("");
            if (!summary.isEmpty()) {
                line.append(summary).append('\n');
            }
            line.append("开始 ").append(time(a.path("startsAt").asText("")));
            if (isResolved) {
                line.append("，恢复 ").append(time(a.path("endsAt").asText("")));
            }
            line.append("\n\n");
            if (Utf8.bytes(md.toString()) + Utf8.bytes(line.toString()) > MAX_BYTES - 100) {
                rest.append("…… 另有 ").append(payload.path("alerts").size() - shownAlerts).append(" 条未列出，见 Alertmanager");
                break;
            }
            md.append(line);
            shownAlerts++;
        }
        md.append(rest);
        String url = payload.path("externalURL").asText("");
        if (!url.isEmpty() && Utf8.bytes(md.toString()) + url.length() < MAX_BYTES - 20) {
            md.append("\n[Alertmanager](").append(url).append(')');
        }
        return Utf8.prefix(md.toString(), MAX_BYTES);
    }

    /** The labels that say where: everything but the alert's name and severity, sorted by name. */
    private static String scope(JsonNode labels) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("alertname") && !e.getKey().equals("severity")) {
                m.put(e.getKey(), e.getValue().asText());
            }
        }
        StringBuilder s = new StringBuilder();
        m.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return s.toString();
    }

    private String time(String iso) {
        try {
            Instant t = Instant.parse(iso);
            return t.getEpochSecond() <= 0 ? "-" : shown.format(t);
        } catch (RuntimeException e) {
            return iso;
        }
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

package io.salespulse.notifier.ack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.contract.Json;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.ops.NotifierMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ack link: {@code GET|POST /ack?alert_id=..&by=..&action=ack|resolve} records the response in
 * {@code sales.acks}. The event id is a hash of (alert_id, action, by), and a repeat click returns the
 * first recording instead of writing again, so the first response time never moves. Unknown alert ids
 * (never seen by the notifier) are 404, malformed requests 400. HTML for people, JSON when asked
 * ({@code Accept: application/json} or {@code format=json}).
 */
public final class AckServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AckServer.class);
    private static final Pattern RESPONDER = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    private final HttpServer server;
    private final ExecutorService executor;
    private final DeliveryLedger ledger;
    private final Producer<String, byte[]> producer;
    private final String topicAcks;
    private final NotifierTime time;
    private final DateTimeFormatter shown;
    private final NotifierMetrics metrics;
    /** event_id -> occurred_at of acks written by this process (ClickHouse may not have them yet). */
    private final Map<String, Instant> recorded = new ConcurrentHashMap<>();

    public AckServer(String host, int port, DeliveryLedger ledger, Producer<String, byte[]> producer, String topicAcks,
            NotifierTime time, ZoneId zone, NotifierMetrics metrics) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        this.ledger = ledger;
        this.producer = producer;
        this.topicAcks = topicAcks;
        this.time = time;
        this.metrics = metrics;
        this.shown = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(zone);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ack-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/ack", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves another path on the same address and port ({@code /healthz}, {@code /metrics}). */
    public void serve(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    public static String eventId(String alertId, String action, String by) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((alertId + "\n" + action + "\n" + by).getBytes(StandardCharsets.UTF_8));
            return "ack-" + HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                answer(ex);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Still inside try (ex): the exchange is open, so the 503 reaches the client.
                LOG.error("Ack request failed: {}", e.toString());
                try {
                    reply(ex, 503, false, "unavailable", "暂时无法记录，请稍后再试", null);
                } catch (IOException ignored) {
                    // the client is gone
                }
            }
        }
    }

    private void answer(HttpExchange ex) throws Exception {
        boolean json = Optional.ofNullable(ex.getRequestHeaders().getFirst("Accept")).orElse("").contains("application/json");
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("POST")) {
            reply(ex, 405, json, "error", "只支持 GET 或 POST", null);
            return;
        }
        Map<String, String> p = params(ex.getRequestURI().getRawQuery());
        if (ex.getRequestMethod().equals("POST")) {
            byte[] body = ex.getRequestBody().readNBytes(8192);
            params(new String(body, StandardCharsets.UTF_8)).forEach(p::putIfAbsent);
        }
        json = json || "json".equals(p.get("format"));
        String alertId = p.get("alert_id");
        String by = p.get("by");
        String action = p.getOrDefault("action", "ack");
        if (alertId == null || alertId.isBlank() || alertId.length() > 512) {
            reply(ex, 400, json, "bad_request", "缺少或无效的参数 alert_id", null);
            return;
        }
        if (by == null || !RESPONDER.matcher(by).matches()) {
            reply(ex, 400, json, "bad_request", "缺少或无效的参数 by（处理人 id：字母、数字、. _ @ -）", alertId);
            return;
        }
        if (!action.equals("ack") && !action.equals("resolve")) {
            reply(ex, 400, json, "bad_request", "参数 action 只能是 ack 或 resolve", alertId);
            return;
        }
        Optional<String> tenant = ledger.tenantOf(alertId);
        if (tenant.isEmpty()) {
            reply(ex, 404, json, "unknown_alert", "找不到这条预警（可能链接有误或已过期）", alertId);
            return;
        }
        String eventId = eventId(alertId, action, by);
        Instant first = recorded.get(eventId);
        if (first == null) {
            first = ledger.ackRecorded(eventId).orElse(null);
        }
        String verb = action.equals("ack") ? "确认处理" : "标记已解决";
        if (first != null) {
            reply(ex, 200, json, "already_recorded", by + " 已于 " + shown.format(first) + " " + verb + "，无需重复操作",
                    alertId);
            return;
        }
        Instant now = time.now();
        ObjectNode ack = Json.MAPPER.createObjectNode();
        ack.put("event_id", eventId);
        ack.put("tenant", tenant.get());
        ack.put("occurred_at", now.toString());
        ack.put("alert_id", alertId);
        ack.put("responder", by);
        ack.put("action", action);
        producer.send(new ProducerRecord<>(topicAcks, alertId, Json.bytes(ack))).get();
        recorded.put(eventId, now);
        metrics.ackRecorded(action);
        LOG.info("Recorded {} of {} by {}", action, alertId, by);
        // Stored like any ack; the response-time views leave a withdrawn alert out, so it does not count.
        String withdrawn = ledger.retracted(alertId) ? "。该预警已撤回（下一张卡是离线提交、后来上传的），无需处理" : "";
        reply(ex, 200, json, "recorded", by + " 已" + verb + "，时间 " + shown.format(now) + withdrawn, alertId);
    }

    private void reply(HttpExchange ex, int status, boolean json, String result, String text, String alertId)
            throws IOException {
        metrics.ackRequest(result);
        byte[] body;
        if (json) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("result", result);
            n.put("message", text);
            if (alertId != null) {
                n.put("alert_id", alertId);
            }
            body = Json.bytes(n);
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        } else {
            String html = "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><meta name=\"viewport\""
                    + " content=\"width=device-width\"><title>SalesPulse</title></head><body><h3>"
                    + (status == 200 ? "✅ " : "⚠️ ") + escape(text) + "</h3>"
                    + (alertId == null ? "" : "<p style=\"color:#888\">" + escape(alertId) + "</p>") + "</body></html>";
            body = html.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static Map<String, String> params(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // a malformed %-escape: the parameter counts as missing, which answers 400
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package io.salespulse.notifier.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.contract.Json;
import io.salespulse.contract.settings.SettingSpec;
import io.salespulse.contract.settings.SettingsException;
import io.salespulse.contract.settings.SettingsUsage;
import io.salespulse.contract.settings.SettingType;
import io.salespulse.notifier.NotifierTime;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for the WeCom group robot API on loopback: {@code POST /cgi-bin/webhook/send?key=K}. It
 * checks requests as WeCom does (known key, JSON, msgtype, content within 4096 bytes for markdown and
 * 2048 for text), allows 20 messages per key in any sliding 60 s window (45009 beyond), records what
 * it accepted, and can be told to misbehave (for the next requests, or until told to recover): answer 45009,
 * HTTP 500, invalid key (93000), or be slow.
 * {@code GET /messages} lists what it received (without keys), for demos.
 */
public final class WeComStub implements AutoCloseable {
    public static final String PATH = "/cgi-bin/webhook/send";

    /** Where {@code bin/salespulse run wecom-stub} listens. */
    public static final SettingSpec<String> HOST = SettingSpec.envOnly("SALESPULSE_WECOM_STUB_HOST", SettingType.text(),
            "127.0.0.1", "Address the local WeCom stand-in (`run wecom-stub`) listens on");
    public static final SettingSpec<Integer> PORT = SettingSpec.envOnly("SALESPULSE_WECOM_STUB_PORT",
            SettingType.integer(0, 65535), "8089", "Port of the local WeCom stand-in (`run wecom-stub`)");

    /** What the stub accepted. {@code at} is on the stub's clock. */
    public record Received(String key, String msgtype, String content, Instant at) {}

    public enum Fault { RATE_LIMITED, SERVER_ERROR, INVALID_KEY, SLOW }

    private final HttpServer server;
    private final NotifierTime time;
    private final int perMinute;
    private final Set<String> keys;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, ArrayDeque<Instant>> window = new HashMap<>();
    private final Map<String, ArrayDeque<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, Fault> lasting = new ConcurrentHashMap<>();
    private volatile Duration slowBy = Duration.ofSeconds(2);
    private volatile int rejectedForRate;

    private WeComStub(HttpServer server, NotifierTime time, int perMinute, Set<String> keys) {
        this.server = server;
        this.time = time;
        this.perMinute = perMinute;
        this.keys = keys;
    }

    /**
     * Starts on {@code port} (0 = free). {@code keys}: the valid robot keys, or empty to accept any
     * well-formed key (demos).
     */
    public static WeComStub start(String host, int port, Set<String> keys, NotifierTime time) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        WeComStub stub = new WeComStub(server, time, 20, Set.copyOf(keys));
        server.createContext(PATH, stub::send);
        server.createContext("/messages", stub::list);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "wecom-stub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return stub;
    }

    /** The URL to configure as {@code notifier.wecom-url}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next {@code times} requests for {@code key} get {@code fault}. */
    public void failNext(String key, Fault fault, int times) {
        ArrayDeque<Fault> q = faults.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < times; i++) {
                q.addLast(fault);
            }
        }
    }

    /** Every request for {@code key} gets {@code fault} (after any queued by {@link #failNext}) until {@link #recover}. */
    public void failAlways(String key, Fault fault) {
        lasting.put(key, fault);
    }

    /** Requests for {@code key} are answered normally again: queued and lasting faults are dropped. */
    public void recover(String key) {
        lasting.remove(key);
        ArrayDeque<Fault> q = faults.get(key);
        if (q != null) {
            synchronized (q) {
                q.clear();
            }
        }
    }

    public void slowBy(Duration d) {
        slowBy = d;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String key) {
        return received.stream().filter(r -> r.key().equals(key)).toList();
    }

    public int rejectedForRate() {
        return rejectedForRate;
    }

    /** Most messages accepted for {@code key} in any window of {@code span} (on the stub's clock). */
    public int maxInAnyWindow(String key, Duration span) {
        List<Instant> at = received(key).stream().map(Received::at).sorted().toList();
        int max = 0;
        int start = 0;
        for (int end = 0; end < at.size(); end++) {
            while (!at.get(start).plus(span).isAfter(at.get(end))) {
                start++;
            }
            max = Math.max(max, end - start + 1);
        }
        return max;
    }

    private void send(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, error(-1, "method not allowed"));
                return;
            }
            String key = query(ex.getRequestURI().getRawQuery()).get("key");
            byte[] body = ex.getRequestBody().readAllBytes();
            if (key == null || key.isBlank() || !keys.isEmpty() && !keys.contains(key)) {
                reply(ex, 200, error(93000, "invalid webhook url"));
                return;
            }
            Fault fault = nextFault(key);
            if (fault == Fault.SLOW) {
                Thread.sleep(slowBy.toMillis());
            } else if (fault == Fault.SERVER_ERROR) {
                reply(ex, 500, "{\"error\":\"internal\"}");
                return;
            } else if (fault == Fault.INVALID_KEY) {
                reply(ex, 200, error(93000, "invalid webhook url"));
                return;
            } else if (fault == Fault.RATE_LIMITED) {
                reply(ex, 200, error(45009, "api freq out of limit"));
                return;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            } catch (IOException e) {
                reply(ex, 200, error(40001, "invalid json"));
                return;
            }
            String msgtype = n == null ? null : n.path("msgtype").asText(null);
            if (!"markdown".equals(msgtype) && !"text".equals(msgtype)) {
                reply(ex, 200, error(40008, "invalid message type"));
                return;
            }
            JsonNode content = n.path(msgtype).path("content");
            if (!content.isTextual() || content.asText().isEmpty()) {
                reply(ex, 200, error(44004, "empty content"));
                return;
            }
            int limit = msgtype.equals("markdown") ? 4096 : 2048;
            if (content.asText().getBytes(StandardCharsets.UTF_8).length > limit) {
                reply(ex, 200, error(40058, "content exceed max length " + limit));
                return;
            }
            synchronized (window) {
                Instant now = time.now();
                ArrayDeque<Instant> q = window.computeIfAbsent(key, k -> new ArrayDeque<>());
                while (!q.isEmpty() && !q.peekFirst().plus(Duration.ofMinutes(1)).isAfter(now)) {
                    q.removeFirst();
                }
                if (q.size() >= perMinute) {
                    rejectedForRate++;
                    reply(ex, 200, error(45009, "api freq out of limit"));
                    return;
                }
                q.addLast(now);
                received.add(new Received(key, msgtype, content.asText(), now));
            }
            reply(ex, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void list(HttpExchange ex) throws IOException {
        try (ex) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (Received r : received) {
                ObjectNode o = out.addObject();
                o.put("msgtype", r.msgtype());
                o.put("at", r.at().toString());
                o.put("content", r.content());
            }
            reply(ex, 200, new String(Json.bytes(out), StandardCharsets.UTF_8));
        }
    }

    private Fault nextFault(String key) {
        ArrayDeque<Fault> q = faults.get(key);
        if (q != null) {
            synchronized (q) {
                Fault next = q.pollFirst();
                if (next != null) {
                    return next;
                }
            }
        }
        return lasting.get(key);
    }

    private static String error(int code, String msg) {
        return "{\"errcode\":" + code + ",\"errmsg\":\"" + msg + "\"}";
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** The {@code --help} text: what the stand-in does and its settings (environment variables). */
    public static String usage() {
        return SettingsUsage.render("java -cp <salespulse-cli.jar:lib/*> io.salespulse.notifier.wecom.WeComStub"
                        + "  (or: bin/salespulse run wecom-stub)",
                List.of("A local stand-in for the WeCom group robot API, for demos and tests: POST " + PATH + "?key=K",
                        "checks requests as WeCom does (JSON, msgtype, markdown within 4096 bytes, text within 2048),"
                                + " accepts any non-empty key,",
                        "allows 20 messages per key in any 60 s (errcode 45009 beyond), and lists what it received at"
                                + " GET /messages."),
                List.of(HOST, PORT),
                List.of("Point the notifier at it: SALESPULSE_NOTIFIER_WECOM_URL=http://<host>:<port>" + PATH
                        + " (docs/notifier.md)."));
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /**
     * {@code bin/salespulse run wecom-stub} (demos, compose): listens on {@link #HOST} and {@link #PORT},
     * accepting any well-formed key. {@code --help} prints the usage and both variables and exits 0; other arguments
     * (the monitor's settings handed over by {@code run}) are not used.
     */
    public static void main(String[] args) throws Exception {
        if (SettingsUsage.wantsHelp(args)) {
            System.out.print(usage());
            System.out.flush();
            return;
        }
        String host;
        int port;
        try {
            host = HOST.fromEnv(System.getenv());
            port = PORT.fromEnv(System.getenv());
        } catch (SettingsException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        WeComStub stub = start(host, port, Set.of(), NotifierTime.SYSTEM);
        System.out.println("WeCom stub listening on http://" + host + ":" + stub.port() + PATH
                + " (GET /messages lists what it received; Ctrl-C stops it)");
        Thread.currentThread().join();
    }
}

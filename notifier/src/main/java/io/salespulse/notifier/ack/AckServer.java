package io.salespulse.notifier.ack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.notifier.ops.NotifierMetrics;
import io.salespulse.notifier.page.AlertPage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The notifier's HTTP endpoint on {@code notifier.ack-host:notifier.ack-port}: the alert page ({@code /alert},
 * {@link AlertPage}), plus {@code /healthz} and {@code /metrics} ({@link #serve}). The old unsigned ack link
 * ({@code /ack?alert_id=&by=}) is retired: anyone could forge it and a link preview recorded an ack by fetching it,
 * so it now answers 410 with a page saying so, and records nothing.
 */
public final class AckServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final NotifierMetrics metrics;

    public AckServer(String host, int port, AlertPage page, NotifierMetrics metrics) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        this.metrics = metrics;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ack-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/alert", page::handle);
        server.createContext("/ack", this::retired);
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

    private void retired(HttpExchange ex) throws IOException {
        try (ex) {
            metrics.ackRequest("link_retired");
            byte[] body = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\""
                    + " content=\"width=device-width,initial-scale=1\"><title>SalesPulse</title></head><body>"
                    + "<h3 id=\"error\">⚠ 此链接格式已停用</h3><p>旧版确认链接可被伪造，已停止使用，未做任何记录。"
                    + "请打开企业微信中最新消息里的链接。</p></body></html>").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(410, -1);
                return;
            }
            ex.sendResponseHeaders(410, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

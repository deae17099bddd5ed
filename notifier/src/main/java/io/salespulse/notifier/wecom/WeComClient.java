package io.salespulse.notifier.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Posts markdown to a WeCom group robot and classifies the answer. The webhook key only exists inside
 * the request URL built here: no exception, result or log line carries it (JDK exceptions are reduced to
 * their class name, because some of them quote the URL).
 */
public final class WeComClient {
    /** errcodes WeCom uses for "busy, try later"; everything else non-zero is permanent. */
    private static final Set<Integer> RETRYABLE = Set.of(45009, -1, 45033);

    private final HttpClient http;
    private final URI endpoint;
    private final Duration timeout;

    public WeComClient(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public WeComResult postMarkdown(String key, String content) throws InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("msgtype", "markdown");
        body.putObject("markdown").put("content", content);
        String sep = endpoint.getQuery() == null ? "?" : "&";
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + sep + "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return new WeComResult(WeComResult.Kind.RETRY, "timeout", "no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new WeComResult(WeComResult.Kind.RETRY, "io_error", e.getClass().getSimpleName());
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            return new WeComResult(WeComResult.Kind.RETRY, "http_" + status, "HTTP " + status);
        }
        if (status != 200) {
            return new WeComResult(WeComResult.Kind.PERMANENT, "http_" + status, "HTTP " + status);
        }
        JsonNode reply;
        try {
            reply = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            return new WeComResult(WeComResult.Kind.RETRY, "bad_reply", "reply is not JSON");
        }
        int errcode = reply == null ? -2 : reply.path("errcode").asInt(-2);
        if (errcode == 0) {
            return WeComResult.delivered();
        }
        String errmsg = reply == null ? "" : reply.path("errmsg").asText("");
        // WeCom's errmsg can echo request details; keep only the part before any hint URL.
        int hint = errmsg.indexOf(", hint:");
        String detail = "errcode " + errcode + " " + (hint < 0 ? errmsg : errmsg.substring(0, hint));
        if (detail.contains(key)) {
            detail = "errcode " + errcode;
        }
        WeComResult.Kind kind = RETRYABLE.contains(errcode) ? WeComResult.Kind.RETRY : WeComResult.Kind.PERMANENT;
        return new WeComResult(kind, "wecom_" + errcode, detail);
    }
}

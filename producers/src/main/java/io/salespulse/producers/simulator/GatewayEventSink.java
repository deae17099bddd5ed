package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Posts records to the ingest gateway the way the field app does: valid JSON events in batches of up to
 * {@code batchSize} per endpoint, with the tenant's bearer token. The gateway rejects a batch as a whole
 * when one event is bad; the sink then drops the events the answer names (counted in {@link #rejected()})
 * and posts the rest again. Records that are not JSON objects cannot be part of a batch and are posted
 * alone. On 503 or a lost connection the same request is sent again after {@code Retry-After}; after
 * {@code maxAttempts} the run fails: nothing is dropped silently.
 *
 * <p>The gateway stamps records with the time it received them, not with {@code occurred_at}.
 */
public final class GatewayEventSink implements EventSink {
    private final URI base;
    private final String token;
    private final int batchSize;
    private final int maxAttempts;
    private final HttpClient http;
    private final Map<String, String> pathByTopic;
    private final Map<String, List<byte[]>> pending = new LinkedHashMap<>();
    private final Map<String, Long> rejected = new TreeMap<>();
    private long accepted;
    private long requests;

    public GatewayEventSink(String gatewayUrl, String token, int batchSize) {
        this(gatewayUrl, token, batchSize, Map.of(Topics.STAGES, "/v1/stages", Topics.VISITS, "/v1/visits",
                Topics.ACKS, "/v1/acks"), 10);
    }

    /** @param pathByTopic which endpoint each topic's records go to */
    public GatewayEventSink(String gatewayUrl, String token, int batchSize, Map<String, String> pathByTopic,
            int maxAttempts) {
        if (gatewayUrl == null || !gatewayUrl.matches("https?://.+")) {
            throw new IllegalArgumentException("gateway URL must look like http://host:8080, got '" + gatewayUrl + "'");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a gateway token is required");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.base = URI.create(gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl);
        this.token = token;
        this.batchSize = batchSize;
        this.maxAttempts = maxAttempts;
        this.pathByTopic = Map.copyOf(pathByTopic);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public void send(String topic, String key, byte[] value, long timestampMillis) throws Exception {
        String path = pathByTopic.get(topic);
        if (path == null) {
            throw new IllegalArgumentException("no gateway endpoint for topic " + topic);
        }
        if (!isJsonObject(value)) {
            post(path, value, 1);
            return;
        }
        List<byte[]> batch = pending.computeIfAbsent(path, p -> new ArrayList<>());
        batch.add(value);
        if (batch.size() >= batchSize) {
            postBatch(path, batch);
            batch.clear();
        }
    }

    @Override
    public void flush() throws Exception {
        for (Map.Entry<String, List<byte[]>> e : pending.entrySet()) {
            if (!e.getValue().isEmpty()) {
                postBatch(e.getKey(), e.getValue());
                e.getValue().clear();
            }
        }
    }

    @Override
    public void close() throws Exception {
        flush();
    }

    /** Events the gateway accepted (202). */
    public long accepted() {
        return accepted;
    }

    /** Events the gateway refused, by error code (the simulator's malformed records end up here). */
    public Map<String, Long> rejected() {
        return java.util.Collections.unmodifiableMap(rejected);
    }

    public long requests() {
        return requests;
    }

    private void postBatch(String path, List<byte[]> events) throws Exception {
        List<byte[]> remaining = new ArrayList<>(events);
        while (!remaining.isEmpty()) {
            HttpResponse<byte[]> response = post(path, array(remaining), remaining.size());
            if (response == null) {
                return; // accepted
            }
            // 400/403 with the indices of the bad events: drop those, send the others again.
            JsonNode errors = Json.MAPPER.readTree(response.body()).path("errors");
            java.util.Set<Integer> bad = new java.util.TreeSet<>();
            for (JsonNode e : errors) {
                int index = e.path("index").asInt(-1);
                if (index >= 0 && bad.add(index)) {
                    rejected.merge(e.path("code").asText("unknown"), 1L, Long::sum);
                }
            }
            if (bad.isEmpty()) {
                throw new IllegalStateException("the gateway refused a batch of " + remaining.size() + " events to "
                        + path + " (" + response.statusCode() + "): " + new String(response.body(),
                                java.nio.charset.StandardCharsets.UTF_8));
            }
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < remaining.size(); i++) {
                if (!bad.contains(i)) {
                    next.add(remaining.get(i));
                }
            }
            remaining = next;
        }
    }

    /**
     * Posts with retries on 503 and connection errors. Returns null when accepted; the response of a
     * 400/403 for a batch; for a single record a refusal is counted and null returned.
     */
    private HttpResponse<byte[]> post(String path, byte[] body, int events) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                requests++;
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new IOException("the gateway at " + base + " is unreachable after " + attempt + " attempts: "
                            + e.getMessage(), e);
                }
                Thread.sleep(Math.min(5000, 250L * attempt));
                continue;
            }
            int status = response.statusCode();
            if (status == 202) {
                accepted += events;
                return null;
            }
            if (status == 503 || status == 429) {
                if (attempt >= maxAttempts) {
                    throw new IllegalStateException("the gateway kept answering " + status + " after " + attempt
                            + " attempts; nothing more is sent");
                }
                long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
                Thread.sleep(Math.max(1, seconds) * 1000);
                continue;
            }
            if ((status == 400 || status == 403) && body.length > 0 && body[0] == '[') {
                return response;
            }
            if (status == 400) {
                JsonNode first = Json.MAPPER.readTree(response.body()).path("errors").path(0);
                rejected.merge(first.path("code").asText("unknown"), 1L, Long::sum);
                return null;
            }
            throw new IllegalStateException("the gateway answered " + status + " to " + path + ": "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static byte[] array(List<byte[]> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(events.get(i));
        }
        out.write(']');
        return out.toByteArray();
    }

    private static boolean isJsonObject(byte[] value) {
        try {
            JsonNode n = Json.MAPPER.readTree(value);
            return n != null && n.isObject();
        } catch (IOException e) {
            return false;
        }
    }
}

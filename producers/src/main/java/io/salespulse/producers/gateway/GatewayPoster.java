package io.salespulse.producers.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client side of the ingest gateway, shared by the simulator's gateway sink and the history importer: posts
 * JSON with the tenant's bearer token, and sends the same request again on 503/429 (after {@code Retry-After}) and
 * on a lost connection, up to {@code maxAttempts} times; after that it fails with {@link GatewayException}, so
 * nothing is dropped silently.
 *
 * <p>{@link #postEvents} adds what a batch needs: the gateway refuses a batch as a whole when one event is bad
 * (400/403 naming the events by index), so the named events are set aside and the rest posted again; a batch the
 * gateway finds too large (413) is posted in two halves.
 */
public final class GatewayPoster {

    /** The gateway could not be reached, kept answering 503/429, or answered what the caller cannot act on. */
    public static final class GatewayException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        GatewayException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The last HTTP status, 0 when the gateway was unreachable. */
        public int status() {
            return status;
        }
    }

    /** An event of a batch the gateway refused, by its index in the batch that was passed in. */
    public record Refusal(int index, String code, String message) {}

    /** What became of a batch: how many events the gateway stored, and the ones it refused. */
    public record BatchResult(long accepted, List<Refusal> refused) {}

    private final URI base;
    private final String token;
    private final int maxAttempts;
    private final HttpClient http;
    private long requests;

    public GatewayPoster(String gatewayUrl, String token, int maxAttempts) {
        if (gatewayUrl == null || !gatewayUrl.matches("https?://.+")) {
            throw new IllegalArgumentException("gateway URL must look like http://host:8080, got '" + gatewayUrl + "'");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a gateway token is required");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, got " + maxAttempts);
        }
        this.base = URI.create(gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl);
        this.token = token;
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public URI base() {
        return base;
    }

    /** HTTP requests sent, retries included. */
    public synchronized long requests() {
        return requests;
    }

    /**
     * Posts {@code body} to {@code path} and returns the first answer that is neither 503 nor 429.
     *
     * @throws GatewayException when every attempt failed to connect or was answered 503/429
     */
    public HttpResponse<byte[]> post(String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                synchronized (this) {
                    requests++;
                }
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new GatewayException("the gateway at " + base + " is unreachable after " + attempt
                            + " attempts: " + e.getMessage(), 0, e);
                }
                Thread.sleep(Math.min(5000, 250L * attempt));
                continue;
            }
            int status = response.statusCode();
            if (status != 503 && status != 429) {
                return response;
            }
            if (attempt >= maxAttempts) {
                throw new GatewayException("the gateway kept answering " + status + " (" + firstErrorCode(response)
                        + ") to " + path + " after " + attempt + " attempts; nothing more is sent", status, null);
            }
            long seconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
            Thread.sleep(Math.max(1, seconds) * 1000);
        }
    }

    /**
     * Posts JSON objects as one batch (a JSON array). Events the gateway refuses (400/403 naming their index) are
     * returned, the others posted again; a 413 splits the batch in halves.
     *
     * @throws GatewayException on any other answer, or when the gateway cannot be reached
     */
    public BatchResult postEvents(String path, List<byte[]> events) throws IOException, InterruptedException {
        List<Integer> all = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            all.add(i);
        }
        List<Refusal> refused = new ArrayList<>();
        long accepted = postEvents(path, events, all, refused);
        refused.sort(java.util.Comparator.comparingInt(Refusal::index));
        return new BatchResult(accepted, List.copyOf(refused));
    }

    /** Posts the events at {@code indices}; returns how many were accepted, adding refusals to {@code refused}. */
    private long postEvents(String path, List<byte[]> events, List<Integer> indices, List<Refusal> refused)
            throws IOException, InterruptedException {
        List<Integer> remaining = indices;
        while (!remaining.isEmpty()) {
            HttpResponse<byte[]> response = post(path, array(events, remaining));
            int status = response.statusCode();
            if (status == 202) {
                return remaining.size();
            }
            if (status == 413 && remaining.size() > 1) {
                int half = remaining.size() / 2;
                return postEvents(path, events, remaining.subList(0, half), refused)
                        + postEvents(path, events, remaining.subList(half, remaining.size()), refused);
            }
            Set<Integer> bad = new TreeSet<>();
            if (status == 400 || status == 403) {
                for (JsonNode e : Json.MAPPER.readTree(response.body()).path("errors")) {
                    int index = e.path("index").asInt(-1);
                    if (index >= 0 && index < remaining.size() && bad.add(index)) {
                        refused.add(new Refusal(remaining.get(index), e.path("code").asText("unknown"),
                                e.path("message").asText("")));
                    }
                }
            }
            if (bad.isEmpty()) {
                throw new GatewayException("the gateway refused a batch of " + remaining.size() + " events to " + path
                        + " (" + status + "): " + new String(response.body(), StandardCharsets.UTF_8), status, null);
            }
            List<Integer> next = new ArrayList<>();
            for (int i = 0; i < remaining.size(); i++) {
                if (!bad.contains(i)) {
                    next.add(remaining.get(i));
                }
            }
            remaining = next;
        }
        return 0;
    }

    /** The first error code of an answer ({@code errors[0].code}); "unknown" when the body has none. */
    public static String firstErrorCode(HttpResponse<byte[]> response) {
        try {
            return Json.MAPPER.readTree(response.body()).path("errors").path(0).path("code").asText("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static byte[] array(List<byte[]> events, List<Integer> indices) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < indices.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(events.get(indices.get(i)));
        }
        out.write(']');
        return out.toByteArray();
    }
}

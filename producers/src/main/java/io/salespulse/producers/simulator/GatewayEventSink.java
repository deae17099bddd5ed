package io.salespulse.producers.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.importer.GatewaySession;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Posts records to the ingest gateway the way the field app does: valid JSON events in batches of up to
 * {@code batchSize} per endpoint, with the tenant's bearer token. The gateway rejects a batch as a whole
 * when one event is bad; the sink then drops the events the answer names (counted in {@link #rejected()})
 * and posts the rest again. Records that are not JSON objects cannot be part of a batch and are posted
 * alone. Retries of 503 and lost connections are {@link GatewayPoster}'s: after {@code maxAttempts} the run
 * fails, nothing is dropped silently.
 *
 * <p>The gateway stamps records with the time it received them, not with {@code occurred_at}.
 *
 * <p>Import sessions go through the gateway's {@code /v1/imports} endpoints as the importer sends them
 * ({@link GatewaySession}: opened, renewed in the background while records are posted, completed with the counts).
 * The session belongs to the token's tenant.
 */
public final class GatewayEventSink implements EventSink {
    private final GatewayPoster gateway;
    private final int batchSize;
    private final Map<String, String> pathByTopic;
    private final Map<String, List<byte[]>> pending = new LinkedHashMap<>();
    private final Map<String, Long> rejected = new TreeMap<>();
    private long accepted;
    private GatewaySession session;

    public GatewayEventSink(String gatewayUrl, String token, int batchSize) {
        this(gatewayUrl, token, batchSize, Map.of(Topics.STAGES, "/v1/stages", Topics.VISITS, "/v1/visits",
                Topics.ACKS, "/v1/acks", Topics.CASH, CASH_PATH), 10);
    }

    /**
     * The cash records' endpoint: {@code /v1/contracts}, {@code /v1/invoices} or {@code /v1/payments} by the record's
     * {@code kind} (a record without a readable kind goes to {@code /v1/contracts}, which refuses it).
     */
    public static final String CASH_PATH = "/v1/{kind}s";

    /** @param pathByTopic which endpoint each topic's records go to ({@link #CASH_PATH} for the cash topic) */
    public GatewayEventSink(String gatewayUrl, String token, int batchSize, Map<String, String> pathByTopic,
            int maxAttempts) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.gateway = new GatewayPoster(gatewayUrl, token, maxAttempts);
        this.batchSize = batchSize;
        this.pathByTopic = Map.copyOf(pathByTopic);
    }

    @Override
    public void send(String topic, String key, byte[] value, long timestampMillis) throws Exception {
        String path = pathByTopic.get(topic);
        if (path == null) {
            throw new IllegalArgumentException("no gateway endpoint for topic " + topic);
        }
        if (path.equals(CASH_PATH)) {
            path = "/v1/" + cashKind(value) + "s";
        }
        if (!isJsonObject(value)) {
            postAlone(path, value);
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
    public Instant openImport(String tenant, String importId, String description) throws Exception {
        if (session != null) {
            throw new IllegalStateException("an import session is open already");
        }
        Instant opened = Instant.ofEpochMilli(System.currentTimeMillis()); // the gateway stamps the open record later
        session = GatewaySession.open(gateway, importId, description);
        session.renewInBackground();
        return opened;
    }

    @Override
    public Instant completeImport(String tenant, String importId, long cards, long visits, long acks)
            throws Exception {
        if (session == null) {
            throw new IllegalStateException("no import session is open");
        }
        flush();
        try (GatewaySession s = session) {
            session = null;
            s.complete(cards, visits, acks);
        }
        // The gateway stamped the completion (in ms) when it received it: before its answer.
        return Instant.ofEpochMilli(System.currentTimeMillis());
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
        try {
            flush();
        } finally {
            if (session != null) {
                session.close(); // not completed: the session runs out and counts as abandoned
            }
        }
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
        return gateway.requests();
    }

    private void postBatch(String path, List<byte[]> events) throws Exception {
        if (session != null) {
            session.checkOpen(); // what is posted after the session ran out would not be held
        }
        GatewayPoster.BatchResult result = gateway.postEvents(path, events);
        accepted += result.accepted();
        result.refused().forEach(r -> rejected.merge(r.code(), 1L, Long::sum));
    }

    /** A record that is not a JSON object: posted on its own; a 400 is counted as a refusal. */
    private void postAlone(String path, byte[] value) throws Exception {
        HttpResponse<byte[]> response = gateway.post(path, value);
        int status = response.statusCode();
        if (status == 202) {
            accepted++;
        } else if (status == 400) {
            rejected.merge(GatewayPoster.firstErrorCode(response), 1L, Long::sum);
        } else {
            throw new IllegalStateException("the gateway answered " + status + " to " + path + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static String cashKind(byte[] value) {
        try {
            JsonNode kind = Json.MAPPER.readTree(value).path("kind");
            return kind.isTextual() && Set.of("contract", "invoice", "payment").contains(kind.textValue())
                    ? kind.textValue() : "contract";
        } catch (IOException e) {
            return "contract";
        }
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

package io.salespulse.producers.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The field app's way into Kafka: {@code POST /v1/stages}, {@code /v1/visits}, {@code /v1/acks} with one
 * event (a JSON object) or a batch (a JSON array), {@code GET /healthz}, {@code GET /metrics}.
 *
 * <p>Order of checks: bearer token (401), body size (413), JSON (400), batch size (413), every event
 * against the contract's {@link EventParser} (400, one error per bad event), the event's tenant against
 * the token's (403), then Kafka. A batch is all or nothing: one bad event rejects the whole batch and
 * nothing of it is written. 202 is sent only after Kafka acknowledged every event of the request
 * ({@code acks=all}); when Kafka does not within the publish timeout the answer is 503 with
 * {@code Retry-After}, and the client sends the same request again (repeated {@code event_id}s are
 * harmless downstream).
 */
public final class IngestGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestGateway.class);

    static {
        // The JDK server writes response headers and body separately; with Nagle's algorithm on, the body
        // waits for the client's delayed ACK (~40 ms per request). Read once, when the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // A request must arrive whole within 10 s (slowloris: a client trickling its headers or body would
        // otherwise hold a worker thread for as long as it likes), and an idle kept-alive connection is
        // closed after 30 s.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "10");
        }
        if (System.getProperty("sun.net.httpserver.idleInterval") == null) {
            System.setProperty("sun.net.httpserver.idleInterval", "30");
        }
    }

    private final GatewayConfig config;
    private final TenantTokens tokens;
    private final EventParser parser;
    private final KafkaPublisher publisher;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private IngestGateway(GatewayConfig config, TenantTokens tokens) throws IOException {
        this.config = config;
        this.tokens = tokens;
        this.parser = new EventParser(config.maxFutureSkew());
        this.publisher = new KafkaPublisher(config.kafkaBootstrap(), config.publishTimeout());
        AtomicInteger n = new AtomicInteger();
        // Bounded: when every thread is busy and the queue is full, the accepting thread runs the request
        // itself, which stops it accepting more connections: back-pressure instead of unbounded memory.
        this.executor = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
                config.queueCapacity() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queueCapacity()),
                r -> {
                    Thread t = new Thread(r, "gateway-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        server.setExecutor(executor);
        for (Endpoint e : Endpoint.values()) {
            server.createContext(e.path, exchange -> handle(exchange, () -> ingest(exchange, e)));
        }
        server.createContext("/healthz", exchange -> handle(exchange, () -> healthz(exchange)));
        server.createContext("/metrics", exchange -> handle(exchange, () -> metrics(exchange)));
        server.createContext("/", exchange -> handle(exchange, () -> {
            reply(exchange, 404, errorBody(-1, null, "not_found", "no such endpoint: " + exchange.getRequestURI().getPath()
                    + "; use POST /v1/stages, /v1/visits, /v1/acks, GET /healthz, GET /metrics"));
        }));
    }

    /** Loads the tokens file, connects the producer and starts serving. */
    public static IngestGateway start(GatewayConfig config) throws IOException {
        return start(config, TenantTokens.load(config.tokensFile()));
    }

    public static IngestGateway start(GatewayConfig config, TenantTokens tokens) throws IOException {
        IngestGateway g = new IngestGateway(config, tokens);
        g.server.start();
        LOG.info("event=gateway_started port={} tokens={} {}", g.port(), tokens.size(), config);
        return g;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        LOG.info("event=gateway_stopped");
    }

    /** The three ingest endpoints: where each goes in Kafka and what its key is. */
    private enum Endpoint {
        STAGES("/v1/stages", "customer_id"),
        VISITS("/v1/visits", "customer_id"),
        ACKS("/v1/acks", "alert_id");

        final String path;
        final String keyField;

        Endpoint(String path, String keyField) {
            this.path = path;
            this.keyField = keyField;
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private void handle(HttpExchange exchange, Action action) {
        try (exchange) {
            action.run();
        } catch (IOException | RuntimeException e) {
            // The client went away or a bug: log without request content (it may hold personal data).
            LOG.warn("event=request_failed path={} error=\"{}\"", exchange.getRequestURI().getPath(), e.toString());
        }
    }

    private void ingest(HttpExchange exchange, Endpoint endpoint) throws IOException {
        long started = System.nanoTime();
        int status = ingestAndReply(exchange, endpoint);
        metrics.request(endpoint.path, status, System.nanoTime() - started);
    }

    private int ingestAndReply(HttpExchange exchange, Endpoint endpoint) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(endpoint.path)) {
            return reject(exchange, endpoint, 404, "not_found", null, errorBody(-1, null, "not_found",
                    "no such endpoint: " + exchange.getRequestURI().getPath()));
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            return reject(exchange, endpoint, 405, "method_not_allowed", null,
                    errorBody(-1, null, "method_not_allowed", "use POST"));
        }
        Optional<String> tenant = authenticate(exchange);
        if (tenant.isEmpty()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"salespulse\"");
            boolean missing = bearerToken(exchange) == null;
            String reason = missing ? "missing_token" : "bad_token";
            return reject(exchange, endpoint, 401, reason, null, errorBody(-1, null, reason, missing
                    ? "send the tenant's token as 'Authorization: Bearer <token>'"
                    : "the token is not valid for any tenant"));
        }
        String client = tenant.get();

        byte[] body = readBody(exchange);
        if (body == null) {
            return reject(exchange, endpoint, 413, "body_too_large", client, errorBody(-1, null, "body_too_large",
                    "the body is larger than " + config.maxBodyBytes() + " bytes; send smaller batches"));
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return reject(exchange, endpoint, 400, "not_json", client, errorBody(-1, null, "not_json",
                    "the body is not valid JSON: " + firstLine(e.getOriginalMessage())));
        } catch (IOException e) {
            return reject(exchange, endpoint, 400, "not_json", client, errorBody(-1, null, "not_json",
                    "the body is not readable JSON"));
        }
        List<JsonNode> events = new ArrayList<>();
        if (root != null && root.isArray()) {
            root.forEach(events::add);
            if (events.isEmpty()) {
                return reject(exchange, endpoint, 400, "empty_batch", client,
                        errorBody(-1, null, "empty_batch", "the batch has no events"));
            }
            if (events.size() > config.maxBatchEvents()) {
                return reject(exchange, endpoint, 413, "batch_too_large", client, errorBody(-1, null,
                        "batch_too_large", "the batch has " + events.size() + " events; at most "
                                + config.maxBatchEvents() + " are accepted per request"));
            }
        } else if (root != null && root.isObject()) {
            events.add(root);
        } else {
            return reject(exchange, endpoint, 400, "not_object", client, errorBody(-1, null, "not_object",
                    "the body must be one event (a JSON object) or a batch (a JSON array of objects)"));
        }

        long receivedAt = System.currentTimeMillis();
        List<FieldError> invalid = new ArrayList<>();
        List<FieldError> foreign = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        String topic = topic(endpoint);
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            byte[] value = events.size() == 1 && root.isObject() ? body : Json.bytes(event);
            try {
                String eventTenant = validate(endpoint, value, receivedAt);
                if (!client.equals(eventTenant)) {
                    foreign.add(new FieldError(i, "tenant", "tenant_mismatch", "field 'tenant' is '" + eventTenant
                            + "' but the token belongs to tenant '" + client + "'"));
                }
            } catch (InvalidEventException e) {
                invalid.add(FieldError.of(i, e));
                continue;
            }
            byte[] key = event.get(endpoint.keyField).textValue().getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(topic, null, receivedAt, key, value));
        }
        if (!invalid.isEmpty()) {
            invalid.addAll(foreign);
            invalid.sort(java.util.Comparator.comparingInt(FieldError::index));
            return reject(exchange, endpoint, 400, "invalid_event", client, errorsBody(invalid, events.size()));
        }
        if (!foreign.isEmpty()) {
            return reject(exchange, endpoint, 403, "tenant_mismatch", client, errorsBody(foreign, events.size()));
        }

        long publishStarted = System.nanoTime();
        try {
            publisher.publishAll(records);
        } catch (KafkaPublisher.Unavailable e) {
            metrics.published(System.nanoTime() - publishStarted, false);
            exchange.getResponseHeaders().set("Retry-After", Long.toString(config.retryAfter().toSeconds()));
            LOG.warn("event=kafka_unavailable endpoint={} tenant={} events={} error=\"{}\"", endpoint.path, client,
                    records.size(), e.getMessage());
            return reject(exchange, endpoint, 503, "kafka_unavailable", client, errorBody(-1, null,
                    "kafka_unavailable", "the events could not be stored now; send the same request again after "
                            + config.retryAfter().toSeconds() + " s"));
        }
        metrics.published(System.nanoTime() - publishStarted, true);
        metrics.accepted(endpoint.path, records.size());
        ObjectNode ok = Json.MAPPER.createObjectNode();
        ok.put("accepted", records.size());
        reply(exchange, 202, Json.bytes(ok));
        if (LOG.isDebugEnabled()) {
            LOG.debug("event=accepted endpoint={} tenant={} events={}", endpoint.path, client, records.size());
        }
        return 202;
    }

    /** Parses with the contract's parser and returns the event's tenant. */
    private String validate(Endpoint endpoint, byte[] value, long receivedAt) throws InvalidEventException {
        return switch (endpoint) {
            case STAGES -> parser.parseStage(value, receivedAt).tenant;
            case VISITS -> parser.parseVisit(value, receivedAt).tenant;
            case ACKS -> parser.parseAck(value, receivedAt).tenant;
        };
    }

    private String topic(Endpoint endpoint) {
        return switch (endpoint) {
            case STAGES -> config.topicStages();
            case VISITS -> config.topicVisits();
            case ACKS -> config.topicAcks();
        };
    }

    private Optional<String> authenticate(HttpExchange exchange) {
        String token = bearerToken(exchange);
        return token == null ? Optional.empty() : tokens.tenantOf(token);
    }

    private static String bearerToken(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** The body, or null when it is larger than the limit (judged by Content-Length, or while reading). */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > config.maxBodyBytes()) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] b = in.readNBytes(config.maxBodyBytes() + 1);
            return b.length > config.maxBodyBytes() ? null : b;
        }
    }

    private int reject(HttpExchange exchange, Endpoint endpoint, int status, String reason, String tenant, byte[] body)
            throws IOException {
        metrics.reject(reason);
        if (status != 503) {
            LOG.info("event=rejected endpoint={} tenant={} status={} reason={}", endpoint.path,
                    tenant == null ? "-" : tenant, status, reason);
        }
        reply(exchange, status, body);
        return status;
    }

    private void healthz(HttpExchange exchange) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        boolean failing = metrics.kafkaFailing();
        n.put("status", failing ? "degraded" : "ok");
        n.put("kafka", failing ? "the latest publish failed" : "ok");
        reply(exchange, failing ? 503 : 200, Json.bytes(n));
    }

    private void metrics(HttpExchange exchange) throws IOException {
        byte[] text = metrics.render().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, text.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(text);
        }
    }

    private static void reply(HttpExchange exchange, int status, byte[] json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    private static byte[] errorBody(int index, String field, String code, String message) {
        return errorsBody(List.of(new FieldError(index, field, code, message)), 0);
    }

    private static byte[] errorsBody(List<FieldError> errors, int events) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode list = root.putArray("errors");
        for (FieldError e : errors) {
            ObjectNode n = list.addObject();
            n.put("index", e.index());
            if (e.field() == null) {
                n.putNull("field");
            } else {
                n.put("field", e.field());
            }
            n.put("code", e.code());
            n.put("message", e.message());
        }
        if (events > 0) {
            root.put("events", events);
            root.put("accepted", 0);
        }
        return Json.bytes(root);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() <= 120 ? line : line.substring(0, 120) + "…";
    }
}

package io.salespulse.producers.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import io.salespulse.contract.metrics.MetricsText;
import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The field app's way into Kafka: {@code POST /v1/stages}, {@code /v1/visits}, {@code /v1/acks} with one
 * event (a JSON object) or a batch (a JSON array); the ERP's, {@code POST /v1/contracts}, {@code /v1/invoices},
 * {@code /v1/payments} (all three to the cash topic, {@code kind} set by the endpoint); {@code GET /healthz}, {@code GET /metrics}; and the sessions
 * of history imports, {@code POST /v1/imports} and {@code POST /v1/imports/{id}/complete} ({@link ImportSessions}).
 *
 * <p>Order of checks: bearer token (401), body size (413, from {@code Content-Length} or while reading), body
 * arriving within the request timeout (408), a free request thread (503 with {@code Retry-After}), JSON (400),
 * batch size (413), every event against the contract's {@link EventParser} (400, one error per bad event), the
 * event's tenant against the token's (403), then Kafka. A batch is all or nothing: one bad event rejects the
 * whole batch and nothing of it is written. 202 is sent only after Kafka acknowledged every event of the
 * request ({@code acks=all}); when Kafka does not within the publish timeout the answer is 503 with
 * {@code Retry-After}, and the client sends the same request again (repeated {@code event_id}s are harmless
 * downstream).
 *
 * <p><b>Slow clients (slowloris).</b> The HTTP front is Jetty's core API (no servlets). Its HTTP/1.1 parser
 * runs when bytes arrive and gives the thread back when they stop, and the body is read the same way
 * ({@link BodyReader}: take what has arrived, ask to be called back for more), so a client that trickles its
 * head or body costs buffer memory, not a thread. The earlier front, the JDK's
 * {@code com.sun.net.httpserver}, read heads and bodies with blocking reads in its worker threads: 300
 * connections sending a byte a second held all of them and every other tenant timed out. Time is bounded
 * too: a request head must be complete within the request timeout of its first bytes ({@link HeadDeadlines}),
 * its body within the request timeout of the head (408), and an idle kept-alive connection closes after 30 s.
 * Only a request that has arrived whole goes to the bounded pool of request threads, which parse, validate
 * and wait for Kafka's acknowledgement; when that pool and its queue are full the answer is 503 with
 * {@code Retry-After} instead of a queue without limit.
 *
 * <p>Why Jetty (jetty-server 12, four jars from Maven Central, no servlet API): Netty would do the same with more
 * code of our own (read and idle timeouts, an aggregator, the hand-off to blocking threads). Patching the JDK
 * server would mean a per-address connection limit, but its workers would still block in reads, and such a
 * limit cannot tell a slowloris from a few hundred field reps behind one carrier NAT address. So there is no
 * per-address limit: a slow connection holds its buffer (a few kilobytes for a head, at most the body limit)
 * until its deadline cuts it.
 */
public final class IngestGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestGateway.class);

    /** A kept-alive connection that sends nothing for this long is closed. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** How long {@code /healthz} waits for a broker after a failed publish. */
    private static final Duration HEALTH_PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final String IMPORTS = "/v1/imports";
    private static final String COMPLETE = "/complete";

    private final GatewayConfig config;
    private final TenantTokens tokens;
    private final EventParser parser;
    private final KafkaPublisher publisher;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final ImportSessions sessions;
    private final ThreadPoolExecutor requestThreads;
    private final ScheduledThreadPoolExecutor timers;
    private final HeadDeadlines heads;
    private final Server server;
    private final ServerConnector connector;

    private IngestGateway(GatewayConfig config, TenantTokens tokens) {
        this.config = config;
        this.tokens = tokens;
        this.parser = new EventParser(config.maxFutureSkew());
        this.publisher = new KafkaPublisher(config.kafkaBootstrap(), config.publishTimeout());
        this.sessions = new ImportSessions(config, metrics);
        // Bounded: a request that finds every thread busy and the queue full is answered 503 + Retry-After.
        this.requestThreads = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
                config.queueCapacity() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queueCapacity()),
                daemonThreads("gateway-"), new ThreadPoolExecutor.AbortPolicy());
        // The request deadlines: cheap to schedule and to cancel, one thread runs them all.
        this.timers = new ScheduledThreadPoolExecutor(1, daemonThreads("gateway-deadlines-"));
        timers.setRemoveOnCancelPolicy(true);
        this.heads = new HeadDeadlines(config.requestTimeout(), timers, () -> metrics.reject("request_timeout"));

        // Jetty's own threads only parse and copy bytes and answer the cheap refusals; they never wait for a
        // client or for Kafka, so a few are busy at a time and the cap only guards against a bug.
        QueuedThreadPool io = new QueuedThreadPool(64, 2);
        io.setName("gateway-io");
        io.setDaemon(true);
        this.server = new Server(io);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setAcceptQueueSize(1024);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.addEventListener(heads);
        server.addConnector(connector);
        server.setHandler(new Router());
        server.setErrorHandler(IngestGateway::jettyError);
    }

    /** Loads the tokens file, connects the producer and starts serving. */
    public static IngestGateway start(GatewayConfig config) throws IOException {
        return start(config, TenantTokens.load(config.tokensFile()));
    }

    /** @throws BindException when the port is taken */
    public static IngestGateway start(GatewayConfig config, TenantTokens tokens) throws IOException {
        IngestGateway g = new IngestGateway(config, tokens);
        try {
            g.server.start();
        } catch (Exception e) {
            g.close();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException bind) {
                    throw bind;
                }
            }
            throw e instanceof IOException io ? io : new IOException("the gateway could not start: " + e, e);
        }
        LOG.info("event=gateway_started port={} tokens={} {}", g.port(), tokens.size(), config);
        return g;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Lets requests in progress finish (up to 10 s; new ones get 503), then stops serving. */
    @Override
    public void close() {
        requestThreads.shutdown();
        try {
            requestThreads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("event=gateway_stop_failed error=\"{}\"", e.toString());
        }
        timers.shutdownNow();
        publisher.close();
        LOG.info("event=gateway_stopped");
    }

    /**
     * The ingest endpoints: where each goes in Kafka and what its key is. The cash endpoints share one topic and
     * say which {@code kind} their events are.
     */
    private enum Endpoint {
        STAGES("/v1/stages", "customer_id", null),
        VISITS("/v1/visits", "customer_id", null),
        ACKS("/v1/acks", "alert_id", null),
        CONTRACTS("/v1/contracts", "contract_id", CashEvent.CONTRACT),
        INVOICES("/v1/invoices", "contract_id", CashEvent.INVOICE),
        PAYMENTS("/v1/payments", "contract_id", CashEvent.PAYMENT);

        final String path;
        final String keyField;
        /** The {@code kind} of the cash endpoints' events, null for the others. */
        final String cashKind;

        Endpoint(String path, String keyField, String cashKind) {
            this.path = path;
            this.keyField = keyField;
            this.cashKind = cashKind;
        }
    }

    /**
     * Called by a Jetty thread once a request head is complete. Nothing here waits: ingest and import requests
     * continue in {@link Ingest} and {@link ImportRequest} as their body arrives. A path belongs to the first
     * endpoint it starts with.
     */
    private final class Router extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Connection connection = request.getConnectionMetaData().getConnection();
            heads.headArrived(connection);
            // Before Jetty may start on the connection's next request: watch for its head again.
            Callback done = Callback.from(() -> heads.answered(connection), callback);
            String path = Request.getPathInContext(request);
            for (Endpoint e : Endpoint.values()) {
                if (path.startsWith(e.path)) {
                    new Ingest(e, request, response, done).start(path);
                    return true;
                }
            }
            if (path.startsWith(IMPORTS)) {
                new ImportRequest(path, request, response, done).start(path);
            } else if (path.startsWith("/healthz")) {
                healthz(response, done);
            } else if (path.startsWith("/metrics")) {
                metrics(response, done);
            } else {
                reply(response, done, 404, FieldError.body("not_found", "no such endpoint: " + path
                        + "; use POST /v1/stages, /v1/visits, /v1/acks, /v1/contracts, /v1/invoices, /v1/payments,"
                        + " /v1/imports, GET /healthz, GET /metrics"));
            }
            return true;
        }
    }

    /**
     * One POST request from its head to its answer, whatever the endpoint: the checks that need only the head
     * (method, token, announced size), reading the body, a request thread for the rest ({@link #handle}), and the
     * answer, counted in the metrics under {@link #label}.
     */
    private abstract class PostRequest implements BodyReader.Outcome {
        /** The endpoint in metrics and logs: a fixed path, never one with an id in it. */
        final String label;
        final Request request;
        final Response response;
        final Callback callback;
        private final long started = System.nanoTime();
        /** The token's tenant, once the token is checked. */
        String tenant;

        PostRequest(String label, Request request, Response response, Callback callback) {
            this.label = label;
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        /** On a request thread, with the whole body and the token's {@link #tenant}: everything up to the answer. */
        abstract void handle(byte[] body);

        /** A check of the head after the token's; returns false once it has answered. */
        boolean headAccepted() {
            return true;
        }

        /** The checks that need only the head, then the body is read. */
        final void start() {
            if (!HttpMethod.POST.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
                reject(405, "method_not_allowed", FieldError.body("method_not_allowed", "use POST"));
                return;
            }
            String token = bearerToken(request);
            Optional<String> owner = token == null ? Optional.empty() : tokens.tenantOf(token);
            if (owner.isEmpty()) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"salespulse\"");
                String reason = token == null ? "missing_token" : "bad_token";
                reject(401, reason, FieldError.body(reason, token == null
                        ? "send the tenant's token as 'Authorization: Bearer <token>'"
                        : "the token is not valid for any tenant"));
                return;
            }
            tenant = owner.get();
            if (!headAccepted()) {
                return;
            }
            if (request.getLength() > config.maxBodyBytes()) {
                tooLarge();
                return;
            }
            BodyReader.read(request, config.maxBodyBytes(), config.requestTimeout(), timers, this);
        }

        @Override
        public void complete(byte[] body) {
            try {
                requestThreads.execute(() -> process(body));
            } catch (RejectedExecutionException busy) {
                unavailable("overloaded", "the gateway is busy; send the same request again after "
                        + config.retryAfter().toSeconds() + " s");
            }
        }

        @Override
        public void tooLarge() {
            // The rest of the body stays unread, so the connection cannot carry another request.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            reject(413, "body_too_large", FieldError.body("body_too_large",
                    "the body is larger than " + config.maxBodyBytes() + " bytes; send smaller batches"));
        }

        @Override
        public void timedOut() {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            reject(408, "request_timeout", FieldError.body("request_timeout", "the body did not arrive within "
                    + config.requestTimeout().toMillis() + " ms of the request head; send it again"));
        }

        @Override
        public void failed(Throwable cause) {
            // Mostly a client that gave up (early EOF): worth a line, not a warning. Never request content.
            LOG.info("event=request_failed path={} part=body error=\"{}\"", label, cause.toString());
            callback.failed(cause);
        }

        private void process(byte[] body) {
            try {
                handle(body);
            } catch (RuntimeException e) {
                LOG.warn("event=request_failed path={} error=\"{}\"", label, e.toString());
                callback.failed(e);
            }
        }

        /**
         * Writes the records and waits for Kafka's acknowledgement of all of them. Returns false when Kafka did not
         * acknowledge in time; the request is then answered 503 with {@code Retry-After}.
         */
        boolean publish(List<ProducerRecord<byte[], byte[]>> records, String what) {
            long publishStarted = System.nanoTime();
            try {
                publisher.publishAll(records);
            } catch (KafkaPublisher.Unavailable e) {
                metrics.published(System.nanoTime() - publishStarted, false);
                LOG.warn("event=kafka_unavailable endpoint={} tenant={} records={} error=\"{}\"", label, tenant,
                        records.size(), e.getMessage());
                unavailable("kafka_unavailable", what + " could not be stored now; send the same request again after "
                        + config.retryAfter().toSeconds() + " s");
                return false;
            }
            metrics.published(System.nanoTime() - publishStarted, true);
            return true;
        }

        /** 503 with {@code Retry-After}: the client sends the same request again. */
        private void unavailable(String reason, String message) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(config.retryAfter().toSeconds()));
            reject(503, reason, FieldError.body(reason, message));
        }

        void reject(int status, String reason, byte[] body) {
            metrics.reject(reason);
            if (status != 503 || "overloaded".equals(reason)) {
                LOG.info("event=rejected endpoint={} tenant={} status={} reason={}", label,
                        tenant == null ? "-" : tenant, status, reason);
            }
            answer(status, body);
        }

        void answer(int status, byte[] body) {
            metrics.request(label, status, System.nanoTime() - started);
            reply(response, callback, status, body);
        }
    }

    /** One request to an ingest endpoint: one event or a batch, validated, then written to the endpoint's topic. */
    private final class Ingest extends PostRequest {
        private final Endpoint endpoint;

        Ingest(Endpoint endpoint, Request request, Response response, Callback callback) {
            super(endpoint.path, request, response, callback);
            this.endpoint = endpoint;
        }

        void start(String path) {
            if (!path.equals(endpoint.path)) {
                reject(404, "not_found", FieldError.body("not_found", "no such endpoint: " + path));
                return;
            }
            start();
        }

        @Override
        void handle(byte[] body) {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                reject(400, "not_json", FieldError.body("not_json",
                        "the body is not valid JSON: " + firstLine(e.getOriginalMessage())));
                return;
            } catch (IOException e) {
                reject(400, "not_json", FieldError.body("not_json", "the body is not readable JSON"));
                return;
            }
            List<JsonNode> events = new ArrayList<>();
            if (root != null && root.isArray()) {
                root.forEach(events::add);
                if (events.isEmpty()) {
                    reject(400, "empty_batch", FieldError.body("empty_batch", "the batch has no events"));
                    return;
                }
                if (events.size() > config.maxBatchEvents()) {
                    reject(413, "batch_too_large", FieldError.body("batch_too_large", "the batch has "
                            + events.size() + " events; at most " + config.maxBatchEvents()
                            + " are accepted per request"));
                    return;
                }
            } else if (root != null && root.isObject()) {
                events.add(root);
            } else {
                reject(400, "not_object", FieldError.body("not_object",
                        "the body must be one event (a JSON object) or a batch (a JSON array of objects)"));
                return;
            }

            long receivedAt = System.currentTimeMillis();
            List<FieldError> invalid = new ArrayList<>();
            List<FieldError> foreign = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
            String topic = topic(endpoint);
            for (int i = 0; i < events.size(); i++) {
                JsonNode event = events.get(i);
                byte[] value = events.size() == 1 && root.isObject() ? body : Json.bytes(event);
                if (endpoint.cashKind != null && event.isObject()) {
                    JsonNode kind = event.get("kind");
                    if (kind == null || kind.isNull()) {
                        // The endpoint says what the event is: written with its kind, as the topic's readers need it.
                        ((ObjectNode) event).put("kind", endpoint.cashKind);
                        value = Json.bytes(event);
                    } else if (!kind.isTextual() || !kind.textValue().equals(endpoint.cashKind)) {
                        invalid.add(new FieldError(i, "kind", "unknown_value", "field 'kind' is " + kind
                                + " but " + endpoint.path + " takes " + endpoint.cashKind
                                + " events; leave 'kind' out or post to the endpoint of that kind"));
                        continue;
                    }
                }
                try {
                    String eventTenant = validate(endpoint, value, receivedAt);
                    if (!tenant.equals(eventTenant)) {
                        foreign.add(new FieldError(i, "tenant", "tenant_mismatch", "field 'tenant' is '"
                                + eventTenant + "' but the token belongs to tenant '" + tenant + "'"));
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
                invalid.sort(Comparator.comparingInt(FieldError::index));
                reject(400, "invalid_event", FieldError.body(invalid, events.size()));
                return;
            }
            if (!foreign.isEmpty()) {
                reject(403, "tenant_mismatch", FieldError.body(foreign, events.size()));
                return;
            }
            if (!publish(records, "the events")) {
                return;
            }
            metrics.accepted(endpoint.path, tenant, records.size());
            ObjectNode ok = Json.MAPPER.createObjectNode();
            ok.put("accepted", records.size());
            answer(202, Json.bytes(ok));
            if (LOG.isDebugEnabled()) {
                LOG.debug("event=accepted endpoint={} tenant={} events={}", endpoint.path, tenant, records.size());
            }
        }
    }

    /**
     * {@code POST /v1/imports} (open or renew a history-import session) and {@code POST /v1/imports/{id}/complete};
     * what they write and answer is {@link ImportSessions}'. The tenant is the token's.
     */
    private final class ImportRequest extends PostRequest {
        /** The id of a complete request, null for an open request. */
        private final String completeId;

        ImportRequest(String path, Request request, Response response, Callback callback) {
            super(completeId(path) == null ? IMPORTS : IMPORTS + "/{id}" + COMPLETE, request, response, callback);
            this.completeId = completeId(path);
        }

        void start(String path) {
            if (!path.equals(IMPORTS) && completeId == null) {
                reject(404, "not_found", FieldError.body("not_found", "no such endpoint: " + path
                        + "; use POST /v1/imports or POST /v1/imports/{import_id}/complete"));
                return;
            }
            start();
        }

        @Override
        boolean headAccepted() {
            if (completeId != null && !ImportSession.validId(completeId)) {
                ImportSessions.Refused bad = ImportSessions.badImportId("the import id in the path is '"
                        + (completeId.length() <= 60 ? completeId : completeId.substring(0, 60) + "…") + "'");
                reject(bad.status(), bad.code(), bad.body());
                return false;
            }
            return true;
        }

        @Override
        void handle(byte[] body) {
            long now = System.currentTimeMillis();
            ImportSessions.Outcome outcome = completeId == null ? sessions.open(tenant, body, now)
                    : sessions.complete(tenant, completeId, body, now);
            if (outcome instanceof ImportSessions.Refused r) {
                reject(r.status(), r.code(), r.body());
            } else if (outcome instanceof ImportSessions.Write w && publish(List.of(w.record()), "the import session")) {
                sessions.written(w, now);
                answer(w.status(), w.answer());
            }
        }
    }

    /** The id of {@code /v1/imports/{id}/complete}, else null (anything else below /v1/imports is answered 404). */
    private static String completeId(String path) {
        String rest = path.startsWith(IMPORTS + "/") ? path.substring(IMPORTS.length() + 1) : "";
        int slash = rest.indexOf('/');
        return slash > 0 && rest.substring(slash).equals(COMPLETE) ? rest.substring(0, slash) : null;
    }

    /** Parses with the contract's parser and returns the event's tenant. */
    private String validate(Endpoint endpoint, byte[] value, long receivedAt) throws InvalidEventException {
        return switch (endpoint) {
            case STAGES -> parser.parseStage(value, receivedAt).tenant;
            case VISITS -> parser.parseVisit(value, receivedAt).tenant;
            case ACKS -> parser.parseAck(value, receivedAt).tenant;
            case CONTRACTS, INVOICES, PAYMENTS -> parser.parseCash(value, receivedAt).tenant;
        };
    }

    private String topic(Endpoint endpoint) {
        return switch (endpoint) {
            case STAGES -> config.topicStages();
            case VISITS -> config.topicVisits();
            case ACKS -> config.topicAcks();
            case CONTRACTS, INVOICES, PAYMENTS -> config.topicCash();
        };
    }

    private static String bearerToken(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private void healthz(Response response, Callback callback) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        boolean failing = metrics.kafkaFailing();
        if (failing && publisher.reachable(HEALTH_PROBE_TIMEOUT)) {
            metrics.kafkaReached(); // back since the failed publish: healthy before the next request proves it
            failing = false;
        }
        n.put("status", failing ? "degraded" : "ok");
        n.put("kafka", failing ? "unreachable since the latest publish failed" : "ok");
        reply(response, callback, failing ? 503 : 200, Json.bytes(n));
    }

    private void metrics(Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MetricsText.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(metrics.render().getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** Writes the whole answer; Jetty completes the request (and may reuse the connection) once it is sent. */
    private static void reply(Response response, Callback callback, int status, byte[] json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.write(true, ByteBuffer.wrap(json), callback);
    }

    /** Jetty's own refusals (a malformed head, a head over 8 KiB, a failed request) in our error format. */
    private static boolean jettyError(Request request, Response response, Callback callback) {
        int status = response.getStatus() > 0 ? response.getStatus() : 500;
        String code = switch (status) {
            case 400 -> "bad_request";
            case 431 -> "headers_too_large";
            case 500 -> "internal_error";
            default -> "http_" + status;
        };
        // Jetty's own words for a malformed request; a failure of ours is in the log, not in the answer.
        Object message = status < 500 ? request.getAttribute(ErrorHandler.ERROR_MESSAGE) : null;
        reply(response, callback, status, FieldError.body(code,
                message == null ? "the request could not be handled" : message.toString()));
        return true;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() <= 120 ? line : line.substring(0, 120) + "…";
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

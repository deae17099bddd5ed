package io.salespulse.producers.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code POST /v1/imports} and {@code POST /v1/imports/{id}/complete} write to the imports topic and answer.
 * The tenant is always the token's: an importer can open, renew and complete only its own tenant's sessions.
 *
 * <ul>
 *   <li>open, body {@code {"import_id"?, "description"?}} (or none): an OPEN record with {@code expires_at} = now
 *       + the import timeout; without an id the gateway assigns one ({@link ImportIds}). Posting the same id
 *       again renews the session (a new OPEN record, a later {@code expires_at}); posting it after it was
 *       completed opens it again. Answer 201 {@code {"import_id","expires_at","renew_before"}}, renew_before =
 *       now + a third of the timeout.</li>
 *   <li>complete, body {@code {"cards":N,"visits":M,"acks":K}} (+ optional description): a COMPLETE record with
 *       the counts and {@code expires_at} = now. Answer 202 {@code {"import_id","status":"complete"}}.</li>
 * </ul>
 *
 * <p>The gateway keeps no session state that matters: the topic is the record. It only remembers which sessions it
 * opened itself, to count a renewal apart from an opening in the metrics.
 */
final class ImportSessions {
    private static final Logger LOG = LoggerFactory.getLogger(ImportSessions.class);

    /** Sessions remembered for the metrics; beyond this many open ones a renewal counts as an opening. */
    private static final int MAX_REMEMBERED = 100_000;

    /** What a request comes to: a refusal, or a session record to write and the answer once Kafka has it. */
    sealed interface Outcome permits Refused, Write {}

    record Refused(int status, String code, byte[] body) implements Outcome {}

    record Write(ImportSession session, ProducerRecord<byte[], byte[]> record, int status, byte[] answer)
            implements Outcome {}

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    /** key -> expires_at of the sessions this gateway wrote OPEN and has not seen completed. */
    private final Map<String, Long> opened = new ConcurrentHashMap<>();

    ImportSessions(GatewayConfig config, GatewayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    Outcome open(String tenant, byte[] body, long now) {
        JsonNode root;
        try {
            root = body.length == 0 ? Json.MAPPER.createObjectNode() : object(body);
        } catch (BadBody e) {
            return e.refused;
        }
        String id;
        JsonNode given = root.get("import_id");
        if (given == null || given.isNull()) {
            id = ImportIds.newId(Instant.ofEpochMilli(now));
        } else if (given.isTextual() && ImportSession.validId(given.textValue())) {
            id = given.textValue();
        } else {
            return badImportId("field 'import_id' is " + clip(given.toString()));
        }
        String description;
        try {
            description = description(root);
        } catch (BadBody e) {
            return e.refused;
        }
        long timeout = config.importTimeout().toMillis();
        ImportSession s = new ImportSession(tenant, id, ImportSession.Status.OPEN, now + timeout, 0, 0, 0,
                description, 0);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("import_id", id);
        answer.put("expires_at", Instant.ofEpochMilli(s.expiresAt()).toString());
        answer.put("renew_before", Instant.ofEpochMilli(now + timeout / 3).toString());
        return new Write(s, record(s, now), 201, Json.bytes(answer));
    }

    Outcome complete(String tenant, String importId, byte[] body, long now) {
        JsonNode root;
        String description;
        try {
            root = object(body);
            description = description(root);
        } catch (BadBody e) {
            return e.refused;
        }
        List<FieldError> errors = new ArrayList<>();
        long cards = count(root, "cards", errors);
        long visits = count(root, "visits", errors);
        long acks = count(root, "acks", errors);
        if (!errors.isEmpty()) {
            return new Refused(400, errors.get(0).code(), FieldError.body(errors, 0));
        }
        ImportSession s = new ImportSession(tenant, importId, ImportSession.Status.COMPLETE, now, cards, visits, acks,
                description, 0);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("import_id", importId);
        answer.put("status", "complete");
        return new Write(s, record(s, now), 202, Json.bytes(answer));
    }

    /** Called once Kafka acknowledged the record of {@code w}: counts and logs it. */
    void written(Write w, long now) {
        ImportSession s = w.session();
        String action;
        if (s.isOpen()) {
            if (opened.size() >= MAX_REMEMBERED) {
                opened.values().removeIf(expiresAt -> expiresAt < now);
            }
            Long before = opened.size() < MAX_REMEMBERED || opened.containsKey(s.key())
                    ? opened.put(s.key(), s.expiresAt()) : null;
            action = before != null && before >= now ? "renewed" : "opened";
            LOG.info("event=import_{} tenant={} import_id={} expires_at={}", action, s.tenant(), s.importId(),
                    Instant.ofEpochMilli(s.expiresAt()));
        } else {
            opened.remove(s.key());
            action = "completed";
            LOG.info("event=import_completed tenant={} import_id={} cards={} visits={} acks={}", s.tenant(),
                    s.importId(), s.cards(), s.visits(), s.acks());
        }
        metrics.importSession(action);
    }

    static Refused badImportId(String what) {
        return new Refused(400, "bad_import_id", FieldError.body(List.of(new FieldError(-1, "import_id",
                "bad_import_id", what + "; an import id is 1 to 128 letters, digits, '-', '_' or '.', starting with a"
                        + " letter or digit")), 0));
    }

    private ProducerRecord<byte[], byte[]> record(ImportSession s, long now) {
        return new ProducerRecord<>(config.topicImports(), null, now, s.key().getBytes(StandardCharsets.UTF_8),
                s.toJson());
    }

    private static JsonNode object(byte[] body) throws BadBody {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BadBody(new Refused(400, "not_json", FieldError.body("not_json", "the body is not valid JSON")));
        }
        if (root == null || !root.isObject()) {
            throw new BadBody(new Refused(400, "not_object", FieldError.body("not_object",
                    "the body must be a JSON object")));
        }
        return root;
    }

    private static String description(JsonNode root) throws BadBody {
        JsonNode d = root.get("description");
        if (d == null || d.isNull()) {
            return "";
        }
        if (!d.isTextual()) {
            throw new BadBody(field(400, "description", "wrong_type", "field 'description' must be a string"));
        }
        if (d.textValue().length() > EventParser.MAX_TEXT_LENGTH) {
            throw new BadBody(field(400, "description", "too_large", "field 'description' is "
                    + d.textValue().length() + " characters long; at most " + EventParser.MAX_TEXT_LENGTH));
        }
        return d.textValue();
    }

    private static long count(JsonNode root, String name, List<FieldError> errors) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            errors.add(new FieldError(-1, name, "missing_field", "required field '" + name + "' is missing"));
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            errors.add(new FieldError(-1, name, "wrong_type", "field '" + name + "' must be a whole number >= 0, got "
                    + clip(v.toString())));
            return 0;
        }
        return v.longValue();
    }

    private static Refused field(int status, String field, String code, String message) {
        return new Refused(status, code, FieldError.body(List.of(new FieldError(-1, field, code, message)), 0));
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    /** A body that cannot be used, with its answer. */
    private static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Refused refused;

        BadBody(Refused refused) {
            super(refused.code(), null, false, false);
            this.refused = refused;
        }
    }
}

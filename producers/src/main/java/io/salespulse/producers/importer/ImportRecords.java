package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

/**
 * Turns a record read from a file into one the gateway will take, or says why it cannot:
 *
 * <ol>
 *   <li>its kind: the record's {@code kind} field (removed before sending), else the one given for the whole
 *       import, else inferred ({@link ImportKind#infer});</li>
 *   <li>its tenant: filled in when missing; another tenant's record is refused ({@code tenant_mismatch});</li>
 *   <li>its {@code event_id}: when missing, a deterministic one ({@link #eventId}), so that importing the same file
 *       again sends the same ids and the pipeline de-duplicates them;</li>
 *   <li>{@code import_id} set to the session's, then the contract's own check ({@link EventParser}).</li>
 * </ol>
 */
final class ImportRecords {
    private final String tenant;
    private final ImportKind kind;
    private final String importId;
    private final EventParser parser;
    private final long receivedAt;

    /**
     * @param kind the kind of records without a {@code kind} field; null = infer it
     * @param receivedAt the time {@code occurred_at} is checked against (it may not lie more than an hour after it)
     */
    ImportRecords(String tenant, ImportKind kind, String importId, EventParser parser, long receivedAt) {
        this.tenant = tenant;
        this.kind = kind;
        this.importId = importId;
        this.parser = parser;
        this.receivedAt = receivedAt;
    }

    /** The record to send, or the reason it is not sent. */
    ImportRecord prepare(Path file, SourceRecord source) throws Rejected {
        if (!source.readable()) {
            throw new Rejected(source.errorCode(), source.errorMessage());
        }
        ObjectNode n = source.fields().deepCopy();
        ImportKind k = kindOf(n);
        if (k.isCash()) {
            n.put("kind", k.code()); // a cash record's kind is part of the contract
        }
        if (!ImportKind.present(n, "tenant")) {
            n.put("tenant", tenant);
        }
        if (!ImportKind.present(n, "event_id")) {
            n.put("event_id", eventId(k, n));
        }
        n.put("import_id", importId);
        byte[] json = Json.bytes(n);
        ImportKind.Validated v;
        try {
            v = k.validate(parser, json, receivedAt);
        } catch (InvalidEventException e) {
            throw new Rejected(e.code(), e.getMessage());
        }
        if (!v.tenant().equals(tenant)) {
            throw new Rejected("tenant_mismatch", "field 'tenant' is '" + v.tenant() + "' but this import is for tenant '"
                    + tenant + "'");
        }
        return new ImportRecord(k, v.eventId(), v.occurredAt(), json, file, source.line());
    }

    private ImportKind kindOf(ObjectNode n) throws Rejected {
        JsonNode field = n.remove("kind");
        if (field == null || field.isNull() || (field.isTextual() && field.textValue().isBlank())) {
            return kind != null ? kind : ImportKind.infer(n);
        }
        if (!field.isTextual()) {
            throw new Rejected("unknown_kind", "field 'kind' must be card, visit, ack, contract, invoice or payment, got "
                    + field);
        }
        return ImportKind.fromCode(field.textValue()).orElseThrow(() -> new Rejected("unknown_kind",
                "field 'kind' is '" + field.textValue() + "', expected card (or stage), visit, ack, contract, invoice"
                        + " or payment"));
    }

    /**
     * {@code imp-} + 20 hex characters of SHA-256 over the kind, tenant, customer (alert for acks), the instant of
     * occurred_at and the stage / channel / action: the same record gets the same id in every run, whatever else
     * of it changes (a corrected region, a note), and one customer's card of one stage at one instant is one card.
     */
    static String eventId(ImportKind kind, JsonNode n) {
        String key = String.join("\u001f", kind.code(), text(n, "tenant"), text(n, kind.subjectField),
                instant(text(n, "occurred_at")), text(n, kind.whatField));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "imp-" + HexFormat.of().formatHex(digest).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).asText("");
    }

    /** The same moment written with another offset is the same moment. */
    private static String instant(String occurredAt) {
        try {
            return OffsetDateTime.parse(occurredAt).toInstant().toString();
        } catch (DateTimeParseException e) {
            return occurredAt;
        }
    }

    /** Why a record is not sent. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        Rejected(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}

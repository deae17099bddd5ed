package io.salespulse.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Where a history import of one tenant stands, as published on {@code sales.imports} (compacted; key
 * {@code tenant/import_id}). The importer opens a session, sends the history's records with {@code import_id}
 * set, renews the session while it sends, and completes it once Kafka has acknowledged every record.
 *
 * <p>The jobs hold what an open import can still change (its customers' alerts, the tenant's conversion rows,
 * drop episodes and digests of past dates) and decide it once the import is complete: the completion record is
 * written after every record of the import, so once a job's input has passed the completion record's Kafka
 * timestamp ({@link #publishedAt}), it has read the whole import. An open session that is not renewed before
 * {@link #expiresAt} counts as abandoned: the jobs then decide with what arrived.
 *
 * @param publishedAt the Kafka timestamp of the record (when the gateway wrote it); 0 when not read from Kafka
 */
public record ImportSession(String tenant, String importId, Status status, long expiresAt, long cards, long visits,
        long acks, String description, long publishedAt) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public enum Status {
        OPEN("open"), COMPLETE("complete");

        private final String code;

        Status(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** Import ids are safe in keys, logs and file names: letters, digits, '-', '_', '.'. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The record key on {@code sales.imports}. */
    public static String key(String tenant, String importId) {
        return tenant + "/" + importId;
    }

    public String key() {
        return key(tenant, importId);
    }

    public boolean isOpen() {
        return status == Status.OPEN;
    }

    public byte[] toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("import_id", importId);
        n.put("tenant", tenant);
        n.put("status", status.code());
        n.put("expires_at", Instant.ofEpochMilli(expiresAt).toString());
        n.put("cards", cards);
        n.put("visits", visits);
        n.put("acks", acks);
        n.put("description", description == null ? "" : description);
        return n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Parses a {@code sales.imports} record; the key must match the document. */
    public static ImportSession parse(String key, byte[] value, long publishedAt) throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException("empty", "an import record needs a value");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(EventParser.utf8(value));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not_json", "the import record is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new InvalidEventException("not_object", "an import record must be a JSON object");
        }
        String tenant = text(n, "tenant");
        String importId = text(n, "import_id");
        if (!validId(importId)) {
            throw new InvalidEventException("wrong_type", "field 'import_id' is not a valid import id");
        }
        if (key != null && !key.equals(key(tenant, importId))) {
            throw new InvalidEventException("bad_scope", "the record key '" + key + "' is not tenant/import_id of"
                    + " the document (" + key(tenant, importId) + ")");
        }
        String s = text(n, "status");
        Status status = switch (s) {
            case "open" -> Status.OPEN;
            case "complete" -> Status.COMPLETE;
            default -> throw new InvalidEventException("unknown_value", "field 'status' is '" + s
                    + "', expected open or complete");
        };
        long expiresAt;
        try {
            expiresAt = OffsetDateTime.parse(text(n, "expires_at")).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("bad_timestamp", "field 'expires_at' is not ISO-8601 with offset");
        }
        JsonNode d = n.get("description");
        return new ImportSession(tenant, importId, status, expiresAt, count(n, "cards"), count(n, "visits"),
                count(n, "acks"), d == null || !d.isTextual() ? "" : d.textValue(), publishedAt);
    }

    private static String text(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            throw new InvalidEventException("missing_field", "required field '" + field + "' is missing");
        }
        return v.textValue();
    }

    private static long count(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToLong() || v.longValue() < 0) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a whole number >= 0");
        }
        return v.longValue();
    }
}

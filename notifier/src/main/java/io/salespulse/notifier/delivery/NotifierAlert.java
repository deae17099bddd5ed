package io.salespulse.notifier.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Alert;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import io.salespulse.notifier.routing.AlertFacts;
import io.salespulse.notifier.routing.RoutingRules;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * An alert as read from {@code sales.alerts}: the contract's fields plus, for escalations, the original
 * alert and the level ({@code escalation_level} 1 = region, 2 = director; absent = 0, the team).
 *
 * <p>{@code originAlertId} is the alert this one is about: the original of an escalation, the withdrawn alert of a
 * {@code retraction} (its {@code retracts}), else the alert itself. {@code origin} is {@code live} or
 * {@code history} (an imported history's alert about the past, never posted).
 */
public record NotifierAlert(String alertId, String type, String severity, String tenant, String region, String team,
        String repId, String customerId, String stage, Instant dueAt, Instant firedAt, String title, String message,
        String suggestion, int escalationLevel, String originAlertId, String origin, String retracts) {

    /** A live alert that withdraws nothing: escalations, and alerts read back from the ledger. */
    public NotifierAlert(String alertId, String type, String severity, String tenant, String region, String team,
            String repId, String customerId, String stage, Instant dueAt, Instant firedAt, String title, String message,
            String suggestion, int escalationLevel, String originAlertId) {
        this(alertId, type, severity, tenant, region, team, repId, customerId, stage, dueAt, firedAt, title, message,
                suggestion, escalationLevel, originAlertId, Alert.LIVE, null);
    }

    public static NotifierAlert parse(byte[] value) throws InvalidEventException {
        String text = EventParser.utf8(value == null ? new byte[0] : value);
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new InvalidEventException("not_json", "the alert is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new InvalidEventException("not_object", "the alert is not a JSON object");
        }
        String id = required(n, "alert_id");
        int level = n.path("escalation_level").asInt(0);
        if (level < 0 || level >= RoutingRules.LEVELS.size()) {
            throw new InvalidEventException("out_of_range", "field 'escalation_level' must be 0, 1 or 2");
        }
        String type = required(n, "type");
        String origin = optional(n, "origin");
        if (origin != null && !origin.equals(Alert.LIVE) && !origin.equals(Alert.HISTORY)) {
            throw new InvalidEventException("unknown_value", "field 'origin' is '" + origin + "', expected live or history");
        }
        String retracts = optional(n, "retracts");
        if (type.equals(Alert.RETRACTION) && retracts == null) {
            throw new InvalidEventException("missing_field", "field 'retracts' is missing or blank (type retraction)");
        }
        String about = type.equals(Alert.RETRACTION) ? retracts : optional(n, "origin_alert_id");
        return new NotifierAlert(id, type, optional(n, "severity") == null ? "normal" : optional(n, "severity"),
                required(n, "tenant"), optional(n, "region"), optional(n, "team"), optional(n, "rep_id"),
                optional(n, "customer_id"), optional(n, "stage"), time(n, "due_at", false), time(n, "fired_at", true),
                required(n, "title"), optional(n, "message"), optional(n, "suggestion"), level,
                about == null ? id : about, origin == null ? Alert.LIVE : origin, retracts);
    }

    /** The JSON of an alert for {@code sales.alerts} (escalations): contract fields plus the two extras. */
    public byte[] toJson(Instant emittedAt) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("alert_id", alertId);
        n.put("type", type);
        n.put("severity", severity);
        n.put("tenant", tenant);
        n.put("region", region);
        n.put("team", team);
        n.put("rep_id", repId);
        n.put("customer_id", customerId);
        n.put("stage", stage);
        if (dueAt != null) {
            n.put("due_at", dueAt.toString());
        }
        n.put("fired_at", firedAt.toString());
        n.put("emitted_at", emittedAt.toString());
        n.put("title", title);
        n.put("message", message);
        n.put("suggestion", suggestion);
        n.put("origin", origin);
        if (retracts != null) {
            n.put("retracts", retracts);
        }
        n.put("escalation_level", escalationLevel);
        n.put("origin_alert_id", originAlertId);
        return Json.bytes(n);
    }

    public String level() {
        return RoutingRules.LEVELS.get(escalationLevel);
    }

    public AlertFacts facts() {
        return new AlertFacts(tenant, region, team, type, severity, level());
    }

    public boolean high() {
        return "high".equals(severity);
    }

    /** A {@code retraction}: withdraws {@link #retracts}, which a card uploaded late proved wrong. */
    public boolean isRetraction() {
        return Alert.RETRACTION.equals(type);
    }

    /** An imported history's alert about the past: recorded, never posted, never escalated. */
    public boolean isHistory() {
        return Alert.HISTORY.equals(origin);
    }

    private static String required(JsonNode n, String field) throws InvalidEventException {
        String v = optional(n, field);
        if (v == null) {
            throw new InvalidEventException("missing_field", "field '" + field + "' is missing or blank");
        }
        return v;
    }

    private static String optional(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a string");
        }
        return v.asText().isBlank() ? null : v.asText();
    }

    private static Instant time(JsonNode n, String field, boolean required) throws InvalidEventException {
        String v = required ? required(n, field) : optional(n, field);
        if (v == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("bad_timestamp", "field '" + field + "' is not ISO-8601 with offset");
        }
    }
}

package io.salespulse.notifier.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 */
public record NotifierAlert(String alertId, String type, String severity, String tenant, String region, String team,
        String repId, String customerId, String stage, Instant dueAt, Instant firedAt, String title, String message,
        String suggestion, int escalationLevel, String originAlertId) {

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
        String origin = optional(n, "origin_alert_id");
        return new NotifierAlert(id, required(n, "type"), optional(n, "severity") == null ? "normal" : optional(n, "severity"),
                required(n, "tenant"), optional(n, "region"), optional(n, "team"), optional(n, "rep_id"),
                optional(n, "customer_id"), optional(n, "stage"), time(n, "due_at", false), time(n, "fired_at", true),
                required(n, "title"), optional(n, "message"), optional(n, "suggestion"), level,
                origin == null ? id : origin);
    }

    /** The JSON of an escalation alert for {@code sales.alerts}: contract fields plus the two extras. */
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

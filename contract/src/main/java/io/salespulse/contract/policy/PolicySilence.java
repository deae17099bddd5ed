package io.salespulse.contract.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A silence a policy declares: a rep's leave, a customer who asked for a pause, a known outage of a team, written as
 * data next to the scope's calendar instead of a CLI command. The scope's tenant, region and team are its matchers;
 * {@code rep_id}, {@code customer_id} and {@code type} narrow it further.
 *
 * <pre>{@code
 * "silences": [{"id": "leave-r-007", "rep_id": "r-007", "reason": "年假",
 *               "starts_at": "2026-12-07T00:00:00+08:00", "ends_at": "2026-12-12T00:00:00+08:00"}]
 * }</pre>
 *
 * The notifier writes each into {@code alert_silences} ({@code source = policy}, id {@code policy:<scope>:<id>}, author
 * the policy's {@code updated_by}), where it works and is audited like any other silence; a silence a later version
 * drops, or a scope removed, ends then. A silence of a whole tenant needs {@code "everything": true}.
 */
public record PolicySilence(String id, String repId, String customerId, String type, Instant startsAt, Instant endsAt,
        String reason) {
    private static final Set<String> FIELDS = Set.of("id", "rep_id", "customer_id", "type", "starts_at", "ends_at",
            "reason", "everything");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final int MAX = 200;

    /** The silences of a policy document (its canonical JSON); none when it declares none. */
    public static List<PolicySilence> of(Policy p) {
        try {
            return parse(Json.MAPPER.readTree(p.json()).get("silences"), p.scope());
        } catch (Exception e) {
            return List.of(); // the parser accepted the document: cannot happen
        }
    }

    /** Validates and reads a document's {@code silences}; a mistake names its field, e.g. {@code silences[1].ends_at}. */
    static List<PolicySilence> parse(JsonNode node, String scope) throws InvalidEventException {
        List<PolicySilence> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new InvalidEventException("wrong_type", "field 'silences' must be a list of silences");
        }
        if (node.size() > MAX) {
            throw new InvalidEventException("out_of_range", "field 'silences' has " + node.size() + " entries; at most "
                    + MAX);
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String f = "silences[" + i + "]";
            JsonNode s = node.get(i);
            if (!s.isObject()) {
                throw new InvalidEventException("wrong_type", "field '" + f + "' must be an object");
            }
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!FIELDS.contains(k)) {
                    throw new InvalidEventException("unknown_value", "field '" + f + "." + k + "' is not known; fields: "
                            + String.join(", ", new java.util.TreeSet<>(FIELDS)));
                }
            }
            String id = text(s, f, "id", true);
            if (!ID.matcher(id).matches()) {
                throw new InvalidEventException("wrong_type", "field '" + f + ".id' uses letters, digits, '.', '_', '-'"
                        + " (1-64)");
            }
            if (!ids.add(id)) {
                throw new InvalidEventException("unknown_value", "field '" + f + ".id' repeats '" + id + "'");
            }
            String reason = text(s, f, "reason", true);
            Instant start = time(s, f, "starts_at");
            Instant end = time(s, f, "ends_at");
            if (!end.isAfter(start)) {
                throw new InvalidEventException("out_of_range", "field '" + f + ".ends_at' must be after starts_at");
            }
            String rep = text(s, f, "rep_id", false);
            String customer = text(s, f, "customer_id", false);
            String type = text(s, f, "type", false);
            boolean everything = s.path("everything").asBoolean(false);
            if (Policy.depth(scope) == 1 && rep.isEmpty() && customer.isEmpty() && type.isEmpty() && !everything) {
                throw new InvalidEventException("out_of_range", "field '" + f + "' would silence every alert of tenant "
                        + scope + "; name a rep_id, customer_id or type, or set \"everything\": true to mean it");
            }
            out.add(new PolicySilence(id, rep, customer, type, start, end, reason));
        }
        return out;
    }

    private static String text(JsonNode s, String f, String k, boolean required) throws InvalidEventException {
        JsonNode v = s.get(k);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidEventException("missing_field", "field '" + f + "." + k + "' is missing");
            }
            return "";
        }
        if (!v.isTextual() || v.textValue().isBlank() || v.textValue().length() > 256) {
            throw new InvalidEventException("wrong_type", "field '" + f + "." + k + "' must be a non-empty string"
                    + " (at most 256 characters)");
        }
        return v.textValue().trim();
    }

    private static Instant time(JsonNode s, String f, String k) throws InvalidEventException {
        String t = text(s, f, k, true);
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("bad_timestamp", "field '" + f + "." + k + "' is '"
                    + (t.length() > 40 ? t.substring(0, 40) + "..." : t)
                    + "', expected ISO-8601 with offset like 2026-12-07T00:00:00+08:00");
        }
    }
}

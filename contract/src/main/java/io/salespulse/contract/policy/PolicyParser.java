package io.salespulse.contract.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Durations;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import io.salespulse.contract.Stage;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Parses and validates policy documents, as strictly as events: a rejection is an
 * {@link InvalidEventException} whose code counts dead letters and whose message names the field.
 * Unlike events, unknown fields are rejected: a misspelt setting ({@code "sla":{"need":"48h"}}) must not
 * be silently ignored while a manager believes it applies. The job and {@code bin/salespulse policy set}
 * use this same parser; the funnel job and the notifier read policies with it too ({@link PolicyBook}).
 *
 * <pre>{@code
 * {"version": 4, "updated_at": "2026-03-03T09:00:00+08:00", "updated_by": "u-chen",
 *  "sla": {"needs": "48h", "proposal": "96h"},
 *  "funnel_drop": {"threshold_pct": 15, "min_volume": 20},
 *  "escalation": {"region_manager": "4h", "director": "24h"},
 *  "calendar": {"time_zone": "Asia/Shanghai",
 *               "working_hours": {"mon": "09:00-18:00", ..., "fri": "09:00-12:00,13:00-18:00"},
 *               "holidays": ["2026-10-01"], "working_days": ["2026-09-27"]},
 *  "alert_types": {"stage_overdue": true, "funnel_drop": false},
 *  "silences": [{"id": "leave-r-007", "rep_id": "r-007", "reason": "年假",
 *                "starts_at": "2026-12-07T00:00:00+08:00", "ends_at": "2026-12-12T00:00:00+08:00"}]}
 * }</pre>
 */
public final class PolicyParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern PERIOD = Pattern.compile("(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");
    private static final Set<String> TOP = Set.of("scope", "version", "updated_at", "updated_by", "sla", "funnel_drop",
            "escalation", "calendar", "alert_types", "offline_grace", "silences");
    private static final Map<String, DayOfWeek> DAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);
    private static final int MAX_DATES = 400;
    /** Longer than this and alerts stop being timely; offline phones that stay away longer get retractions. */
    public static final Duration MAX_OFFLINE_GRACE = Duration.ofHours(24);

    private final Duration longestSla;
    private final ZoneId defaultZone;

    /**
     * @param longestSla an SLA must be shorter than this (the job's {@code state.ttl}: a customer must not
     *     be forgotten before it can become overdue)
     * @param defaultZone the calendar's time zone when the document does not name one
     */
    public PolicyParser(Duration longestSla, ZoneId defaultZone) {
        this.longestSla = longestSla;
        this.defaultZone = defaultZone;
    }

    /** Checks a policy key: {@code tenant}, {@code tenant/region} or {@code tenant/region/team}. */
    public static String scope(String key) throws InvalidEventException {
        if (key == null || key.isEmpty()) {
            throw new InvalidEventException("bad_scope", "the record has no key: a policy's key is its scope "
                    + "(tenant, tenant/region or tenant/region/team)");
        }
        String[] parts = key.split("/", -1);
        if (parts.length > 3 || key.length() > 3 * EventParser.MAX_ID_LENGTH + 2) {
            throw new InvalidEventException("bad_scope", "key '" + clip(key)
                    + "' is not a scope: expected tenant, tenant/region or tenant/region/team");
        }
        for (String p : parts) {
            if (p.isBlank() || p.length() > EventParser.MAX_ID_LENGTH) {
                throw new InvalidEventException("bad_scope", "key '" + clip(key) + "' has an empty or too long part");
            }
        }
        return key;
    }

    public Policy parse(String key, byte[] value) throws InvalidEventException {
        String scope = scope(key);
        if (value == null || value.length == 0) {
            throw new InvalidEventException("empty", "the record has no value (a tombstone removes a scope; "
                    + "an empty string is not a policy)");
        }
        if (value.length > EventParser.MAX_RECORD_BYTES) {
            throw new InvalidEventException("too_large", "the record is " + value.length + " bytes; at most "
                    + EventParser.MAX_RECORD_BYTES + " are accepted");
        }
        String text = EventParser.utf8(value);
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not_json", "the record is not valid JSON: "
                    + clip(String.valueOf(e.getOriginalMessage()).split("\n")[0]));
        }
        if (n == null || !n.isObject()) {
            throw new InvalidEventException("not_object", "a policy must be a JSON object");
        }
        onlyKnown(n, TOP, "");
        JsonNode docScope = n.get("scope");
        if (docScope != null && !(docScope.isTextual() && docScope.textValue().equals(scope))) {
            throw new InvalidEventException("bad_scope", "field 'scope' is " + clip(docScope.toString())
                    + " but the record key is '" + clip(scope) + "'");
        }
        JsonNode v = n.get("version");
        if (v == null || v.isNull()) {
            throw new InvalidEventException("missing_field", "required field 'version' is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
            throw new InvalidEventException("wrong_type", "field 'version' must be a whole number >= 1, got "
                    + clip(v.toString()));
        }
        long updatedAt = time(n, "updated_at");
        String updatedBy = text(n, "updated_by", true);

        EnumMap<Stage, Duration> sla = new EnumMap<>(Stage.class);
        JsonNode s = object(n, "sla");
        if (s != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Stage stage = Stage.fromCode(e.getKey()).filter(st -> st.code().equals(e.getKey()))
                        .orElseThrow(() -> new InvalidEventException("unknown_value", "field 'sla." + clip(e.getKey())
                                + "' is not a stage; stages: " + Stage.codes()));
                if (e.getValue().isNull()) {
                    continue; // null = inherit
                }
                Duration d = duration(e.getValue(), "sla." + stage.code());
                if (d.compareTo(longestSla) >= 0) {
                    throw new InvalidEventException("out_of_range", "field 'sla." + stage.code() + "' is "
                            + Durations.format(d) + "; it must be shorter than state.ttl (" + Durations.format(longestSla)
                            + "), or customers are forgotten before they can become overdue");
                }
                sla.put(stage, d);
            }
        }

        Double threshold = null;
        Integer minVolume = null;
        JsonNode f = object(n, "funnel_drop");
        if (f != null) {
            onlyKnown(f, Set.of("threshold_pct", "min_volume"), "funnel_drop.");
            JsonNode t = f.get("threshold_pct");
            if (t != null && !t.isNull()) {
                if (!t.isNumber() || t.doubleValue() <= 0 || t.doubleValue() >= 100 || Double.isNaN(t.doubleValue())) {
                    throw new InvalidEventException("out_of_range",
                            "field 'funnel_drop.threshold_pct' must be a number between 0 and 100 (exclusive)");
                }
                threshold = t.doubleValue();
            }
            JsonNode m = f.get("min_volume");
            if (m != null && !m.isNull()) {
                if (!m.isIntegralNumber() || !m.canConvertToInt() || m.intValue() < 1) {
                    throw new InvalidEventException("out_of_range", "field 'funnel_drop.min_volume' must be a whole number >= 1");
                }
                minVolume = m.intValue();
            }
        }

        TreeMap<String, Duration> escalation = new TreeMap<>();
        JsonNode esc = object(n, "escalation");
        if (esc != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = esc.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NAME.matcher(e.getKey()).matches()) {
                    throw new InvalidEventException("unknown_value", "field 'escalation." + clip(e.getKey())
                            + "' is not a valid level name (lower case letters, digits, _)");
                }
                if (!e.getValue().isNull()) {
                    escalation.put(e.getKey(), duration(e.getValue(), "escalation." + e.getKey()));
                }
            }
        }

        BusinessCalendar calendar = null;
        JsonNode c = object(n, "calendar");
        if (c != null) {
            calendar = calendar(c);
        }

        TreeMap<String, Boolean> alertTypes = new TreeMap<>();
        JsonNode a = object(n, "alert_types");
        if (a != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!Policy.ALERT_TYPES.contains(e.getKey())) {
                    throw new InvalidEventException("unknown_value", "field 'alert_types." + clip(e.getKey())
                            + "' is not an alert type; types: " + String.join(", ", Policy.ALERT_TYPES));
                }
                if (e.getValue().isNull()) {
                    continue;
                }
                if (!e.getValue().isBoolean()) {
                    throw new InvalidEventException("wrong_type", "field 'alert_types." + e.getKey()
                            + "' must be true or false");
                }
                alertTypes.put(e.getKey(), e.getValue().booleanValue());
            }
        }
        Duration offlineGrace = null;
        JsonNode g = n.get("offline_grace");
        if (g != null && !g.isNull()) {
            offlineGrace = graceDuration(g);
        }
        PolicySilence.parse(n.get("silences"), scope); // validated here, read by the notifier from the JSON
        ObjectNode canonical = ((ObjectNode) n).deepCopy();
        canonical.put("scope", scope);
        return new Policy(scope, v.longValue(), updatedAt, updatedBy, sla, threshold, minVolume, escalation, calendar,
                alertTypes, offlineGrace, canonical.toString());
    }

    private BusinessCalendar calendar(JsonNode c) throws InvalidEventException {
        onlyKnown(c, Set.of("time_zone", "working_hours", "holidays", "working_days"), "calendar.");
        ZoneId zone = defaultZone;
        String z = text(c, "time_zone", false);
        if (z != null) {
            try {
                zone = ZoneId.of(z);
            } catch (DateTimeException e) {
                throw new InvalidEventException("unknown_value", "field 'calendar.time_zone' is '" + clip(z)
                        + "', expected a time zone id like Asia/Shanghai");
            }
        }
        EnumMap<DayOfWeek, List<BusinessCalendar.Period>> week = new EnumMap<>(DayOfWeek.class);
        JsonNode wh = object(c, "working_hours");
        if (wh == null) {
            week.putAll(BusinessCalendar.officeHours(zone).week());
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = wh.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                DayOfWeek day = DAYS.get(e.getKey());
                if (day == null) {
                    throw new InvalidEventException("unknown_value", "field 'calendar.working_hours." + clip(e.getKey())
                            + "' is not a weekday; use mon, tue, wed, thu, fri, sat, sun");
                }
                week.put(day, periods(e.getValue(), "calendar.working_hours." + e.getKey()));
            }
        }
        Set<LocalDate> holidays = dates(c, "holidays");
        Set<LocalDate> workingDays = dates(c, "working_days");
        try {
            return new BusinessCalendar(zone, week, holidays, workingDays);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("out_of_range", "field 'calendar': " + e.getMessage());
        }
    }

    private static List<BusinessCalendar.Period> periods(JsonNode v, String field) throws InvalidEventException {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a string like \"09:00-18:00\"");
        }
        List<BusinessCalendar.Period> out = new ArrayList<>();
        if (v.textValue().isBlank()) {
            return out;
        }
        for (String part : v.textValue().split(",")) {
            var m = PERIOD.matcher(part.trim());
            if (!m.matches()) {
                throw new InvalidEventException("wrong_type", "field '" + field + "' is '" + clip(v.textValue())
                        + "', expected periods like \"09:00-12:00,13:00-18:00\"");
            }
            try {
                LocalTime open = LocalTime.parse(m.group(1));
                LocalTime close = m.group(2).equals("24:00") ? LocalTime.MAX : LocalTime.parse(m.group(2));
                out.add(new BusinessCalendar.Period(open, close));
            } catch (DateTimeParseException | IllegalArgumentException e) {
                throw new InvalidEventException("out_of_range", "field '" + field + "' has an impossible period '"
                        + clip(part.trim()) + "'");
            }
        }
        return out;
    }

    private static Set<LocalDate> dates(JsonNode c, String name) throws InvalidEventException {
        JsonNode v = c.get(name);
        Set<LocalDate> out = new LinkedHashSet<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray() || v.size() > MAX_DATES) {
            throw new InvalidEventException("wrong_type", "field 'calendar." + name + "' must be a list of at most "
                    + MAX_DATES + " ISO dates like \"2026-10-01\"");
        }
        for (JsonNode d : v) {
            try {
                out.add(LocalDate.parse(d.asText()));
            } catch (DateTimeParseException e) {
                throw new InvalidEventException("bad_timestamp", "field 'calendar." + name + "' has '"
                        + clip(d.asText()) + "', expected an ISO date like 2026-10-01");
            }
            if (!d.isTextual()) {
                throw new InvalidEventException("wrong_type", "field 'calendar." + name + "' must hold strings");
            }
        }
        return out;
    }

    private static void onlyKnown(JsonNode n, Set<String> known, String prefix) throws InvalidEventException {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new InvalidEventException("unknown_value", "field '" + prefix + clip(f)
                        + "' is not a policy setting; known: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    private static JsonNode object(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be an object");
        }
        return v;
    }

    private static String text(JsonNode n, String field, boolean required) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidEventException("missing_field", "required field '" + field + "' is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a string");
        }
        if (v.textValue().isBlank() || v.textValue().length() > EventParser.MAX_ID_LENGTH) {
            throw new InvalidEventException(v.textValue().isBlank() ? "missing_field" : "too_large",
                    "field '" + field + "' is blank or too long");
        }
        return v.textValue();
    }

    private static long time(JsonNode n, String field) throws InvalidEventException {
        String t = text(n, field, true);
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("bad_timestamp", "field '" + field + "' is '" + clip(t)
                    + "', expected ISO-8601 with offset like 2026-03-03T09:00:00+08:00");
        }
    }

    private static Duration duration(JsonNode v, String field) throws InvalidEventException {
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a duration string like \"48h\"");
        }
        Duration d;
        try {
            d = Durations.parse(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("wrong_type", "field '" + field + "': " + e.getMessage());
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidEventException("out_of_range", "field '" + field + "' must be longer than zero");
        }
        return d;
    }

    /** {@code offline_grace}: zero is allowed (alerts at the due time), and it must stay well below any SLA. */
    private static Duration graceDuration(JsonNode v) throws InvalidEventException {
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type", "field 'offline_grace' must be a duration string like \"30m\"");
        }
        Duration d;
        try {
            d = Durations.parse(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("wrong_type", "field 'offline_grace': " + e.getMessage());
        }
        if (d.isNegative() || d.compareTo(MAX_OFFLINE_GRACE) > 0) {
            throw new InvalidEventException("out_of_range", "field 'offline_grace' must be between 0s and "
                    + Durations.format(MAX_OFFLINE_GRACE));
        }
        return d;
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}

package io.salespulse.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Parses and validates input records against the contract. Every rejection is an
 * {@link InvalidEventException} whose message names the field and says what is wrong, so a person can
 * fix the producer. Unknown extra fields are ignored.
 *
 * <p>Times: {@code occurred_at} must be ISO-8601 with an offset. It is checked against the time the
 * record was received (the Kafka record timestamp), not the wall clock, so that replaying the same
 * records gives the same verdicts.
 */
public final class EventParser implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MAX_RECORD_BYTES = 64 * 1024;
    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_TEXT_LENGTH = 2000;
    /** 2000-01-01T00:00:00Z: nothing in a sales process happened before this. */
    /** A position worse than 10 km is no position: phones report up to a few km from cell towers alone. */
    static final double MAX_ACCURACY_METERS = 10_000;
    private static final long EARLIEST_MILLIS = 946_684_800_000L;

    private static final Set<String> CHANNELS = Set.of("store_scan", "online", "phone", "video");
    private static final Set<String> ACTIONS = Set.of("ack", "resolve");
    private static final Set<String> OUTCOMES = Set.of("won", "lost", "pending");
    private static final Set<String> CASH_KINDS = Set.of(CashEvent.CONTRACT, CashEvent.INVOICE, CashEvent.PAYMENT);
    /** A contract's payment terms when it names none: the usual 30 days from invoice to due date. */
    public static final int DEFAULT_TERMS_DAYS = 30;
    static final int MAX_TERMS_DAYS = 365;
    /** Monthly invoices over ten years; more is a broken export, not a schedule. */
    static final int MAX_SCHEDULE = 120;
    /** How far a schedule's amounts may miss the contract's amount (rounding of installments to the fen). */
    static final double SCHEDULE_TOLERANCE = 0.01;

    private final long maxFutureSkewMillis;

    /** @param maxFutureSkew how far {@code occurred_at} may lie after the record's receive time (device clock skew) */
    public EventParser(Duration maxFutureSkew) {
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    }

    public EventParser() {
        this(Duration.ofHours(1));
    }

    public StageEvent parseStage(byte[] value, long receivedAtMillis) throws InvalidEventException {
        JsonNode n = object(value);
        StageEvent e = new StageEvent();
        e.eventId = id(n, "event_id");
        e.tenant = id(n, "tenant");
        e.occurredAt = time(n, "occurred_at", receivedAtMillis);
        e.customerId = id(n, "customer_id");
        e.repId = id(n, "rep_id");
        e.region = id(n, "region");
        e.team = id(n, "team");
        String stageCode = requiredText(n, "stage", MAX_ID_LENGTH);
        Stage stage = Stage.fromCode(stageCode).orElseThrow(() -> new InvalidEventException("unknown_value",
                "field 'stage' is '" + clip(stageCode) + "', expected one of: " + Stage.codes()));
        e.stage = stage.code();
        e.need = optionalText(n, "need", MAX_TEXT_LENGTH);
        e.proposal = optionalText(n, "proposal", MAX_TEXT_LENGTH);
        e.objectionTag = optionalText(n, "objection_tag", MAX_ID_LENGTH);
        e.scriptId = optionalText(n, "script_id", MAX_ID_LENGTH);
        e.outcome = optionalText(n, "outcome", MAX_ID_LENGTH);
        e.highPotential = optionalBoolean(n, "high_potential");
        e.dealValue = optionalNumber(n, "deal_value");
        if (e.dealValue != null && e.dealValue < 0) {
            throw new InvalidEventException("out_of_range", "field 'deal_value' must not be negative");
        }

        e.importId = importId(n);

        String required = stage.requiredField();
        if (required != null && optionalText(n, required, MAX_TEXT_LENGTH) == null) {
            throw new InvalidEventException("missing_field", "a '" + stage.code() + "' card must carry '"
                    + required + "' (" + stage.label() + "的必填项)");
        }
        if (e.objectionTag != null && ObjectionTag.fromCode(e.objectionTag).isEmpty()) {
            throw new InvalidEventException("unknown_value", "field 'objection_tag' is '" + clip(e.objectionTag)
                    + "', expected one of: " + ObjectionTag.codes());
        }
        if (e.outcome != null && !OUTCOMES.contains(e.outcome)) {
            throw new InvalidEventException("unknown_value",
                    "field 'outcome' is '" + clip(e.outcome) + "', expected one of: won, lost, pending");
        }
        return e;
    }

    public VisitEvent parseVisit(byte[] value, long receivedAtMillis) throws InvalidEventException {
        JsonNode n = object(value);
        VisitEvent v = new VisitEvent();
        v.eventId = id(n, "event_id");
        v.tenant = id(n, "tenant");
        v.occurredAt = time(n, "occurred_at", receivedAtMillis);
        v.repId = id(n, "rep_id");
        v.customerId = id(n, "customer_id");
        v.storeId = optionalText(n, "store_id", MAX_ID_LENGTH);
        v.region = id(n, "region");
        v.team = id(n, "team");
        v.channel = requiredText(n, "channel", MAX_ID_LENGTH);
        if (!CHANNELS.contains(v.channel)) {
            throw new InvalidEventException("unknown_value", "field 'channel' is '" + clip(v.channel)
                    + "', expected one of: store_scan, online, phone, video");
        }
        v.lat = optionalNumber(n, "lat");
        v.lon = optionalNumber(n, "lon");
        if (v.lat != null && (v.lat < -90 || v.lat > 90)) {
            throw new InvalidEventException("out_of_range", "field 'lat' must be between -90 and 90");
        }
        if (v.lon != null && (v.lon < -180 || v.lon > 180)) {
            throw new InvalidEventException("out_of_range", "field 'lon' must be between -180 and 180");
        }
        // One without the other cannot be placed on a map or checked against the outlet.
        if ((v.lat == null) != (v.lon == null)) {
            throw new InvalidEventException("bad_coordinates", "fields 'lat' and 'lon' come together; only '"
                    + (v.lat == null ? "lon" : "lat") + "' is set");
        }
        // 0,0 is in the Gulf of Guinea: a phone that had no fix and sent zeros, not a check-in.
        if (v.lat != null && v.lat == 0 && v.lon == 0) {
            throw new InvalidEventException("bad_coordinates", "'lat' 0 and 'lon' 0 is no position (a phone without a"
                    + " fix); leave both out instead");
        }
        v.accuracy = optionalNumber(n, "accuracy");
        if (v.accuracy != null && v.lat == null) {
            throw new InvalidEventException("bad_coordinates", "field 'accuracy' is set without 'lat' and 'lon'");
        }
        if (v.accuracy != null && (v.accuracy < 0 || v.accuracy > MAX_ACCURACY_METERS)) {
            throw new InvalidEventException("out_of_range", "field 'accuracy' must be between 0 and "
                    + (int) MAX_ACCURACY_METERS + " (metres)");
        }
        v.photo = optionalText(n, "photo", MAX_TEXT_LENGTH);
        v.importId = importId(n);
        return v;
    }

    public AckEvent parseAck(byte[] value, long receivedAtMillis) throws InvalidEventException {
        JsonNode n = object(value);
        AckEvent a = new AckEvent();
        a.eventId = id(n, "event_id");
        a.tenant = id(n, "tenant");
        a.occurredAt = time(n, "occurred_at", receivedAtMillis);
        a.alertId = requiredText(n, "alert_id", 512);
        a.responder = id(n, "responder");
        a.action = requiredText(n, "action", MAX_ID_LENGTH);
        if (!ACTIONS.contains(a.action)) {
            throw new InvalidEventException("unknown_value",
                    "field 'action' is '" + clip(a.action) + "', expected one of: ack, resolve");
        }
        a.importId = importId(n);
        return a;
    }

    /**
     * A {@code sales.cash} record: {@code kind} says which of contract, invoice or payment it is, and which fields it
     * must carry. Amounts are CNY, finite and above 0; an invoice's {@code due_at} may lie in the future (it is not
     * checked against the receive time, only against its own {@code occurred_at}).
     */
    public CashEvent parseCash(byte[] value, long receivedAtMillis) throws InvalidEventException {
        JsonNode n = object(value);
        CashEvent c = new CashEvent();
        c.eventId = id(n, "event_id");
        c.tenant = id(n, "tenant");
        c.occurredAt = time(n, "occurred_at", receivedAtMillis);
        c.kind = requiredText(n, "kind", MAX_ID_LENGTH);
        if (!CASH_KINDS.contains(c.kind)) {
            throw new InvalidEventException("unknown_value", "field 'kind' is '" + clip(c.kind)
                    + "', expected one of: contract, invoice, payment");
        }
        c.contractId = id(n, "contract_id");
        c.customerId = id(n, "customer_id");
        c.repId = id(n, "rep_id");
        c.region = id(n, "region");
        c.team = id(n, "team");
        c.amount = positiveAmount(n, "amount");
        switch (c.kind) {
            case CashEvent.CONTRACT -> {
                c.termsDays = optionalInteger(n, "terms_days", 0, MAX_TERMS_DAYS, DEFAULT_TERMS_DAYS);
                // The signing day as the signer wrote it: the date part of occurred_at, in its own offset.
                String signedOn = n.get("occurred_at").textValue().substring(0, 10);
                c.schedule = schedule(n, c.amount, signedOn);
            }
            case CashEvent.INVOICE -> {
                c.invoiceId = id(n, "invoice_id");
                c.dueAt = time(n, "due_at", -1);
                if (c.dueAt < c.occurredAt) {
                    throw new InvalidEventException("out_of_range", "field 'due_at' (" + n.get("due_at").textValue()
                            + ") is before 'occurred_at' (" + n.get("occurred_at").textValue()
                            + "): an invoice cannot be due before it is issued");
                }
            }
            default -> c.invoiceId = id(n, "invoice_id");
        }
        c.importId = importId(n);
        return c;
    }

    /** A contract's {@code schedule}, or one invoice of the whole amount on {@code signedOn} when it has none. */
    private static CashEvent.Installment[] schedule(JsonNode n, double amount, String signedOn)
            throws InvalidEventException {
        JsonNode s = n.get("schedule");
        if (s == null || s.isNull()) {
            return new CashEvent.Installment[] {new CashEvent.Installment(signedOn, amount)};
        }
        if (!s.isArray()) {
            throw new InvalidEventException("wrong_type", "field 'schedule' must be an array of"
                    + " {\"invoice_on\":\"YYYY-MM-DD\",\"amount\":n}, got " + s.getNodeType().toString().toLowerCase());
        }
        if (s.isEmpty()) {
            throw new InvalidEventException("out_of_range", "field 'schedule' is empty; leave it out for one invoice"
                    + " of the whole amount on the signing day");
        }
        if (s.size() > MAX_SCHEDULE) {
            throw new InvalidEventException("too_large", "field 'schedule' has " + s.size() + " invoices; at most "
                    + MAX_SCHEDULE);
        }
        CashEvent.Installment[] out = new CashEvent.Installment[s.size()];
        double sum = 0;
        for (int i = 0; i < s.size(); i++) {
            JsonNode item = s.get(i);
            String where = "schedule[" + i + "]";
            if (!item.isObject()) {
                throw new InvalidEventException("wrong_type", "field '" + where + "' must be an object"
                        + " {\"invoice_on\":\"YYYY-MM-DD\",\"amount\":n}");
            }
            String on = requiredText(item, "invoice_on", 10);
            try {
                java.time.LocalDate.parse(on);
            } catch (DateTimeParseException e) {
                throw new InvalidEventException("bad_timestamp", "field '" + where + ".invoice_on' is '" + clip(on)
                        + "', expected a date like 2026-02-01");
            }
            double installment;
            try {
                installment = positiveAmount(item, "amount");
            } catch (InvalidEventException e) {
                throw new InvalidEventException(e.code(), e.getMessage().replace("'amount'", "'" + where + ".amount'"));
            }
            out[i] = new CashEvent.Installment(on, installment);
            sum += installment;
        }
        if (Math.abs(sum - amount) > SCHEDULE_TOLERANCE) {
            throw new InvalidEventException("out_of_range", String.format(java.util.Locale.ROOT,
                    "the amounts of field 'schedule' sum to %.2f, but 'amount' is %.2f", sum, amount));
        }
        return out;
    }

    /** A required amount: a finite number above 0. */
    private static double positiveAmount(JsonNode n, String field) throws InvalidEventException {
        Double v = optionalNumber(n, field);
        if (v == null) {
            throw new InvalidEventException("missing_field", "required field '" + field + "' is missing");
        }
        if (v <= 0) {
            throw new InvalidEventException("out_of_range", "field '" + field + "' must be above 0, got " + v);
        }
        return v;
    }

    private static int optionalInteger(JsonNode n, String field, int min, int max, int defaultValue)
            throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a whole number, got "
                    + clip(v.toString()));
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            throw new InvalidEventException("out_of_range", "field '" + field + "' must be between " + min + " and "
                    + max + ", got " + clip(v.toString()));
        }
        return (int) d;
    }

    /** Decodes strictly: invalid UTF-8 is an error, not a silent replacement character. */
    public static String utf8(byte[] value) throws InvalidEventException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidEventException("invalid_utf8", "the record is not valid UTF-8 text");
        }
    }

    private static JsonNode object(byte[] value) throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException("empty", "the record has no value (empty or tombstone)");
        }
        if (value.length > MAX_RECORD_BYTES) {
            throw new InvalidEventException("too_large",
                    "the record is " + value.length + " bytes; at most " + MAX_RECORD_BYTES + " are accepted");
        }
        JsonNode n = fastObject(value);
        if (n != null) {
            return n;
        }
        String text = utf8(value);
        try {
            n = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not_json", "the record is not valid JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new InvalidEventException("not_object", "the record must be a JSON object, got "
                    + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase()));
        }
        return n;
    }

    /**
     * The common case without the detour through a String (decoding, then parsing chars; a tenth of the job's
     * CPU in the throughput profile): a well-formed UTF-8 record that starts like a JSON object is parsed from
     * its bytes. Anything else returns null and takes the strict path above, which produces every verdict and
     * message, so results are identical. The '{' check keeps Jackson's byte-order-mark and UTF-16/32
     * detection, which the String path does not have, out of play.
     */
    private static JsonNode fastObject(byte[] value) {
        if (value.length < 2 || value[0] != '{' || value[1] == 0 || !wellFormedUtf8(value)) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(value);
            return n != null && n.isObject() ? n : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Exactly the byte sequences the strict decoder of {@link #utf8} accepts (Unicode's well-formed UTF-8 table). */
    public static boolean wellFormedUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) {
                    lo = 0xA0; // no overlong forms
                } else if (c == 0xED) {
                    hi = 0x9F; // no surrogates
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F; // nothing above U+10FFFF
                }
            } else {
                return false;
            }
            if (i + need >= n) {
                return false; // truncated sequence
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                int next = b[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }

    /**
     * {@code import_id}: set by importers on every record of a history import (see {@code sales.imports}); the jobs
     * hold what the import could still change until it is complete. Absent on live records.
     */
    private static String importId(JsonNode n) throws InvalidEventException {
        String v = optionalText(n, "import_id", MAX_ID_LENGTH);
        if (v != null && !ImportSession.validId(v)) {
            throw new InvalidEventException("wrong_type", "field 'import_id' is '" + clip(v)
                    + "', expected letters, digits, '-', '_' or '.' (at most " + MAX_ID_LENGTH + ")");
        }
        return v;
    }

    private static String id(JsonNode n, String field) throws InvalidEventException {
        String v = requiredText(n, field, MAX_ID_LENGTH);
        if (v.isBlank()) {
            throw new InvalidEventException("missing_field", "field '" + field + "' is blank");
        }
        return v;
    }

    private static String requiredText(JsonNode n, String field, int maxLength) throws InvalidEventException {
        String v = optionalText(n, field, maxLength);
        if (v == null) {
            throw new InvalidEventException("missing_field", "required field '" + field + "' is missing");
        }
        return v;
    }

    private static String optionalText(JsonNode n, String field, int maxLength) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException("wrong_type",
                    "field '" + field + "' must be a string, got " + v.getNodeType().toString().toLowerCase());
        }
        String s = v.textValue();
        if (s.length() > maxLength) {
            throw new InvalidEventException("too_large",
                    "field '" + field + "' is " + s.length() + " characters long; at most " + maxLength);
        }
        return s;
    }

    private static boolean optionalBoolean(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be true or false, got "
                    + clip(v.toString()));
        }
        return v.booleanValue();
    }

    private static Double optionalNumber(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InvalidEventException("wrong_type", "field '" + field + "' must be a number, got "
                    + clip(v.toString()));
        }
        double d = v.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidEventException("out_of_range", "field '" + field + "' is not a finite number");
        }
        return d;
    }

    private long time(JsonNode n, String field, long receivedAtMillis) throws InvalidEventException {
        String text = requiredText(n, field, 64);
        long millis = fastEpochMillis(text);
        try {
            if (millis == Long.MIN_VALUE) {
                millis = OffsetDateTime.parse(text).toInstant().toEpochMilli();
            }
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("bad_timestamp", "field '" + field + "' is '" + clip(text)
                    + "', expected ISO-8601 with offset like 2026-01-12T09:30:00+08:00");
        }
        if (millis < EARLIEST_MILLIS) {
            throw new InvalidEventException("bad_timestamp", "field '" + field + "' is " + text
                    + ", before the year 2000: check the device clock");
        }
        if (receivedAtMillis >= 0 && millis > receivedAtMillis + maxFutureSkewMillis) {
            throw new InvalidEventException("bad_timestamp", "field '" + field + "' is " + text
                    + ", later than the record was received (" + java.time.Instant.ofEpochMilli(receivedAtMillis)
                    + ") by more than " + Durations.format(Duration.ofMillis(maxFutureSkewMillis))
                    + ": the device clock is ahead");
        }
        return millis;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:MM|-HH:MM)}, the form every producer sends, without
     * {@code OffsetDateTime.parse} (a formatter run per record, the parser's largest cost after JSON). Returns
     * {@link Long#MIN_VALUE} for anything else, including invalid dates, so the formatter decides those: the
     * accepted values and the verdicts stay exactly the formatter's.
     */
    public static long fastEpochMillis(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        long nanos = 0;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                nanos = nanos * 10 + (t.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return Long.MIN_VALUE;
            }
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int oh = digits(t, i + 1, 2);
            int om = digits(t, i + 4, 2);
            if (oh < 0 || om < 0 || oh > 17 || om > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return Long.MIN_VALUE;
        }
        long epochDay;
        try {
            epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        } catch (java.time.DateTimeException invalidDate) {
            return Long.MIN_VALUE;
        }
        long seconds = epochDay * 86_400L + hour * 3_600L + minute * 60L + second - offsetSeconds;
        return seconds * 1_000L + nanos / 1_000_000L;
    }

    /** The non-negative number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int k = from; k < from + count; k++) {
            char c = t.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }
}

package io.salespulse.producers.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One problem with one event of a request, as the client gets it back:
 * {@code {"index":0,"field":"occurred_at","code":"bad_timestamp","message":"..."}}.
 *
 * @param index position in the batch (0 for a single event); -1 when the body as a whole is wrong
 * @param field the offending field, or null when the problem is the whole event (not JSON, too large)
 * @param code the contract parser's stable code ({@code missing_field}, {@code bad_timestamp}, ...) or a
 *     gateway code ({@code tenant_mismatch})
 */
public record FieldError(int index, String field, String code, String message) {
    /** "a 'objection' card must carry 'objection_tag' (...)": the field is the carried one. */
    private static final Pattern MUST_CARRY = Pattern.compile("must carry '([^']+)'");
    /** "field 'occurred_at' is ...", "required field 'customer_id' is missing". */
    private static final Pattern FIELD = Pattern.compile("field '([^']+)'");

    /**
     * The contract parser is the one source of truth for validity; its messages name the field in a fixed
     * form, which is where the field of the error comes from.
     */
    static FieldError of(int index, InvalidEventException e) {
        String message = e.getMessage();
        Matcher carry = MUST_CARRY.matcher(message);
        String field = null;
        if (carry.find()) {
            field = carry.group(1);
        } else {
            Matcher f = FIELD.matcher(message);
            if (f.find()) {
                field = f.group(1);
            }
        }
        return new FieldError(index, field, e.code(), message);
    }

    /** The error body of a request whose body as a whole is wrong (index -1, no field). */
    static byte[] body(String code, String message) {
        return body(List.of(new FieldError(-1, null, code, message)), 0);
    }

    /**
     * Every error answer of the gateway: {@code {"errors":[{"index","field","code","message"}...]}}, plus
     * {@code "events"} and {@code "accepted":0} when {@code events > 0} (a refused batch of that many events).
     */
    static byte[] body(List<FieldError> errors, int events) {
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
}

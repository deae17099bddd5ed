package io.salespulse.producers.places;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.producers.importer.ImportFailure;
import io.salespulse.producers.importer.ImportFormat;
import io.salespulse.producers.importer.SourceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a tenant's outlets from a CSV or JSON Lines file (docs/places.md) and checks every line: required fields,
 * kind, coordinates in range and together, no id twice. Nothing is written here; the caller stores the accepted
 * outlets and records the rejected lines as dead letters.
 */
public final class OutletFile {
    static final int MAX_ID_LENGTH = 128;
    static final int MAX_NAME_LENGTH = 200;
    private static final Set<String> KINDS = Set.of(Outlet.CUSTOMER, Outlet.COMPETITOR);

    private OutletFile() {}

    /** A line that was not accepted, with a reason a person can act on. */
    public record Reject(long line, String raw, String outletId, String code, String message) {}

    /** Where an accepted outlet stands in the file. */
    public record Line(long number, String raw) {}

    /** What a file amounts to: the outlets to store (with their lines), and the lines left out. */
    public record Result(Path file, List<Outlet> accepted, Map<Outlet, Line> lines, List<Reject> rejected) {}

    /** The file's outlets for {@code tenant}: a line of another tenant is rejected, a missing tenant is filled in. */
    public static Result read(Path file, String tenant) throws IOException, ImportFailure {
        ImportFormat format = ImportFormat.ofFile(file).orElseThrow(() -> new ImportFailure(file
                + ": give a .csv or .jsonl file (the format is read from the name)"));
        List<Outlet> accepted = new ArrayList<>();
        Map<Outlet, Line> lines = new HashMap<>();
        List<Reject> rejected = new ArrayList<>();
        Map<String, Long> firstLine = new HashMap<>();
        for (SourceRecord r : format.readAll(file)) {
            if (!r.readable()) {
                rejected.add(new Reject(r.line(), r.raw(), null, r.errorCode(), r.errorMessage()));
                continue;
            }
            String id = r.fields().path("outlet_id").asText(null);
            try {
                Outlet o = check(r.fields(), tenant);
                Long earlier = firstLine.putIfAbsent(o.kind() + "/" + o.outletId(), r.line());
                if (earlier != null) {
                    throw new Invalid("duplicate_id", o.kind() + " outlet '" + o.outletId() + "' is already on line "
                            + earlier + "; each outlet once per file");
                }
                accepted.add(o);
                lines.put(o, new Line(r.line(), r.raw()));
            } catch (Invalid e) {
                rejected.add(new Reject(r.line(), r.raw(), id, e.code, e.getMessage()));
            }
        }
        return new Result(file, accepted, lines, rejected);
    }

    /** One record's outlet, or why not. */
    static Outlet check(JsonNode n, String tenant) throws Invalid {
        String recordTenant = optionalText(n, "tenant", MAX_ID_LENGTH);
        if (recordTenant != null && !recordTenant.equals(tenant)) {
            throw new Invalid("tenant_mismatch", "the line is of tenant '" + recordTenant + "', the import of '" + tenant
                    + "'");
        }
        String kind = requiredText(n, "kind", MAX_ID_LENGTH);
        if (!KINDS.contains(kind)) {
            throw new Invalid("unknown_value", "field 'kind' is '" + kind + "', expected customer or competitor");
        }
        String id = requiredText(n, "outlet_id", MAX_ID_LENGTH);
        String name = optionalText(n, "name", MAX_NAME_LENGTH);
        String region = optionalText(n, "region", MAX_ID_LENGTH);
        String brand = optionalText(n, "brand", MAX_NAME_LENGTH);
        Double lat = number(n, "lat");
        Double lon = number(n, "lon");
        if (lat == null || lon == null) {
            throw new Invalid("bad_coordinates", "an outlet needs both 'lat' and 'lon'; "
                    + (lat == null && lon == null ? "both are missing" : "'" + (lat == null ? "lat" : "lon") + "' is missing"));
        }
        if (lat < -90 || lat > 90) {
            throw new Invalid("out_of_range", "field 'lat' must be between -90 and 90, got " + lat);
        }
        if (lon < -180 || lon > 180) {
            throw new Invalid("out_of_range", "field 'lon' must be between -180 and 180, got " + lon);
        }
        if (lat == 0 && lon == 0) {
            throw new Invalid("bad_coordinates", "'lat' 0 and 'lon' 0 is no position (a geocoder that found nothing)");
        }
        return new Outlet(tenant, kind, id, name == null ? "" : name, region == null ? "" : region, lat, lon,
                brand == null ? "" : brand);
    }

    private static String requiredText(JsonNode n, String field, int maxLength) throws Invalid {
        String s = optionalText(n, field, maxLength);
        if (s == null) {
            throw new Invalid("missing_field", "required field '" + field + "' is missing");
        }
        return s;
    }

    private static String optionalText(JsonNode n, String field, int maxLength) throws Invalid {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            throw new Invalid("wrong_type", "field '" + field + "' must be text");
        }
        String s = v.asText().strip();
        if (s.length() > maxLength) {
            throw new Invalid("too_large", "field '" + field + "' is " + s.length() + " characters long; at most "
                    + maxLength);
        }
        return s.isEmpty() ? null : s;
    }

    private static Double number(JsonNode n, String field) throws Invalid {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new Invalid("wrong_type", "field '" + field + "' must be a number in degrees, got " + v);
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            throw new Invalid("out_of_range", "field '" + field + "' is not a finite number");
        }
        return d;
    }

    /** Why a line is not an outlet. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Invalid(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}

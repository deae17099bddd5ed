package io.salespulse.producers.importer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * What an import did (or, for a dry run, would do), as printed at its end.
 *
 * @param outcome complete, a dry run, or nothing valid to send
 * @param rejected records not sent, by code: the importer's verdicts and the gateway's refusals
 * @param toSend valid records by kind, duplicates not counted
 * @param accepted records the gateway stored, by kind (all zero in a dry run)
 * @param first the earliest occurred_at of the valid records, null when there are none
 * @param elapsed from the start of reading to the end (of sending, unless nothing was sent)
 * @param checking the part of it spent reading, checking and ordering the records, before the first was sent
 */
public record ImportSummary(String importId, String tenant, Outcome outcome, List<Path> files, long read, long valid,
        SortedMap<String, Long> rejected, List<Path> rejectFiles, long duplicates, Map<ImportKind, Long> toSend,
        Map<ImportKind, Long> accepted, Instant first, Instant last, Duration elapsed, Duration checking) {

    /** How the import ended. */
    public enum Outcome { COMPLETE, DRY_RUN, NOTHING_VALID }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    public long accepted(ImportKind kind) {
        return accepted.getOrDefault(kind, 0L);
    }

    public long acceptedTotal() {
        return accepted.values().stream().mapToLong(Long::longValue).sum();
    }

    public List<String> lines() {
        List<String> l = new ArrayList<>();
        boolean dryRun = outcome == Outcome.DRY_RUN;
        l.add(switch (outcome) {
            case COMPLETE -> "Import " + importId + " for tenant " + tenant + ": complete.";
            case DRY_RUN -> "Dry run of import " + importId + " for tenant " + tenant + ": nothing was sent.";
            case NOTHING_VALID -> "Import " + importId + " for tenant " + tenant + ": no record is valid, nothing was sent.";
        });
        l.add("  files:        " + files.stream().map(Path::toString).collect(Collectors.joining(", ")));
        l.add("  records:      " + read + " read, " + valid + " valid, " + rejectedTotal() + " rejected, " + duplicates
                + " duplicate" + (duplicates == 1 ? "" : "s") + " (same event_id, sent once)");
        if (!rejected.isEmpty()) {
            l.add("  rejected:     " + rejected.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")) + "; the lines are in "
                    + rejectFiles.stream().map(Path::toString).collect(Collectors.joining(", ")));
        }
        if (outcome != Outcome.NOTHING_VALID) {
            l.add((dryRun ? "  would send:   " : "  accepted:     ") + perKind(dryRun ? toSend : accepted));
        }
        if (first != null) {
            l.add("  occurred_at:  " + first + " .. " + last);
        }
        double seconds = Math.max(1e-3, elapsed.toNanos() / 1e9);
        l.add(String.format("  elapsed:      %.1f s, %.0f events/s (reading and checking %.1f s)", seconds,
                (dryRun ? valid : acceptedTotal()) / seconds, checking.toNanos() / 1e9));
        if (outcome == Outcome.NOTHING_VALID) {
            return l;
        }
        if (!rejected.isEmpty()) {
            l.add(rejectedTotal() + " record(s) were rejected and not sent. Fix them in the input and run the import "
                    + "again: records already imported get the same event ids and count once.");
        }
        l.add("The jobs decide the imported customers' alerts, the tenant's conversion rows and digests once the import "
                + "is complete; alerts about the past are stored with origin=history and not posted to WeCom.");
        return l;
    }

    private static String perKind(Map<ImportKind, Long> counts) {
        List<String> parts = new ArrayList<>();
        for (ImportKind k : ImportKind.values()) {
            // Lead to cash only when the import has some: most imports are the field's history.
            if (!k.isCash() || counts.getOrDefault(k, 0L) > 0) {
                parts.add(counts.getOrDefault(k, 0L) + " " + k.plural());
            }
        }
        return String.join(", ", parts);
    }
}

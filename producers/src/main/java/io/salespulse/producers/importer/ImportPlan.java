package io.salespulse.producers.importer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The import as read and checked, before anything is sent: the valid records in occurred_at order (file order
 * among equal times), the rejects, and the counts.
 */
public final class ImportPlan {
    private final String importId;
    private final String tenant;
    private final List<Path> files;
    private final long read;
    private final List<ImportRecord> records;
    private final List<Reject> rejects;
    private final long duplicates;
    private final long startedNanos;

    ImportPlan(String importId, String tenant, List<Path> files, long read, List<ImportRecord> records,
            List<Reject> rejects, long duplicates, long startedNanos) {
        this.importId = importId;
        this.tenant = tenant;
        this.files = List.copyOf(files);
        this.read = read;
        this.records = List.copyOf(records);
        this.rejects = List.copyOf(rejects);
        this.duplicates = duplicates;
        this.startedNanos = startedNanos;
    }

    public String importId() {
        return importId;
    }

    /** Valid records, each event_id once. */
    public int valid() {
        return records.size();
    }

    List<ImportRecord> records() {
        return records;
    }

    /** The summary of the plan alone: a dry run's, or one with nothing valid to send. */
    public ImportSummary unsentSummary() {
        return summary(records.isEmpty() ? ImportSummary.Outcome.NOTHING_VALID : ImportSummary.Outcome.DRY_RUN,
                List.of(), Map.of());
    }

    /** The summary after sending, with what the gateway accepted and refused. */
    ImportSummary summary(ImportSummary.Outcome outcome, List<Reject> refusedByGateway, Map<ImportKind, Long> accepted) {
        TreeMap<String, Long> byCode = new TreeMap<>();
        Set<Path> rejectFiles = new LinkedHashSet<>();
        List<Reject> all = new ArrayList<>(rejects);
        all.addAll(refusedByGateway);
        for (Reject r : all) {
            byCode.merge(r.code(), 1L, Long::sum);
            rejectFiles.add(RejectsFile.of(r.file()));
        }
        Map<ImportKind, Long> toSend = new EnumMap<>(ImportKind.class);
        records.forEach(r -> toSend.merge(r.kind(), 1L, Long::sum));
        Instant first = records.isEmpty() ? null : Instant.ofEpochMilli(records.get(0).occurredAt());
        Instant last = records.isEmpty() ? null : Instant.ofEpochMilli(records.get(records.size() - 1).occurredAt());
        return new ImportSummary(importId, tenant, outcome, files, read, records.size(), byCode,
                List.copyOf(rejectFiles), duplicates, toSend, accepted, first, last,
                Duration.ofNanos(System.nanoTime() - startedNanos));
    }
}

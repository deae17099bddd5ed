package io.salespulse.producers.importer;

import io.salespulse.producers.importer.SpillKeys.ByTime;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The import as read and checked, before anything is sent: the counts, and the valid records waiting in the import's
 * temporary directory to be sent in occurred_at order (file order among equal times). Closing the plan removes the
 * temporary directory.
 */
public final class ImportPlan implements Closeable {
    private final String importId;
    private final String tenant;
    private final List<Path> files;
    private final Counts counts;
    private final ImportSpill spill;
    private final SortedRuns<ByTime> sendOrder;
    private final long startedNanos;
    private final Duration checking;

    ImportPlan(String importId, String tenant, List<Path> files, Counts counts, ImportSpill spill,
            SortedRuns<ByTime> sendOrder, long startedNanos) {
        this.importId = importId;
        this.tenant = tenant;
        this.files = List.copyOf(files);
        this.counts = counts;
        this.spill = spill;
        this.sendOrder = sendOrder;
        this.startedNanos = startedNanos;
        this.checking = Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    public String importId() {
        return importId;
    }

    /** Valid records, each event_id once. */
    public long valid() {
        return counts.valid;
    }

    /** The valid records in send order, read back from the temporary directory. */
    Records records() throws IOException {
        return new Records(sendOrder.sorted());
    }

    /** The summary of the plan alone: a dry run's, or one with nothing valid to send. */
    public ImportSummary unsentSummary() {
        return summary(counts.valid == 0 ? ImportSummary.Outcome.NOTHING_VALID : ImportSummary.Outcome.DRY_RUN,
                new Counts(), Map.of());
    }

    /** The summary after sending, with what the gateway accepted and refused. */
    ImportSummary summary(ImportSummary.Outcome outcome, Counts refusedByGateway, Map<ImportKind, Long> accepted) {
        TreeMap<String, Long> byCode = new TreeMap<>(counts.rejectedByCode);
        refusedByGateway.rejectedByCode.forEach((code, n) -> byCode.merge(code, n, Long::sum));
        Set<Path> rejectFiles = new LinkedHashSet<>(counts.rejectFiles);
        rejectFiles.addAll(refusedByGateway.rejectFiles);
        Instant first = counts.valid == 0 ? null : Instant.ofEpochMilli(counts.first);
        Instant last = counts.valid == 0 ? null : Instant.ofEpochMilli(counts.last);
        return new ImportSummary(importId, tenant, outcome, files, counts.read, counts.valid, byCode,
                List.copyOf(rejectFiles), counts.duplicates, Map.copyOf(counts.toSend), accepted, first, last,
                Duration.ofNanos(System.nanoTime() - startedNanos), checking);
    }

    /** Removes the import's temporary directory. */
    @Override
    public void close() throws IOException {
        try (spill) {
            sendOrder.close();
        }
    }

    /** Records in send order; {@link #next} returns null after the last. */
    final class Records implements Closeable {
        private final SortedRuns.Cursor<ByTime> keys;

        private Records(SortedRuns.Cursor<ByTime> keys) {
            this.keys = keys;
        }

        ImportRecord next() throws IOException {
            ByTime k = keys.next();
            return k == null ? null : spill.read(k.position());
        }

        @Override
        public void close() throws IOException {
            keys.close();
        }
    }

    /** What reading found, and what the gateway refused: counts only, the records themselves are in files. */
    static final class Counts {
        long read;
        long valid;
        long duplicates;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        final Map<ImportKind, Long> toSend = new EnumMap<>(ImportKind.class);
        final TreeMap<String, Long> rejectedByCode = new TreeMap<>();
        final Set<Path> rejectFiles = new LinkedHashSet<>();

        void valid(ImportKind kind, long occurredAt) {
            valid++;
            toSend.merge(kind, 1L, Long::sum);
            first = Math.min(first, occurredAt);
            last = Math.max(last, occurredAt);
        }

        void rejected(String code, Path file) {
            rejectedByCode.merge(code, 1L, Long::sum);
            rejectFiles.add(RejectsFile.of(file));
        }
    }
}

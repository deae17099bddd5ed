package io.salespulse.producers.importer;

import io.salespulse.contract.EventParser;
import io.salespulse.contract.ImportSession;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.gateway.GatewayPoster.GatewayException;
import io.salespulse.producers.gateway.ImportIds;
import io.salespulse.producers.importer.SpillKeys.ByEventId;
import io.salespulse.producers.importer.SpillKeys.ByTime;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's history (stage cards, visits, acks exported from spreadsheets or a CRM) into SalesPulse as one import
 * session, so that the jobs treat it as the past instead of as live records.
 *
 * <p>{@link #read} reads every file and checks every record with the contract's parser before anything is sent;
 * rejects go to {@code <FILE>.rejected.jsonl}. {@link #send} opens the session on the gateway, posts the valid
 * records in occurred_at order in batches per endpoint (every one carrying the session's {@code import_id}), renews
 * the session while it sends, and completes it with the counts the gateway accepted. When the gateway cannot be
 * reached for long the import stops without completing; the session then runs out and counts as abandoned, and
 * the same command can be run again (the same records get the same event ids).
 */
public final class HistoryImporter {

    /**
     * @param importId the session's id; null = a new one
     * @param format null = from each file's name
     * @param kind the kind of records without a {@code kind} field; null = inferred per record
     */
    public record Options(String tenant, String importId, String description, ImportFormat format, ImportKind kind,
            int batch) {
        public Options {
            if (tenant == null || tenant.isBlank()) {
                throw new IllegalArgumentException("--tenant is required");
            }
            if (importId != null && !ImportSession.validId(importId)) {
                throw new IllegalArgumentException("--import-id '" + importId + "' is not an import id: 1 to 128 "
                        + "letters, digits, '-', '_' or '.', starting with a letter or digit");
            }
            if (batch < 1 || batch > 10_000) {
                throw new IllegalArgumentException("--batch must be between 1 and 10000, got " + batch);
            }
        }
    }

    /** Sort keys held in memory before a run is written to disk, per sort; two sorts overlap while reading. */
    static final long SORT_MEMORY_BYTES = 32L << 20;

    private final Options options;
    private final Path tempDir;
    private final long sortMemoryBytes;

    public HistoryImporter(Options options) {
        this(options, Path.of(System.getProperty("java.io.tmpdir")), SORT_MEMORY_BYTES);
    }

    /**
     * @param tempDir where the import's temporary directory is created
     * @param sortMemoryBytes keys per sort held in memory before they go to disk
     */
    HistoryImporter(Options options, Path tempDir, long sortMemoryBytes) {
        this.options = options;
        this.tempDir = tempDir;
        this.sortMemoryBytes = sortMemoryBytes;
    }

    /**
     * Reads and checks every record; writes (or removes) each file's rejects file. Sends nothing. The valid records
     * wait in a temporary directory until the plan is closed, so close it (also after a dry run).
     *
     * <p>Memory does not grow with the files: each valid record goes to the spill file as it will be sent, and only
     * a small key per record is sorted, in memory up to {@link #SORT_MEMORY_BYTES} and on disk beyond. First by
     * event_id, to send each id once (the first copy in the files); then the survivors by occurred_at, the send
     * order. Sorting by id finds every duplicate exactly, where a set of hashes would need memory per record.
     */
    public ImportPlan read(List<Path> files) throws IOException, ImportFailure {
        long started = System.nanoTime();
        String importId = options.importId() != null ? options.importId() : ImportIds.newId(Instant.now());
        ImportSpill spill = ImportSpill.create(tempDir, files);
        try {
            return read(files, importId, spill, started);
        } catch (Throwable e) {
            try {
                spill.close();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private ImportPlan read(List<Path> files, String importId, ImportSpill spill, long started)
            throws IOException, ImportFailure {
        ImportRecords check = new ImportRecords(options.tenant(), options.kind(), importId, new EventParser(),
                System.currentTimeMillis());
        ImportPlan.Counts counts = new ImportPlan.Counts();
        SortedRuns<ByEventId> byId = spill.sortedRuns("by-event-id", ByEventId.CODEC, ByEventId.ORDER,
                sortMemoryBytes);
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ImportFailure("cannot read " + file + ": no readable file there");
            }
            ImportFormat format = options.format() != null ? options.format() : ImportFormat.ofFile(file).orElseThrow(
                    () -> new ImportFailure("cannot tell the format of " + file + " from its name (.jsonl, .ndjson, "
                            + ".json or .csv); say it with --format jsonl or --format csv"));
            int input = i;
            try (RejectsFile.Writer rejects = RejectsFile.writer(file)) {
                format.reader().read(file, source -> {
                    counts.read++;
                    try {
                        ImportRecord r = check.prepare(file, source);
                        byId.add(new ByEventId(r.eventId(), spill.append(input, r), r.occurredAt(), r.kind()));
                    } catch (ImportRecords.Rejected e) {
                        rejects.add(new Reject(file, source.line(), e.code(), e.getMessage(), source.raw()));
                        counts.rejected(e.code(), file);
                    }
                });
            } catch (CharacterCodingException e) {
                throw new ImportFailure(file + " is not UTF-8 text (" + e.getMessage() + "); save it as UTF-8", e);
            } catch (HistoryReader.LineTooLong e) {
                throw new ImportFailure(file + ": " + e.getMessage() + ", more than any record can hold (JSON Lines "
                        + "has one object per line: a JSON array or pretty-printed JSON is not JSON Lines)", e);
            }
        }
        spill.finishWriting();
        SortedRuns<ByTime> byTime = spill.sortedRuns("by-time", ByTime.CODEC, ByTime.ORDER, sortMemoryBytes);
        try (byId; SortedRuns.Cursor<ByEventId> ids = byId.sorted()) {
            String previous = null;
            for (ByEventId k = ids.next(); k != null; k = ids.next()) {
                if (k.eventId().equals(previous)) {
                    counts.duplicates++;
                } else {
                    byTime.add(new ByTime(k.occurredAt(), k.position()));
                    counts.valid(k.kind(), k.occurredAt());
                    previous = k.eventId();
                }
            }
        }
        return new ImportPlan(importId, options.tenant(), files, counts, spill, byTime, started);
    }

    /**
     * Opens the session, sends every valid record of the plan, completes the session.
     *
     * @throws ImportFailure when the session cannot be opened or completed, or sending stopped (the message says
     *     how many records were accepted and how to finish the import)
     */
    public ImportSummary send(ImportPlan plan, GatewayPoster gateway, ImportProgress progress)
            throws ImportFailure, IOException, InterruptedException {
        if (plan.valid() == 0) {
            throw new ImportFailure("no valid record to import: nothing was sent");
        }
        Sending sending = new Sending(plan, gateway, progress);
        GatewaySession session;
        try {
            session = GatewaySession.open(gateway, plan.importId(), options.description());
        } catch (GatewayException e) {
            throw new ImportFailure("could not open import " + plan.importId() + ": " + e.getMessage()
                    + "; nothing was sent", e);
        }
        try (session) {
            session.renewInBackground();
            sending.sendAll(session);
            session.complete(sending.accepted(ImportKind.CARD), sending.accepted(ImportKind.VISIT),
                    sending.accepted(ImportKind.ACK));
        } catch (GatewayException | ImportFailure e) {
            throw new ImportFailure("import " + plan.importId() + " is not complete: " + e.getMessage() + ". "
                    + sending.sent + " of " + plan.valid() + " records were sent. The session counts as abandoned "
                    + "once it runs out; to finish the import run the same command again with --import-id "
                    + plan.importId() + " (the same records get the same event ids)", e);
        }
        return plan.summary(ImportSummary.Outcome.COMPLETE, sending.refused, sending.accepted);
    }

    /** The state of one send: batches per kind, what the gateway accepted and refused. */
    private final class Sending {
        private final ImportPlan plan;
        private final GatewayPoster gateway;
        private final ImportProgress progress;
        private final Map<ImportKind, List<ImportRecord>> pending = new EnumMap<>(ImportKind.class);
        private final Map<ImportKind, Long> accepted = new EnumMap<>(ImportKind.class);
        private final ImportPlan.Counts refused = new ImportPlan.Counts();
        private long sent;

        Sending(ImportPlan plan, GatewayPoster gateway, ImportProgress progress) {
            this.plan = plan;
            this.gateway = gateway;
            this.progress = progress;
        }

        long accepted(ImportKind kind) {
            return accepted.getOrDefault(kind, 0L);
        }

        /** In occurred_at order: a kind's batch goes when it is full; the rest last, earliest first. */
        void sendAll(GatewaySession session) throws ImportFailure, IOException, InterruptedException {
            try (ImportPlan.Records records = plan.records()) {
                for (ImportRecord r = records.next(); r != null; r = records.next()) {
                    List<ImportRecord> batch = pending.computeIfAbsent(r.kind(), k -> new ArrayList<>());
                    batch.add(r);
                    if (batch.size() >= options.batch()) {
                        post(session, r.kind(), batch);
                    }
                }
            }
            List<ImportKind> rest = new ArrayList<>(pending.keySet());
            rest.removeIf(k -> pending.get(k).isEmpty());
            rest.sort(Comparator.comparingLong(k -> pending.get(k).get(0).occurredAt()));
            for (ImportKind k : rest) {
                post(session, k, pending.get(k));
            }
        }

        /** Posts one batch; the events the gateway refuses go to their file's rejects file right away. */
        private void post(GatewaySession session, ImportKind kind, List<ImportRecord> batch)
                throws ImportFailure, IOException, InterruptedException {
            session.checkOpen();
            GatewayPoster.BatchResult result = gateway.postEvents(kind.path(),
                    batch.stream().map(ImportRecord::json).toList());
            accepted.merge(kind, result.accepted(), Long::sum);
            Map<Path, List<Reject>> byFile = new LinkedHashMap<>();
            for (GatewayPoster.Refusal f : result.refused()) {
                ImportRecord r = batch.get(f.index());
                byFile.computeIfAbsent(r.file(), k -> new ArrayList<>()).add(new Reject(r.file(), r.line(), f.code(),
                        "refused by the gateway: " + f.message(), new String(r.json(), StandardCharsets.UTF_8)));
                refused.rejected(f.code(), r.file());
            }
            for (Map.Entry<Path, List<Reject>> e : byFile.entrySet()) {
                RejectsFile.append(e.getKey(), e.getValue());
            }
            sent += batch.size();
            batch.clear();
            progress.sent(sent, plan.valid());
        }
    }
}

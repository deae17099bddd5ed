package io.salespulse.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * 6. Import: a tenant's year (the simulator's history file of {@code reps} reps over {@code weeks} weeks) imported
 * with {@code salespulse import} in a JVM with the CLI's default heap, through the ingest gateway (in this JVM, with
 * a token), into the production monitor job. Timed from starting the importer to every row in ClickHouse, and from
 * the import's completion to its last alert there; its alerts compared with the simulator's ground truth of importing
 * the file. Judged against a same-run baseline: the same records written straight into Kafka by the plain producer
 * the other sections load with, to rows in ClickHouse.
 *
 * <p>The history ends 30 days before the run, later than every SLA, so every gap of the history is due by the time
 * the import completes and its alert comes at the completion, with {@code origin=history}.
 */
final class HistoryImport {
    static final String PHASE = "import";
    static final String DIRECT_PHASE = "import-direct";
    private static final String TENANT = "bench-import";
    private static final String IMPORT_ID = "bench-import-1";
    /** bin/salespulse's default heap: what the importer has on a user's machine. */
    private static final String IMPORTER_HEAP = "-Xmx1g";
    private static final String CLI = "io.salespulse.cli.SalesPulse";
    private static final Duration TIMEOUT = Duration.ofMinutes(60);
    /** When the alert count has not moved for this long after the import, the missing alerts are not coming. */
    private static final Duration ALERTS_SETTLED = Duration.ofSeconds(30);

    private final BenchStack stack;
    private final int reps;
    private final int weeks;
    private final String simulatorHeap;
    private final Results results;

    /** @param simulatorHeap the simulator's JVM heap: it holds the whole history in memory */
    HistoryImport(BenchStack stack, int reps, int weeks, String simulatorHeap, Results results) {
        this.stack = stack;
        this.reps = reps;
        this.weeks = weeks;
        this.simulatorHeap = simulatorHeap;
        this.results = results;
    }

    void run() throws Exception {
        Path dir = stack.dir.resolve("import");
        Files.createDirectories(dir);
        Path file = dir.resolve("history.jsonl");
        Path truthFile = dir.resolve("ground-truth.json");
        long t = System.nanoTime();
        simulate(file, truthFile, dir);
        Truth truth = Truth.read(truthFile);
        Bench.log("import: %,d records (%,d MB) of %d reps x %d weeks written in %.0f s; %,d stage_overdue alerts "
                + "expected", truth.records(), Files.size(file) >> 20, reps, weeks, (System.nanoTime() - t) / 1e9,
                truth.alertIds.size());

        String loadBefore = Bench.loadAverage();
        ImportRun imported = importThroughGateway(file, truth, dir);
        String loadBetween = Bench.loadAverage();
        Bench.log("import: file to rows %,.0f events/s, importer %,.0f events/s, catch-up %.1f s, alerts %,d of %,d",
                imported.rowsPerSecond(), imported.importerPerSecond(), imported.catchUpSeconds,
                imported.alerts.size(), imported.expectedAlerts.size());
        DirectRun direct = directToKafka(file, truth);
        // The two runs are only comparable when the machine was equally busy during both.
        results.about("import load average (import run: start / end; baseline run: end)", loadBefore + " / "
                + loadBetween + " / " + Bench.loadAverage());
        Bench.log("import: baseline, straight into Kafka: %,.0f events/s to rows (producer %,.0f events/s)",
                direct.rowsPerSecond(), direct.producerPerSecond());

        Set<String> missing = new HashSet<>(imported.expectedAlerts);
        missing.removeAll(imported.alerts);
        Set<String> extra = new HashSet<>(imported.alerts);
        extra.removeAll(imported.expectedAlerts);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            Bench.log("import: e.g. missing %s, extra %s", missing.stream().sorted().limit(3).toList(),
                    extra.stream().sorted().limit(3).toList());
        }
        String s = "import";
        results.add(s, "import.reps", "reps (synthetic tenant)", reps, "reps");
        results.add(s, "import.weeks", "weeks of history", weeks, "weeks");
        results.add(s, "import.records", "valid records in the file (cards, visits, acks)", truth.records(), "records");
        results.add(s, "import.file_mb", "file size", Files.size(file) / 1048576.0, "MiB");
        results.add(s, "import.importer_events_per_s", "importer: file to acknowledged, incl. its JVM start",
                imported.importerPerSecond(), "events/s");
        results.add(s, "import.importer_check_s", "importer: reading, checking, ordering before the first send",
                imported.checkSeconds, "s");
        results.add(s, "import.importer_send_events_per_s", "importer: sending alone", imported.sendPerSecond(),
                "events/s");
        results.add(s, "import.importer_heap_after_gc_mb", "importer heap after GC, peak (" + IMPORTER_HEAP + ")",
                imported.heap.afterGcMb(), "MiB", "< 1024");
        results.add(s, "import.importer_heap_before_gc_mb", "importer heap before GC, peak", imported.heap.beforeGcMb(),
                "MiB");
        results.add(s, "import.rows_events_per_s", "import: file to every row in ClickHouse", imported.rowsPerSecond(),
                "events/s");
        results.add(s, "import.direct_events_per_s", "baseline: plain producer into Kafka, to every row",
                direct.rowsPerSecond(), "events/s");
        results.add(s, "import.ratio", "import / baseline", imported.rowsPerSecond() / direct.rowsPerSecond(), "");
        results.add(s, "import.catch_up_s", "job: import complete to its last alert in ClickHouse",
                imported.catchUpSeconds, "s");
        results.add(s, "import.alerts", "stage_overdue alerts of the import", imported.alerts.size(), "alerts");
        results.add(s, "import.alerts_expected", "the same, simulator's ground truth of importing the file",
                imported.expectedAlerts.size(), "alerts");
        results.add(s, "import.alerts_differing", "ids missing + extra", missing.size() + extra.size(), "alerts", "0");
        results.add(s, "import.alerts_history", "of the alerts, origin=history", imported.historyAlerts, "alerts",
                "= alerts");
        results.about("import file", truth.records() + " records, " + Files.size(file) + " bytes, history ending "
                + truth.end);
        results.about("import importer GC", imported.heap.collections() + " collections in " + IMPORTER_HEAP
                + (imported.heap.collections() == 0 ? " (none ran: the heap peaks are 0)" : ""));
    }

    /** The history file and its ground truth, by {@code salespulse simulate} in a JVM of its own. */
    private void simulate(Path file, Path truthFile, Path dir) throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(30));
        Path log = dir.resolve("simulate.log");
        Process p = BenchStack.java(List.of(simulatorHeap), CLI, List.of("simulate", "--tenant", TENANT,
                "--reps", Integer.toString(reps), "--weeks", Integer.toString(weeks), "--end", end.toString(),
                "--seed", "42", "--history-file", file.toString(), "--ground-truth", truthFile.toString(),
                "--no-progress"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("salespulse simulate failed (exit " + p.exitValue() + "): "
                    + Files.readString(log));
        }
    }

    /** One import through the gateway, as a user runs it. */
    private ImportRun importThroughGateway(Path file, Truth truth, Path dir) throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(PHASE));
        JobID job = startJob(PHASE);
        String token = TenantTokens.generateToken();
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token);
        Path gcLog = dir.resolve("importer-gc.log");
        ImportRun run = new ImportRun();
        try (IngestGateway gateway = MonitorJobs.gateway(stack, PHASE, dir, TENANT, token)) {
            long started = System.nanoTime();
            Process importer = BenchStack.java(List.of(IMPORTER_HEAP, "-Xlog:gc:file=" + gcLog), CLI,
                    List.of("import", file.toString(), "--tenant", TENANT, "--import-id", IMPORT_ID, "--gateway-url",
                            gateway.url(), "--token-file", tokenFile.toString(), "--no-progress"))
                    .redirectError(dir.resolve("importer.log").toFile()).start();
            ImporterOutput out = new ImporterOutput(importer);
            long rowsAt = -1;
            long completedAt = -1;
            long alerts = -1;
            long alertsChangedAt = -1;
            long deadline = started + TIMEOUT.toNanos();
            while (true) {
                long now = System.nanoTime();
                if (now > deadline) {
                    throw new IllegalStateException("the import did not reach ClickHouse within " + TIMEOUT);
                }
                if (!importer.isAlive() && importer.exitValue() != 0) {
                    throw new IllegalStateException("the importer failed (exit " + importer.exitValue() + "): "
                            + String.join("\n", out.lines) + "\n" + Files.readString(dir.resolve("importer.log")));
                }
                stack.failIfStopped(job);
                if (rowsAt < 0 && rowsComplete(truth)) {
                    rowsAt = now;
                }
                if (completedAt < 0 && out.completedAt > 0) {
                    completedAt = out.completedAt;
                    run.expectedAlerts = truth.alertIdsAt(Instant.now());
                }
                long a = stack.count("SELECT count() FROM salespulse.alerts WHERE tenant = '" + TENANT
                        + "' AND type = 'stage_overdue'");
                if (a != alerts) {
                    alerts = a;
                    alertsChangedAt = now;
                }
                boolean settled = completedAt > 0 && rowsAt > 0 && (a >= run.expectedAlerts.size()
                        && finalAlertCount() >= run.expectedAlerts.size()
                        || now - Math.max(alertsChangedAt, completedAt) > ALERTS_SETTLED.toNanos());
                if (settled) {
                    break;
                }
                Thread.sleep(250);
            }
            if (!importer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || importer.exitValue() != 0) {
                throw new IllegalStateException("the importer did not end well: " + String.join("\n", out.lines));
            }
            run.records = truth.records();
            run.importerSeconds = (completedAt - started) / 1e9;
            run.rowsSeconds = (rowsAt - started) / 1e9;
            run.catchUpSeconds = (alertsChangedAt - completedAt) / 1e9;
            out.readSummary(run);
        } finally {
            stack.cancel(job);
        }
        run.alerts = new HashSet<>(stack.query("SELECT alert_id FROM salespulse.alerts FINAL WHERE tenant = '" + TENANT
                + "' AND type = 'stage_overdue'"));
        run.historyAlerts = stack.count("SELECT count() FROM salespulse.alerts FINAL WHERE tenant = '" + TENANT
                + "' AND type = 'stage_overdue' AND origin = 'history'");
        run.heap = GcPeaks.read(gcLog);
        return run;
    }

    private long finalAlertCount() throws Exception {
        return stack.count("SELECT count() FROM salespulse.alerts FINAL WHERE tenant = '" + TENANT
                + "' AND type = 'stage_overdue'");
    }

    /** The same lines straight into Kafka, each with its occurred_at as timestamp, to every row in ClickHouse. */
    private DirectRun directToKafka(Path file, Truth truth) throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(DIRECT_PHASE));
        JobID job = startJob(DIRECT_PHASE);
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long started = System.nanoTime();
            Loader.send(stack.bootstrap, () -> {
                String line = lines.readLine();
                return line == null ? null : direct(line);
            });
            long sent = System.nanoTime();
            long deadline = started + TIMEOUT.toNanos();
            while (!rowsComplete(truth)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the direct records did not reach ClickHouse within " + TIMEOUT);
                }
                stack.failIfStopped(job);
                Thread.sleep(250);
            }
            long rows = System.nanoTime();
            return new DirectRun(truth.records(), (sent - started) / 1e9, (rows - started) / 1e9);
        } finally {
            stack.cancel(job);
        }
    }

    /** A line of the history file as the plain producer sends it: the gateway's topic and key, no parsing. */
    private static ProducerRecord<byte[], byte[]> direct(String line) {
        String topic;
        String key;
        if (line.contains("\"stage\":")) {
            topic = MonitorJobs.Topics.stages(DIRECT_PHASE);
            key = field(line, "customer_id");
        } else if (line.contains("\"alert_id\":")) {
            topic = MonitorJobs.Topics.acks(DIRECT_PHASE);
            key = field(line, "alert_id");
        } else {
            topic = MonitorJobs.Topics.visits(DIRECT_PHASE);
            key = field(line, "customer_id");
        }
        long at = OffsetDateTime.parse(field(line, "occurred_at")).toInstant().toEpochMilli();
        return new ProducerRecord<>(topic, null, at, key.getBytes(StandardCharsets.UTF_8),
                line.getBytes(StandardCharsets.UTF_8));
    }

    /** A text field of the simulator's compact JSON (ids and times hold no escapes). */
    private static String field(String line, String name) {
        String marker = "\"" + name + "\":\"";
        int from = line.indexOf(marker) + marker.length();
        return line.substring(from, line.indexOf('"', from));
    }

    /** The production monitor job on a phase's topics and a fresh ClickHouse, every task running. */
    private JobID startJob(String phase) throws Exception {
        String url = stack.freshClickHouse();
        PipelineConfig config = MonitorJobs.config(stack, phase, "run", url, Map.of());
        JobID job = stack.submit(MonitorJobs.jobGraph(config, false, null));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!stack.allTasksRunning(job)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor job did not start within 2 minutes");
            }
            stack.failIfStopped(job);
            Thread.sleep(100);
        }
        return job;
    }

    /** Every card, visit and ack of the file in ClickHouse, each event_id once. */
    private boolean rowsComplete(Truth truth) throws Exception {
        String[] tables = {"stage_events", "visits", "alert_acks"};
        long[] expected = {truth.cards, truth.visits, truth.acks};
        for (String finalOrNot : List.of("", " FINAL")) {
            for (int i = 0; i < tables.length; i++) {
                if (stack.count("SELECT count() FROM salespulse." + tables[i] + finalOrNot + " WHERE tenant = '"
                        + TENANT + "'") < expected[i]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** What the simulator says importing the file must give: rows per table, and the stage_overdue alerts. */
    private static final class Truth {
        long cards;
        long visits;
        long acks;
        String end;
        final Set<String> alertIds = new HashSet<>();
        /** Gaps due after the history's end: they fire once the import completes, if due by then. */
        final List<Map.Entry<String, Instant>> pending = new ArrayList<>();

        long records() {
            return cards + visits + acks;
        }

        Set<String> alertIdsAt(Instant completion) {
            Set<String> ids = new HashSet<>(alertIds);
            for (Map.Entry<String, Instant> p : pending) {
                if (!p.getValue().isAfter(completion)) {
                    ids.add(p.getKey());
                }
            }
            return ids;
        }

        /** Reads {@code overdue} of the ground-truth file as a stream: at full size the file is a few hundred MB. */
        static Truth read(Path file) throws IOException {
            Truth t = new Truth();
            try (JsonParser p = Json.MAPPER.createParser(file.toFile())) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String section = p.currentName();
                    p.nextToken();
                    if (!section.equals("overdue")) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        p.nextToken();
                        switch (field) {
                            case "end" -> t.end = p.getText();
                            case "distinct_event_ids" -> {
                                JsonNode n = p.readValueAsTree();
                                t.cards = n.get("stage_cards").asLong();
                                t.visits = n.get("visits").asLong();
                                t.acks = n.get("acks").asLong();
                            }
                            case "alerts" -> {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    JsonNode a = p.readValueAsTree();
                                    t.alertIds.add(a.get("alert_id").asText());
                                }
                            }
                            case "pending" -> {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    JsonNode a = p.readValueAsTree();
                                    t.pending.add(Map.entry(a.get("alert_id").asText(),
                                            Instant.parse(a.get("fired_at").asText())));
                                }
                            }
                            default -> p.skipChildren();
                        }
                    }
                }
            }
            return t;
        }
    }

    /** The importer's stdout, read as it comes: when it said the import is complete, and its summary. */
    private static final class ImporterOutput {
        private static final Pattern ELAPSED =
                Pattern.compile("elapsed:\\s+([0-9.]+) s, .*\\(reading and checking ([0-9.]+) s\\)");
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile long completedAt = -1;

        ImporterOutput(Process importer) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(importer.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (line.startsWith("Import ") && line.endsWith(": complete.")) {
                            completedAt = System.nanoTime();
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(reading the importer's output failed: " + e.getMessage() + ")");
                }
            }, "importer-output");
            reader.setDaemon(true);
            reader.start();
        }

        void readSummary(ImportRun run) {
            for (String line : lines) {
                Matcher m = ELAPSED.matcher(line);
                if (m.find()) {
                    run.checkSeconds = Double.parseDouble(m.group(2));
                    run.sendSeconds = Double.parseDouble(m.group(1)) - run.checkSeconds;
                    return;
                }
            }
            throw new IllegalStateException("the importer printed no elapsed line: " + lines);
        }
    }

    private static final class ImportRun {
        long records;
        double importerSeconds;
        double checkSeconds;
        double sendSeconds;
        double rowsSeconds;
        double catchUpSeconds;
        Set<String> expectedAlerts = Set.of();
        Set<String> alerts = Set.of();
        long historyAlerts;
        GcPeaks heap;

        double importerPerSecond() {
            return records / importerSeconds;
        }

        double sendPerSecond() {
            return records / sendSeconds;
        }

        double rowsPerSecond() {
            return records / rowsSeconds;
        }
    }

    private record DirectRun(long records, double producerSeconds, double rowsSeconds) {
        double producerPerSecond() {
            return records / producerSeconds;
        }

        double rowsPerSecond() {
            return records / rowsSeconds;
        }
    }

    /**
     * The heap of a JVM as its {@code -Xlog:gc} lines tell ({@code ... 312M->41M(1024M) ...}): the peak in use after
     * a collection and before one. G1 collects the old generation only when the heap fills up, so after a young
     * collection the heap may still hold old garbage: the peak after GC bounds what the program held from above.
     */
    record GcPeaks(double afterGcMb, double beforeGcMb, int collections) {
        private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\)");

        static GcPeaks read(Path log) throws IOException {
            long after = 0;
            long before = 0;
            int collections = 0;
            for (String line : Files.readAllLines(log)) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    before = Math.max(before, Long.parseLong(m.group(1)));
                    after = Math.max(after, Long.parseLong(m.group(2)));
                    collections++;
                }
            }
            return new GcPeaks(after, before, collections);
        }
    }
}

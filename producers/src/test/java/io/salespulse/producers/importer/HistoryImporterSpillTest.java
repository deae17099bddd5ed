package io.salespulse.producers.importer;

import static io.salespulse.producers.importer.HistoryImporterReadTest.sendOrder;
import static io.salespulse.producers.importer.ImportRecordsTest.card;
import static io.salespulse.producers.importer.ImportRecordsTest.visit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports larger than the importer's sort memory: the records wait in a temporary directory and only keys are sorted,
 * on disk. The send order, the duplicates and the rejects must be exactly those of an import sorted in memory, and
 * the temporary directory must be gone after the plan is closed or reading failed.
 */
class HistoryImporterSpillTest {
    private static final HistoryImporter.Options OPTIONS =
            new HistoryImporter.Options("weijiang", "imp-spill-test", null, null, null, 500);

    @TempDir
    Path tmp;

    @Test
    void aHistoryLargerThanTheSortMemoryIsSentInTimeOrderEachEventIdOnce() throws Exception {
        History h = history(3_000, 11);
        Path spillDir = Files.createDirectories(tmp.resolve("spill"));
        // 4 KiB of keys in memory: dozens of runs per sort, and more than are merged at once.
        HistoryImporter small = new HistoryImporter(OPTIONS, spillDir, 4 * 1024);

        try (ImportPlan plan = small.read(List.of(h.jsonl, h.csv))) {
            assertThat(temporaryDirectories(spillDir)).hasSize(1);
            List<ImportRecord> sent = sendOrder(plan);

            assertThat(sent).extracting(ImportRecord::eventId).containsExactlyElementsOf(h.expectedOrder());
            assertThat(sent).extracting(ImportRecord::occurredAt).isSorted();
            for (ImportRecord r : sent) {
                JsonNode json = Json.MAPPER.readTree(r.json());
                assertThat(json.get("event_id").asText()).isEqualTo(r.eventId());
                assertThat(json.get("note_of_copy").asText()).as("the first copy of an id is sent").isEqualTo("first");
                assertThat(json.get("import_id").asText()).isEqualTo("imp-spill-test");
                assertThat(r.file()).isEqualTo(r.eventId().startsWith("s-") ? h.jsonl : h.csv);
            }
            ImportSummary summary = plan.unsentSummary();
            assertThat(summary.read()).isEqualTo(h.lines);
            assertThat(summary.valid()).isEqualTo(h.firstCopies.size());
            assertThat(summary.duplicates()).isEqualTo(h.duplicates);
            assertThat(summary.rejected()).containsOnlyKeys("bad_timestamp", "not_json")
                    .containsEntry("not_json", h.notJson).containsEntry("bad_timestamp", h.badTimestamps);
            assertThat(summary.first()).isEqualTo(Instant.ofEpochMilli(sent.get(0).occurredAt()));
            assertThat(summary.last()).isEqualTo(Instant.ofEpochMilli(sent.get(sent.size() - 1).occurredAt()));

            // The same files sorted in memory give the same records in the same order.
            HistoryImporter inMemory = new HistoryImporter(OPTIONS, spillDir, 64L << 20);
            try (ImportPlan again = inMemory.read(List.of(h.jsonl, h.csv))) {
                assertThat(sendOrder(again)).extracting(ImportRecord::eventId)
                        .containsExactlyElementsOf(h.expectedOrder());
            }
        }
        assertThat(temporaryDirectories(spillDir)).as("removed on close").isEmpty();
        assertThat(Files.readAllLines(RejectsFile.of(h.jsonl))).hasSize((int) h.notJson);
        assertThat(Files.readAllLines(RejectsFile.of(h.csv))).hasSize((int) h.badTimestamps);
    }

    @Test
    void temporaryFilesAreRemovedWhenReadingFails() throws Exception {
        Path spillDir = Files.createDirectories(tmp.resolve("spill"));
        HistoryImporter small = new HistoryImporter(OPTIONS, spillDir, 4 * 1024);
        History h = history(500, 12);
        Path latin1 = tmp.resolve("latin1.csv");
        Files.write(latin1, "event_id,need\ns-1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> small.read(List.of(h.jsonl, latin1))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("not UTF-8");

        assertThat(temporaryDirectories(spillDir)).isEmpty();
    }

    @Test
    void aLineLongerThanAnyRecordStopsTheImportInsteadOfFillingMemory() throws Exception {
        Path spillDir = Files.createDirectories(tmp.resolve("spill"));
        HistoryImporter importer = new HistoryImporter(OPTIONS, spillDir, 4 * 1024);
        // A JSON array on one line (an export that is not JSON Lines), longer than the reader's limit.
        StringBuilder array = new StringBuilder("[");
        while (array.length() <= HistoryReader.MAX_RECORD_CHARS) {
            array.append(card()).append(',');
        }
        Path file = tmp.resolve("export.json");
        Files.writeString(file, visit() + "\n" + array + "]\n");

        assertThatThrownBy(() -> importer.read(List.of(file))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("line 2 is longer than " + HistoryReader.MAX_RECORD_CHARS)
                .hasMessageContaining("JSON array");
        assertThat(temporaryDirectories(spillDir)).isEmpty();
    }

    @Test
    void aCsvQuoteNeverClosedIsOneRejectOfBoundedLength() throws Exception {
        StringBuilder csv = new StringBuilder("event_id,occurred_at,rep_id,customer_id,region,team,channel\n"
                + "v-1,2026-01-10T09:00:00+08:00,r-1,c-9,hz-west,t-3,online\n"
                + "v-2,\"2026-01-11T09:00:00+08:00,r-1,c-9,hz-west,t-3,online\n");
        while (csv.length() <= 2 * HistoryReader.MAX_RECORD_CHARS) {
            csv.append("v-3,2026-01-12T09:00:00+08:00,r-1,c-9,hz-west,t-3,online\n");
        }
        Path file = tmp.resolve("quote.csv");
        Files.writeString(file, csv);

        try (ImportPlan plan = new HistoryImporter(OPTIONS, tmp, 4 * 1024).read(List.of(file))) {
            assertThat(plan.valid()).isEqualTo(1);
            assertThat(plan.unsentSummary().rejected()).containsExactly(Map.entry("bad_csv", 1L));
        }
        List<String> rejects = Files.readAllLines(RejectsFile.of(file));
        assertThat(rejects).hasSize(1);
        JsonNode reject = Json.MAPPER.readTree(rejects.get(0));
        assertThat(reject.get("line").asLong()).isEqualTo(3);
        assertThat(reject.get("message").asText()).contains("quote");
        assertThat(reject.get("raw").asText()).startsWith("v-2,\"2026-01-11T09:00:00+08:00,r-1")
                .endsWith("… (cut: " + HistoryReader.MAX_RECORD_CHARS + " characters)")
                .hasSizeLessThan(RejectsFile.MAX_RAW_CHARS + 40);
    }

    /** Cards (JSON Lines) and visits (CSV) in shuffled time order, with duplicate ids and bad lines among them. */
    private History history(int records, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        History h = new History();
        StringBuilder jsonl = new StringBuilder();
        StringBuilder csv = new StringBuilder("event_id,occurred_at,rep_id,customer_id,region,team,channel,note_of_copy\n");
        h.lines = 0;
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < records; i++) {
            boolean card = rnd.nextBoolean();
            // Few distinct instants, so that file order has to break ties.
            Instant at = start.plusSeconds(3600L * rnd.nextInt(records / 20));
            String id = (card ? "s-" : "v-") + i;
            boolean duplicate = i > 0 && rnd.nextInt(10) == 0;
            if (duplicate) {
                // An id seen before, at another time: the first copy counts, wherever the second would sort.
                int earlier = rnd.nextInt(i);
                if (!h.firstCopies.containsKey((card ? "s-" : "v-") + earlier)) {
                    duplicate = false;
                } else {
                    id = (card ? "s-" : "v-") + earlier;
                }
            }
            String copy = duplicate ? "second" : "first";
            h.lines++;
            if (card) {
                ObjectNode c = card().put("event_id", id).put("occurred_at", at.toString()).put("note_of_copy", copy);
                jsonl.append(c).append('\n');
                if (rnd.nextInt(50) == 0) {
                    jsonl.append("{not json\n");
                    h.lines++;
                    h.notJson++;
                }
            } else {
                csv.append(id).append(',').append(at).append(",r-1,c-9,hz-west,t-3,online,").append(copy).append('\n');
                if (rnd.nextInt(50) == 0) {
                    csv.append("v-bad-").append(i).append(",yesterday,r-1,c-9,hz-west,t-3,online,first\n");
                    h.lines++;
                    h.badTimestamps++;
                }
            }
            if (duplicate) {
                h.duplicates++;
            } else {
                h.firstCopies.put(id, new long[] {at.toEpochMilli(), card ? 0 : 1, h.lines});
            }
        }
        h.jsonl = tmp.resolve("cards-" + seed + ".jsonl");
        h.csv = tmp.resolve("visits-" + seed + ".csv");
        Files.writeString(h.jsonl, jsonl);
        Files.writeString(h.csv, csv);
        return h;
    }

    private static final class History {
        Path jsonl;
        Path csv;
        long lines;
        long duplicates;
        long notJson;
        long badTimestamps;
        /** First copy of each id: occurred_at, file (0 = cards, 1 = visits), its place among all lines written. */
        final Map<String, long[]> firstCopies = new LinkedHashMap<>();

        /** By occurred_at; among equal times the cards' file before the visits', each in file order. */
        List<String> expectedOrder() {
            List<Map.Entry<String, long[]>> e = new ArrayList<>(firstCopies.entrySet());
            e.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(x -> x.getValue()[0])
                    .thenComparingLong(x -> x.getValue()[1]).thenComparingLong(x -> x.getValue()[2]));
            return e.stream().map(Map.Entry::getKey).toList();
        }
    }

    /** The importers' temporary directories in {@code parent}. */
    static List<Path> temporaryDirectories(Path parent) throws Exception {
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith("salespulse-import-")).toList();
        }
    }
}

package io.salespulse.producers.importer;

import static io.salespulse.producers.importer.ImportRecordsTest.card;
import static io.salespulse.producers.importer.ImportRecordsTest.visit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an import without sending it: order, duplicates, the rejects file and the dry run's summary. */
class HistoryImporterReadTest {
    @TempDir
    Path tmp;

    private final HistoryImporter importer = new HistoryImporter(
            new HistoryImporter.Options("weijiang", "imp-read-test", null, null, null, 500));

    @Test
    void validRecordsInTimeOrderEachEventIdOnceAndRejectsInTheirFile() throws Exception {
        Path jsonl = write("cards.jsonl", String.join("\n",
                card().put("event_id", "s-late").put("occurred_at", "2026-01-20T10:00:00+08:00").toString(),
                "{broken",
                card().put("event_id", "s-early").put("occurred_at", "2026-01-02T10:00:00+08:00").toString(),
                card().put("event_id", "s-early").put("occurred_at", "2026-01-02T10:00:00+08:00").toString(),
                card().put("event_id", "s-foreign").put("tenant", "other").toString()));
        Path csv = write("visits.csv", "event_id,occurred_at,rep_id,customer_id,region,team,channel\n"
                + "v-same-time,2026-01-20T02:00:00Z,r-1,c-9,hz-west,t-3,phone\n"
                + "v-bad-time,yesterday,r-1,c-9,hz-west,t-3,phone\n"
                + "v-mid,2026-01-10T09:00:00+08:00,r-1,c-9,hz-west,t-3,online\n");

        ImportPlan plan = importer.read(List.of(jsonl, csv));

        List<ImportRecord> records = sendOrder(plan);
        assertThat(records).extracting(ImportRecord::eventId)
                .containsExactly("s-early", "v-mid", "s-late", "v-same-time");
        assertThat(records).extracting(ImportRecord::kind)
                .containsExactly(ImportKind.CARD, ImportKind.VISIT, ImportKind.CARD, ImportKind.VISIT);

        List<JsonNode> cardRejects = lines(RejectsFile.of(jsonl));
        assertThat(cardRejects).hasSize(2);
        assertThat(cardRejects.get(0).get("line").asLong()).isEqualTo(2);
        assertThat(cardRejects.get(0).get("code").asText()).isEqualTo("not_json");
        assertThat(cardRejects.get(0).get("raw").asText()).isEqualTo("{broken");
        assertThat(cardRejects.get(1).get("line").asLong()).isEqualTo(5);
        assertThat(cardRejects.get(1).get("code").asText()).isEqualTo("tenant_mismatch");
        assertThat(cardRejects.get(1).get("message").asText()).contains("'other'");
        List<JsonNode> visitRejects = lines(RejectsFile.of(csv));
        assertThat(visitRejects).hasSize(1);
        assertThat(visitRejects.get(0).get("line").asLong()).isEqualTo(3);
        assertThat(visitRejects.get(0).get("code").asText()).isEqualTo("bad_timestamp");
        assertThat(visitRejects.get(0).get("raw").asText()).isEqualTo("v-bad-time,yesterday,r-1,c-9,hz-west,t-3,phone");

        ImportSummary summary = plan.unsentSummary();
        assertThat(summary.read()).isEqualTo(8);
        assertThat(summary.valid()).isEqualTo(4);
        assertThat(summary.duplicates()).isEqualTo(1);
        assertThat(summary.rejected()).containsEntry("not_json", 1L).containsEntry("tenant_mismatch", 1L)
                .containsEntry("bad_timestamp", 1L).hasSize(3);
        assertThat(String.join("\n", summary.lines()))
                .contains("Dry run of import imp-read-test for tenant weijiang: nothing was sent")
                .contains("8 read, 4 valid, 3 rejected, 1 duplicate")
                .contains("bad_timestamp 1, not_json 1, tenant_mismatch 1")
                .contains(RejectsFile.of(jsonl).toString()).contains(RejectsFile.of(csv).toString())
                .contains("would send:   2 cards, 2 visits, 0 acks")
                .contains("2026-01-02T02:00:00Z .. 2026-01-20T02:00:00Z")
                .contains("origin=history");
        plan.close();
    }

    @Test
    void aRunWithoutRejectsRemovesTheRejectsFileOfAnEarlierRun() throws Exception {
        Path file = write("h.jsonl", "{broken\n" + visit());
        importer.read(List.of(file)).close();
        assertThat(RejectsFile.of(file)).exists();

        Files.writeString(file, visit().toString());
        try (ImportPlan plan = importer.read(List.of(file))) {
            assertThat(plan.valid()).isEqualTo(1);
        }
        assertThat(RejectsFile.of(file)).doesNotExist();
    }

    @Test
    void nothingValidIsAnEmptyPlanThatCannotBeSent() throws Exception {
        ImportPlan plan = importer.read(List.of(write("h.jsonl", "{broken\n[]\n")));
        plan.close();

        assertThat(plan.valid()).isZero();
        assertThat(plan.unsentSummary().lines().get(0)).isEqualTo(
                "Import imp-read-test for tenant weijiang: no record is valid, nothing was sent.");
        assertThatThrownBy(() -> importer.send(plan, null, (sent, total) -> { }))
                .isInstanceOf(ImportFailure.class).hasMessageContaining("nothing was sent");
    }

    @Test
    void filesThatCannotBeReadStopTheImport() throws Exception {
        assertThatThrownBy(() -> importer.read(List.of(write("h.xlsx", "PK")))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("--format");
        assertThatThrownBy(() -> importer.read(List.of(tmp.resolve("missing.csv")))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("missing.csv");
        Path latin1 = tmp.resolve("latin1.csv");
        Files.write(latin1, "event_id,need\ns-1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> importer.read(List.of(latin1))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> new HistoryImporter.Options(" ", null, null, null, null, 500))
                .hasMessageContaining("--tenant");
        assertThatThrownBy(() -> new HistoryImporter.Options("weijiang", "no spaces please", null, null, null, 500))
                .hasMessageContaining("--import-id");
        assertThatThrownBy(() -> new HistoryImporter.Options("weijiang", null, null, null, null, 0))
                .hasMessageContaining("--batch");
    }

    /** The plan's records in the order they are sent. */
    static List<ImportRecord> sendOrder(ImportPlan plan) throws Exception {
        List<ImportRecord> out = new ArrayList<>();
        try (ImportPlan.Records records = plan.records()) {
            for (ImportRecord r = records.next(); r != null; r = records.next()) {
                out.add(r);
            }
        }
        return out;
    }

    private Path write(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }
}

package io.salespulse.producers.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two file formats: what becomes a record, with which fields and line, and what is unreadable. */
class HistoryReadersTest {
    @TempDir
    Path tmp;

    @Test
    void jsonLinesSkipsBlankAndCommentLinesAndNamesUnreadableOnes() throws Exception {
        Path file = write("h.jsonl", "\uFEFF{\"event_id\":\"s-1\",\"stage\":\"contact\"}\n"
                + "\n"
                + "# exported 2026-01-05 from the CRM\n"
                + "   \n"
                + "{\"event_id\":\"s-2\", \"deal_value\": 1200.5}\r\n"
                + "not json at all\n"
                + "[1,2]\n"
                + "{\"event_id\":\"s-3\"} {\"event_id\":\"s-4\"}\n"
                + "  {\"event_id\":\"s-5\"}");

        List<SourceRecord> records = read(new JsonLinesReader(), file);

        assertThat(records).extracting(SourceRecord::line).containsExactly(1L, 5L, 6L, 7L, 8L, 9L);
        assertThat(records.get(0).fields().get("event_id").asText()).isEqualTo("s-1");
        assertThat(records.get(1).fields().get("deal_value").isNumber()).isTrue();
        assertThat(records.get(2).errorCode()).isEqualTo("not_json");
        assertThat(records.get(2).raw()).isEqualTo("not json at all");
        assertThat(records.get(3).errorCode()).isEqualTo("not_object");
        assertThat(records.get(4).errorCode()).as("two objects on one line").isEqualTo("not_json");
        assertThat(records.get(5).fields().get("event_id").asText()).isEqualTo("s-5");
    }

    @Test
    void csvWithBomQuotesEmptyCellsAndTypes() throws Exception {
        Path file = write("h.csv", "\uFEFFkind, event_id ,customer_id,need,high_potential,deal_value,lat\r\n"
                + "card,s-1,c-1,\"shelf space, two rows\",1,12000,\r\n"
                + "card,s-2,c-2,\"says \"\"call me\"\"\nnext week\",FALSE,\"12,000\",\r\n"
                + "\r\n"
                + "visit,v-1,  c-3  ,,,,30.27\r\n"
                + "visit,v-2,c-4,,yes,-1.5e2,abc\r\n");

        List<SourceRecord> records = read(new CsvReader(), file);

        assertThat(records).extracting(SourceRecord::line).containsExactly(2L, 3L, 6L, 7L);
        assertThat(records).allSatisfy(r -> assertThat(r.readable()).isTrue());
        var first = records.get(0).fields();
        assertThat(first.get("kind").asText()).isEqualTo("card");
        assertThat(first.get("event_id").asText()).as("header names are trimmed").isEqualTo("s-1");
        assertThat(first.get("need").asText()).isEqualTo("shelf space, two rows");
        assertThat(first.get("high_potential").isBoolean()).isTrue();
        assertThat(first.get("high_potential").booleanValue()).isTrue();
        assertThat(first.get("deal_value").isNumber()).isTrue();
        assertThat(first.get("deal_value").doubleValue()).isEqualTo(12000.0);
        assertThat(first.has("lat")).as("an empty cell leaves its field out").isFalse();

        var second = records.get(1).fields();
        assertThat(second.get("need").asText()).isEqualTo("says \"call me\"\nnext week");
        assertThat(second.get("high_potential").booleanValue()).isFalse();
        assertThat(second.get("deal_value").isTextual()).as("not a number: left for the contract to name").isTrue();
        assertThat(records.get(1).raw()).startsWith("card,s-2,c-2,\"says \"\"call me\"\"\nnext week\"");

        var third = records.get(2).fields();
        assertThat(third.get("customer_id").asText()).isEqualTo("c-3");
        assertThat(third.has("need")).isFalse();
        assertThat(third.has("high_potential")).isFalse();
        assertThat(third.get("lat").doubleValue()).isEqualTo(30.27);

        var fourth = records.get(3).fields();
        assertThat(fourth.get("high_potential").asText()).isEqualTo("yes");
        assertThat(fourth.get("deal_value").doubleValue()).isEqualTo(-150.0);
        assertThat(fourth.get("lat").asText()).isEqualTo("abc");
    }

    @Test
    void brokenCsvRowsAreUnreadableAndTheRestIsRead() throws Exception {
        Path file = write("h.csv", "event_id,customer_id\n"
                + "s-1,c-1,extra\n"
                + "\"s-2\"x,c-2\n"
                + "s-3\n"
                + "s-4,c-4\n"
                + "\"s-5,c-5\n");

        List<SourceRecord> records = read(new CsvReader(), file);

        assertThat(records).extracting(SourceRecord::line).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(records.get(0).errorMessage()).contains("3 cells").contains("header has 2");
        assertThat(records.get(1).errorMessage()).contains("after the closing quote");
        assertThat(records.get(2).errorCode()).isEqualTo("bad_csv");
        assertThat(records.get(3).fields().get("customer_id").asText()).isEqualTo("c-4");
        assertThat(records.get(4).errorMessage()).contains("not closed");
        assertThat(records).filteredOn(r -> !r.readable()).extracting(SourceRecord::errorCode).containsOnly("bad_csv");
    }

    @Test
    void aCsvFileNeedsAHeaderThatNamesEveryColumnOnce() throws Exception {
        assertThatThrownBy(() -> read(new CsvReader(), write("empty.csv", "\n\n"))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("header row");
        assertThatThrownBy(() -> read(new CsvReader(), write("twice.csv", "event_id,Event_ID\ns-1,s-1\n")))
                .isInstanceOf(ImportFailure.class).hasMessageContaining("'event_id' twice");
        assertThatThrownBy(() -> read(new CsvReader(), write("unnamed.csv", "event_id,,stage\n")))
                .isInstanceOf(ImportFailure.class).hasMessageContaining("column 2");
    }

    @Test
    void theFormatComesFromTheFileName() {
        assertThat(ImportFormat.ofFile(Path.of("a.JSONL"))).contains(ImportFormat.JSONL);
        assertThat(ImportFormat.ofFile(Path.of("a.ndjson"))).contains(ImportFormat.JSONL);
        assertThat(ImportFormat.ofFile(Path.of("a.json"))).contains(ImportFormat.JSONL);
        assertThat(ImportFormat.ofFile(Path.of("dir.csv/a.Csv"))).contains(ImportFormat.CSV);
        assertThat(ImportFormat.ofFile(Path.of("a.xlsx"))).isEmpty();
    }

    private Path write(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static List<SourceRecord> read(HistoryReader reader, Path file) throws Exception {
        List<SourceRecord> out = new ArrayList<>();
        reader.read(file, out::add);
        return out;
    }
}

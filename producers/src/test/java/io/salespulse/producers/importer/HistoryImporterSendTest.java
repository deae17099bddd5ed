package io.salespulse.producers.importer;

import static io.salespulse.producers.importer.HistoryImporterSpillTest.temporaryDirectories;
import static io.salespulse.producers.importer.ImportRecordsTest.card;
import static io.salespulse.producers.importer.ImportRecordsTest.visit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.gateway.ImportTopic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history sorted on disk, sent through the real gateway into the broker (one partition per topic, so a topic's
 * order is the order of sending): every record once, each kind in occurred_at order, the session complete with the
 * counts; the temporary directory gone once the plan is closed, also when the gateway cannot be reached.
 */
class HistoryImporterSendTest {
    @TempDir
    static Path tmp;

    private static ImportGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = ImportGateway.prepare(tmp, Duration.ofMinutes(15)).start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aHistorySortedOnDiskArrivesInTimeOrderOnce() throws Exception {
        Path file = shuffledHistory(2_000, "spilled.jsonl");
        Path spillDir = Files.createDirectories(tmp.resolve("spill-sent"));
        HistoryImporter importer = smallSortMemory("imp-spilled", spillDir);

        ImportSummary summary;
        try (ImportPlan plan = importer.read(List.of(file))) {
            summary = importer.send(plan, gateway.poster(3), (sent, total) -> { });
        }

        assertThat(temporaryDirectories(spillDir)).isEmpty();
        assertThat(summary.valid()).isEqualTo(2_000);
        List<JsonNode> cards = sent(Topics.STAGES, "imp-spilled");
        List<JsonNode> visits = sent(Topics.VISITS, "imp-spilled");
        assertThat(cards.size() + visits.size()).isEqualTo(2_000);
        assertThat(summary.accepted(ImportKind.CARD)).isEqualTo(cards.size());
        assertThat(summary.accepted(ImportKind.VISIT)).isEqualTo(visits.size());
        for (List<JsonNode> topic : List.of(cards, visits)) {
            assertThat(topic).extracting(e -> e.get("event_id").asText()).doesNotHaveDuplicates();
            assertThat(topic).extracting(e -> OffsetDateTime.parse(e.get("occurred_at").asText()).toInstant())
                    .isSorted();
        }
        ImportSession complete = last(ImportTopic.sessions(gateway.kafka, "weijiang/imp-spilled"));
        assertThat(complete.status()).isEqualTo(ImportSession.Status.COMPLETE);
        assertThat(List.of(complete.cards(), complete.visits())).containsExactly((long) cards.size(),
                (long) visits.size());
    }

    @Test
    void anImportThatCannotBeSentLeavesNoTemporaryFilesOnceClosed() throws Exception {
        Path file = shuffledHistory(300, "unsent.jsonl");
        Path spillDir = Files.createDirectories(tmp.resolve("spill-unsent"));
        HistoryImporter importer = smallSortMemory("imp-unsent", spillDir);

        try (ImportPlan plan = importer.read(List.of(file))) {
            assertThat(temporaryDirectories(spillDir)).hasSize(1);
            // Nothing listens on port 1.
            assertThatThrownBy(() -> importer.send(plan, new GatewayPoster("http://127.0.0.1:1", gateway.token, 1),
                    (sent, total) -> { })).isInstanceOf(ImportFailure.class).hasMessageContaining("nothing was sent");
        }

        assertThat(temporaryDirectories(spillDir)).isEmpty();
    }

    /** Batches of 70, keys sorted on disk 4 KiB at a time. */
    private static HistoryImporter smallSortMemory(String importId, Path spillDir) {
        return new HistoryImporter(new HistoryImporter.Options("weijiang", importId, null, null, null, 70), spillDir,
                4 * 1024);
    }

    /** Cards and visits of one customer each, in random time order. */
    private static Path shuffledHistory(int records, String name) throws Exception {
        SplittableRandom rnd = new SplittableRandom(records);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < records; i++) {
            String at = start.plusSeconds(60L * rnd.nextInt(records)).toString();
            text.append(rnd.nextBoolean()
                    ? card().put("event_id", "s-" + name + "-" + i).put("occurred_at", at)
                    : visit().put("event_id", "v-" + name + "-" + i).put("occurred_at", at)).append('\n');
        }
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static List<JsonNode> sent(String topic, String importId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : gateway.kafka.readAll(topic)) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            if (importId.equals(n.path("import_id").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}

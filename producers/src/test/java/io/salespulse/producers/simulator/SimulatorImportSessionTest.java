package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.ImportTopic;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import io.salespulse.producers.simulator.OverdueOracle.ImportWindow;
import io.salespulse.producers.simulator.SimulationSummary.HistoryImport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose history has already arrived when it is sent goes as one import session of the tenant, like
 * {@code bin/salespulse import}: the session opened on {@code sales.imports} before the first history record, every
 * valid history record with the session's {@code import_id}, the session completed after the last one; what arrives
 * later goes live, without {@code import_id}. Through a real broker, and through the real gateway's
 * {@code /v1/imports}. Each run has a live part two days long (sent at once: no pacing; cards are filed in working
 * hours, so the next minutes may hold none).
 */
class SimulatorImportSessionTest {
    private static final String TENANT = "weijiang";
    private static final Duration FUTURE = Duration.ofDays(2);

    @TempDir
    Path tmp;

    @Test
    void throughKafkaTheHistoryIsOneSessionAndTheRestIsLive() throws Exception {
        // The broker takes timestamps at most an hour ahead, and cards are filed in working hours: "now" for telling
        // the history from the live part is two days before the end, which lies in the past.
        Instant end = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        SimulationSettings settings = SimulationSettings.builder().end(end).duration(Duration.ofDays(5)).build();
        Clock now = Clock.fixed(end.minus(FUTURE), ZoneOffset.UTC);
        Map<String, Long> arrivalById = arrivalsById(settings);

        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH);
            kafka.createTopics(1, Topics.IMPORTS);
            SimulationSummary summary;
            try (KafkaEventSink sink = new KafkaEventSink(kafka.bootstrapServers())) {
                summary = new Simulator(settings, now).run(sink, (sent, total) -> { }, HistoryMode.IMPORT_SESSION);
            }
            long before = now.millis();
            long after = now.millis();
            HistoryImport history = summary.historyImport();
            assertThat(history).isNotNull();
            System.out.println("kafka: " + summary);

            List<ConsumerRecord<byte[], byte[]>> sessions = kafka.readAll(Topics.IMPORTS);
            List<ImportSession> parsed = ImportTopic.sessions(kafka, ImportSession.key(TENANT, history.importId()));
            assertThat(sessions).hasSize(2);
            assertThat(parsed).extracting(ImportSession::status)
                    .containsExactly(ImportSession.Status.OPEN, ImportSession.Status.COMPLETE);
            ImportSession complete = parsed.get(1);
            assertThat(List.of(complete.cards(), complete.visits(), complete.acks()))
                    .containsExactly(history.cards(), history.visits(), history.acks());
            assertThat(parsed.get(0).publishedAt()).isEqualTo(history.openedAt().toEpochMilli());
            assertThat(complete.publishedAt()).isEqualTo(history.completedAt().toEpochMilli());

            Split split = split(kafka.readAll(Topics.STAGES, Topics.VISITS, Topics.ACKS), history, arrivalById,
                    before, after);
            System.out.printf("kafka: %d history records with import_id %s, %d live records without%n",
                    split.imported, history.importId(), split.live);
            // An imported record reaches the system when it is sent: between the opening and the completion.
            for (ConsumerRecord<byte[], byte[]> r : split.importedRecords) {
                assertThat(r.timestamp()).isBetween(history.openedAt().toEpochMilli(),
                        history.completedAt().toEpochMilli());
            }
            // A live record keeps its arrival as its timestamp.
            for (ConsumerRecord<byte[], byte[]> r : split.liveRecords) {
                assertThat(r.timestamp()).isEqualTo(arrivalById.get(eventId(r)));
            }

            // The summary's ground truth is the oracle's on what Kafka holds, the import decided at its completion.
            List<Arrival> arrivals = new ArrayList<>();
            for (String topic : List.of(Topics.STAGES, Topics.VISITS, Topics.ACKS)) {
                for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
                    Arrival a = Arrival.parse(topic, r.value(), Instant.ofEpochMilli(r.timestamp()));
                    if (a != null) {
                        arrivals.add(a);
                    }
                }
            }
            ExpectedOutcomes fromKafka = new OverdueOracle(settings.sla(), settings.offlineGrace()).run(arrivals,
                    List.of(new ImportWindow(TENANT, history.importId(), history.openedAt(), history.completedAt())),
                    summary.expected().end());
            assertThat(summary.expected()).isEqualTo(fromKafka);
            assertThat(summary.expected().retractions()).isEmpty();
        }
    }

    @Test
    void throughTheGatewayTheSessionGoesThroughItsImportEndpoints() throws Exception {
        SimulationSettings settings = SimulationSettings.builder().end(Instant.now().plus(FUTURE))
                .duration(Duration.ofDays(4)).malformedRate(0.05).build();
        Map<String, Long> arrivalById = arrivalsById(settings);
        String token = TenantTokens.generateToken();
        Path tokens = tmp.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"" + TENANT + "\":[\"" + TenantTokens.hashHex(token) + "\"]}}");

        try (LocalKafka kafka = LocalKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH);
            kafka.createTopics(1, Topics.IMPORTS);
            GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0)
                    .kafkaBootstrap(kafka.bootstrapServers()).tokensFile(tokens)
                    .maxFutureSkew(FUTURE.plusHours(1)).build(); // the live part is sent at once, days ahead
            long before;
            long after;
            SimulationSummary summary;
            GatewayEventSink sink;
            try (IngestGateway gateway = IngestGateway.start(config)) {
                sink = new GatewayEventSink(gateway.url(), token, 50);
                before = System.currentTimeMillis();
                try (sink) {
                    summary = new Simulator(settings).run(sink, (sent, total) -> { }, HistoryMode.IMPORT_SESSION);
                }
                after = System.currentTimeMillis();
            }
            HistoryImport history = summary.historyImport();
            assertThat(history).isNotNull();
            System.out.println("gateway: " + summary + "; refused " + sink.rejected());
            assertThat(sink.rejected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(summary.malformed());

            List<ImportSession> sessions = ImportTopic.sessions(kafka, ImportSession.key(TENANT, history.importId()));
            assertThat(sessions).extracting(ImportSession::status)
                    .containsExactly(ImportSession.Status.OPEN, ImportSession.Status.COMPLETE);
            assertThat(kafka.readAll(Topics.IMPORTS)).hasSize(2);
            ImportSession complete = sessions.get(1);
            assertThat(List.of(complete.cards(), complete.visits(), complete.acks()))
                    .containsExactly(history.cards(), history.visits(), history.acks());
            assertThat(complete.description()).startsWith("simulated history");

            Split split = split(kafka.readAll(Topics.STAGES, Topics.VISITS, Topics.ACKS), history, arrivalById,
                    before, after);
            System.out.printf("gateway: %d history records with import_id %s, %d live records without%n",
                    split.imported, history.importId(), split.live);
            // The gateway stamped the history before it stamped the completion.
            for (ConsumerRecord<byte[], byte[]> r : split.importedRecords) {
                assertThat(r.timestamp()).isLessThanOrEqualTo(complete.publishedAt());
            }
            for (ConsumerRecord<byte[], byte[]> r : split.liveRecords) {
                assertThat(r.timestamp()).isGreaterThanOrEqualTo(complete.publishedAt());
            }
        }
    }

    @Test
    void theGroundTruthOfAnImportedFieldHistoryIsItsFinalGapsWithoutRetractions() throws Exception {
        // Field traffic: sent live, late uploads retract alerts; imported, only what the whole history shows counts.
        SimulationSettings settings = SimulationRuns.smallTeam().duration(Duration.ofDays(21)).scenario(Scenario.FMCG_DISTRIBUTOR).seed(1).offlineReps(0.3)
                .retryRate(0.02).lastMinuteShare(0.5).build();
        SimulationSummary plain = new Simulator(settings).run(new InMemoryEventSink());
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary imported = new Simulator(settings).run(sink, (sent, total) -> { },
                HistoryMode.IMPORT_SESSION);
        HistoryImport history = imported.historyImport();
        Instant completed = history.completedAt();

        List<SentRecord> records = sink.records();
        assertThat(records.get(0).topic()).isEqualTo(Topics.IMPORTS);
        assertThat(records.get(records.size() - 1).topic()).isEqualTo(Topics.IMPORTS);
        assertThat(records.stream().filter(r -> r.topic().equals(Topics.IMPORTS))).hasSize(2);
        assertThat(history.records()).isEqualTo(records.size() - 2).isEqualTo(plain.totalRecords());

        Set<String> expected = new TreeSet<>();
        plain.expected().standingAlerts().forEach(a -> expected.add(a.alertId()));
        plain.expected().pending().stream().filter(a -> !a.firedAt().isAfter(completed))
                .forEach(a -> expected.add(a.alertId()));
        System.out.printf("field history: sent live %d alerts, %d retracted; imported %d alerts (%d history), %d "
                + "retracted%n", plain.expected().alerts().size(), plain.expected().retractions().size(),
                imported.expected().alerts().size(),
                imported.expected().alerts().stream().filter(a -> a.origin().equals("history")).count(),
                imported.expected().retractions().size());
        assertThat(plain.expected().retractions()).as("the live replay of this field traffic retracts").isNotEmpty();
        assertThat(imported.expected().retractions()).isEmpty();
        assertThat(imported.expected().alertIds()).containsExactlyElementsOf(expected);
        for (ExpectedAlert a : imported.expected().alerts()) {
            assertThat(a.emittedAt()).isEqualTo(completed);
            assertThat(a.origin()).isEqualTo(a.firedAt().isBefore(completed.minus(OverdueOracle.HISTORY_AGE))
                    ? "history" : "live");
        }
        assertThat(imported.groundTruthJson().path("history_import").path("import_id").asText())
                .isEqualTo(history.importId()).startsWith("sim-");
    }

    /** The records of a run, split into the import (with import_id) and live (without). */
    private record Split(int imported, int live, List<ConsumerRecord<byte[], byte[]>> importedRecords,
            List<ConsumerRecord<byte[], byte[]>> liveRecords) {}

    /**
     * Every valid record carries the import's id exactly when it arrived (in the simulated history) by the import's
     * last arrival; whatever had arrived when the run started is in it, whatever arrives after the run is not.
     * Malformed records go as they were made.
     */
    private static Split split(List<ConsumerRecord<byte[], byte[]>> records, HistoryImport history,
            Map<String, Long> arrivalById, long before, long after) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> imported = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> live = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode n;
            try {
                n = SimulationRuns.JSON.readTree(r.value());
            } catch (Exception notJson) {
                continue;
            }
            String id = n == null ? "" : n.path("event_id").asText("");
            Long arrival = arrivalById.get(id);
            if (arrival == null) {
                assertThat(n == null || n.has("import_id")).as("a malformed record as made: %s", n).isFalse();
                continue;
            }
            boolean inImport = arrival <= history.arrivedUntil().toEpochMilli();
            assertThat(n.path("import_id").asText(null)).as("import_id of %s (arrives %s)", id,
                    Instant.ofEpochMilli(arrival)).isEqualTo(inImport ? history.importId() : null);
            if (arrival <= before) {
                assertThat(inImport).as("%s had arrived when the run started", id).isTrue();
            }
            if (arrival > after) {
                assertThat(inImport).as("%s arrives after the run", id).isFalse();
            }
            (inImport ? imported : live).add(r);
        }
        assertThat(imported).isNotEmpty();
        assertThat(live).isNotEmpty();
        return new Split(imported.size(), live.size(), imported, live);
    }

    /** The simulated arrival of each valid event, from the same settings run plain into memory. */
    private static Map<String, Long> arrivalsById(SimulationSettings settings) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (SimulationRuns.Valid v : SimulationRuns.run(settings).valid()) {
            out.putIfAbsent(v.text("event_id"), v.record().timestampMillis());
        }
        return out;
    }

    private static String eventId(ConsumerRecord<byte[], byte[]> r) throws Exception {
        return SimulationRuns.JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)).path("event_id").asText();
    }
}

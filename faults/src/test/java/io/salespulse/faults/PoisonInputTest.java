package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5, poison input. 10,000 generated malformed records ({@link PoisonRecords}) interleaved at
 * random with a simulated team's valid history, plus valid customers whose ids carry quotes, backslashes,
 * SQL fragments, newlines and emoji. Every bad record is in dead_letters and sales.dlq with the reason the
 * contract's parser gives; every valid one is processed; the alerts are exactly the ground truth (a
 * watermark dragged forward by an absurd timestamp would fire every waiting customer at once); a live
 * customer's alert still fires on time afterwards; the odd ids are stored as data and read back exactly.
 */
class PoisonInputTest {
    private static final long H = 3_600_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    static final List<String> ODD_IDS = List.of("q-O'Brien", "q-\"double\"", "q-'); DROP TABLE salespulse.alerts; --",
            "q-back\\slash", "q-tab\there", "q-new\nline", "q-日本語の顧客", "q-%_like", "q-{\"json\":1}", "q-emoji-😀",
            "q-` OR 1=1 #", "q-\\'escaped");

    @Test
    void tenThousandMalformedRecordsAmongValidOnesEachInDeadLettersValidOnesExact() throws Exception {
        int poisonCount = Faults.pick(10_000, 50_000);
        try (TestStack stack = TestStack.start(dir)) {
            ScriptedHistory history = ScriptedHistory.smallTeam(19, Faults.pick(3, 21));
            long end = history.end().toEpochMilli();

            // Interleave the poison at random positions; each carries its neighbour's timestamp.
            Random random = new Random(19);
            PoisonRecords poison = new PoisonRecords(19);
            List<SentRecord> all = new ArrayList<>();
            Map<String, Long> kinds = new TreeMap<>();
            int left = poisonCount;
            for (int i = 0; i < history.records.size(); i++) {
                SentRecord r = history.records.get(i);
                all.add(r);
                int burst = i == history.records.size() - 1 ? left
                        : Math.min(left, random.nextInt(2 * poisonCount / history.records.size() + 1));
                for (int k = 0; k < burst; k++) {
                    PoisonRecords.Poison p = poison.next(r.timestampMillis());
                    kinds.merge(p.kind(), 1L, Long::sum);
                    all.add(new SentRecord(p.topic(), p.key(), p.value(), r.timestampMillis()));
                }
                left -= burst;
            }
            // Valid customers with odd ids: half overdue by the end (contact 49 h before it), half still active.
            Set<String> oddAlerts = new TreeSet<>();
            for (int i = 0; i < ODD_IDS.size(); i++) {
                String id = ODD_IDS.get(i);
                long at = i % 2 == 0 ? end - 49 * H : end - H;
                all.add(new SentRecord("sales.stages", id, PoisonRecords.bytes(card("odd-" + i, id, at)), at));
                if (i % 2 == 0) {
                    oddAlerts.add(AlertIds.stageOverdue("weijiang", id, "contact", Instant.ofEpochMilli(at + 48 * H)));
                }
            }

            // What the contract's parser says about each record: the expected dead letters, by reason.
            ContractDeserializer parser = new ContractDeserializer("sales.stages", "sales.visits", "sales.acks",
                    Duration.ofHours(1));
            Map<String, Long> expectedReasons = new TreeMap<>();
            for (SentRecord r : all) {
                InputRecord parsed = parser.parse(r.topic(), 0, 0, r.key() == null ? null
                        : r.key().getBytes(StandardCharsets.UTF_8), r.value(), r.timestampMillis());
                if (parsed.deadLetter != null) {
                    expectedReasons.merge(parsed.deadLetter.errorCode, 1L, Long::sum);
                }
            }
            long expectedDeadLetters = expectedReasons.values().stream().mapToLong(Long::longValue).sum();
            assertThat(expectedDeadLetters).as("every generated record is malformed")
                    .isEqualTo(poisonCount + history.summary.malformed());

            // Producers whose own clock is broken: the record timestamp itself is absurd.
            Map<String, String> producerClock = sendWithBrokenProducerClock(stack.kafka.bootstrapServers());

            PipelineConfig config = FaultJobs.config(stack, "poison", Map.of());
            JobClient job = FaultJobs.start(config, null);
            try (ScriptedHistory.Feeder feeder = ScriptedHistory.feed(stack.kafka.bootstrapServers(), "weijiang", all, 2_000,
                    Duration.ofMillis(20))) {
                feeder.awaitDone(Duration.ofSeconds(120));
                long brokenClockStored = producerClock.values().stream().filter(v -> v.startsWith("stored")).count();
                Counting.awaitRows(stack, Map.of("SELECT count() FROM salespulse.dead_letters FINAL",
                        String.valueOf(expectedDeadLetters + brokenClockStored)), Duration.ofSeconds(120));

                // Then live traffic: a customer due 8 s from now, and a fresh record on every partition. Event
                // time must now follow the wall clock, not 2099 or 1970: the alert comes on time.
                long due = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
                try (History h = stack.history()) {
                    h.send("sales.stages", "c-live", System.currentTimeMillis(), PoisonRecords.bytes(
                            card("live", "c-live", due - 48 * H)));
                    h.flush();
                }
                int touches = Touch.allPartitions(stack.kafka.bootstrapServers());
                String liveAlert = AlertIds.stageOverdue("weijiang", "c-live", "contact", Instant.ofEpochMilli(due));
                List<String> seen = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.alerts",
                        Duration.ofSeconds(60), v -> v.stream().anyMatch(a -> a.contains(liveAlert)));
                long visibleAt = System.currentTimeMillis();
                JsonNode live = Counting.parse(seen).stream().filter(a -> a.get("alert_id").asText().equals(liveAlert))
                        .findFirst().orElseThrow(() -> new AssertionError("the live customer's alert never fired"));
                long emittedAt = Instant.parse(live.get("emitted_at").asText()).toEpochMilli();

                Map<String, Long> statuses = new TreeMap<>(history.summary.customersByExpectedStatus());
                statuses.merge("overdue", (long) oddAlerts.size(), Long::sum);
                statuses.merge("active", (long) (ODD_IDS.size() - oddAlerts.size()) + 1, Long::sum); // + c-live
                Set<String> alerts = new TreeSet<>(history.summary.expectedOverdueAlertIds());
                alerts.addAll(oddAlerts);
                Expectation e = new Expectation(history.end(), alerts, history.summary.stageCards() + ODD_IDS.size() + 1,
                        history.summary.visits(), history.summary.acks(), expectedDeadLetters + brokenClockStored + touches,
                        statuses);
                Counting.Result r = Counting.assertExactly(stack, e, Duration.ofSeconds(90));

                Map<String, Long> reasons = new TreeMap<>();
                for (String row : stack.query("SELECT concat(error_code, '=', toString(count())) FROM "
                        + "salespulse.dead_letters FINAL WHERE error != '' AND topic != 'sales.policies' GROUP BY error_code")) {
                    reasons.put(row.substring(0, row.indexOf('=')), Long.parseLong(row.substring(row.indexOf('=') + 1)));
                }
                if (brokenClockStored > 0) {
                    expectedReasons.merge("bad_timestamp", brokenClockStored, Long::sum);
                }
                expectedReasons.merge("not_json", (long) touches, Long::sum);
                assertThat(reasons).as("dead letters per reason (each with a message)").isEqualTo(expectedReasons);
                List<String> dlq = TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.dlq",
                        Duration.ofSeconds(60), v -> v.size() >= expectedDeadLetters + brokenClockStored + touches);
                assertThat(dlq).hasSize((int) (expectedDeadLetters + brokenClockStored + touches));

                // Odd ids are data: stored and read back byte for byte, in raw rows, statuses and alert ids.
                assertThat(new TreeSet<>(stack.query("SELECT customer_id FROM salespulse.stage_events FINAL "
                        + "WHERE startsWith(customer_id, 'q-')"))).isEqualTo(new TreeSet<>(ODD_IDS));
                assertThat(new TreeSet<>(stack.query("SELECT customer_id FROM salespulse.customer_status FINAL "
                        + "WHERE startsWith(customer_id, 'q-')"))).isEqualTo(new TreeSet<>(ODD_IDS));
                assertThat(new TreeSet<>(stack.query("SELECT alert_id FROM salespulse.alerts FINAL "
                        + "WHERE startsWith(customer_id, 'q-')"))).isEqualTo(oddAlerts);
                SentRecord sql = all.stream().filter(x -> x.key() != null && new String(x.value(), StandardCharsets.UTF_8)
                        .contains("DROP TABLE")).findFirst().orElseThrow();
                assertThat(stack.query("SELECT raw FROM salespulse.dead_letters FINAL WHERE key = '" + sql.key() + "'"))
                        .containsExactly(new String(sql.value(), StandardCharsets.UTF_8));

                System.out.println("[faults] poison input: " + poisonCount + " malformed records " + kinds
                        + " among " + history.records.size() + " simulated; dead letters by reason " + reasons
                        + "; producer clock broken: " + producerClock + "; live alert due " + Instant.ofEpochMilli(due)
                        + " emitted +" + (emittedAt - due) + " ms, visible (read_committed) +" + (visibleAt - due)
                        + " ms; " + r);
                assertThat(emittedAt).as("the live alert is not early").isGreaterThanOrEqualTo(due);
                assertThat(visibleAt - due).as("the live alert is visible within 10 s of its due time")
                        .isLessThan(10_000);
            } finally {
                FaultJobs.cancelQuietly(job);
            }
        }
    }

    /**
     * Records whose Kafka timestamp itself is absurd (a producer's clock at 1970 or in 2099), with an
     * occurred_at that agrees with it. Returns per case whether the broker refused it or stored it.
     */
    private static Map<String, String> sendWithBrokenProducerClock(String bootstrap) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("retries", "0");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<String, Long> cases = new LinkedHashMap<>();
            // 1 ms, not 0: a timestamp of exactly 0 skips the parser's future check (ProducerClockZeroTest).
            cases.put("clock-1970", 1L);
            cases.put("clock-2099", Instant.parse("2099-06-01T01:00:00Z").toEpochMilli());
            for (Map.Entry<String, Long> c : cases.entrySet()) {
                ObjectNode card = card(c.getKey(), "c-" + c.getKey(), Instant.parse("2099-06-01T01:00:00Z").toEpochMilli());
                try {
                    producer.send(new ProducerRecord<>("sales.stages", null, c.getValue(),
                            ("c-" + c.getKey()).getBytes(StandardCharsets.UTF_8), PoisonRecords.bytes(card)))
                            .get(30, TimeUnit.SECONDS);
                    out.put(c.getKey(), "stored by the broker");
                } catch (ExecutionException e) {
                    out.put(c.getKey(), "refused by the broker: " + e.getCause().getClass().getSimpleName());
                }
            }
        }
        return out;
    }

    private static ObjectNode card(String event, String customer, long at) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("event_id", "s-" + event);
        c.put("tenant", "weijiang");
        c.put("occurred_at", History.iso(at));
        c.put("customer_id", customer);
        c.put("rep_id", "r-017");
        c.put("region", "hz-west");
        c.put("team", "t-3");
        c.put("stage", "contact");
        return c;
    }
}

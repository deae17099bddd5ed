package io.salespulse.faults;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A simulated team's history with its exact ground truth, held in memory so that a test can write it to
 * Kafka at its own pace (while faults are injected) and count against the simulator's expectation.
 */
final class ScriptedHistory {
    final SimulationSettings settings;
    final SimulationSummary summary;
    final List<SentRecord> records;

    private ScriptedHistory(SimulationSettings settings, SimulationSummary summary, List<SentRecord> records) {
        this.settings = settings;
        this.summary = summary;
        this.records = records;
    }

    /** The small team's history of {@code days} ending now (whole seconds), seed {@code seed}. */
    static ScriptedHistory smallTeam(long seed, int days) throws Exception {
        SimulationSettings settings = SimulationSettings.builder()
                .scenario(Scenario.SMALL_TEAM)
                .seed(seed)
                .end(Instant.now())
                .duration(Duration.ofDays(days))
                .build();
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary summary = new Simulator(settings).run(sink);
        return new ScriptedHistory(settings, summary, List.copyOf(sink.records()));
    }

    Instant end() {
        return settings.end();
    }

    /** What a correct pipeline must show after this history, with nothing else sent. */
    Expectation expectation() {
        return Expectation.of(summary, end());
    }

    /**
     * Writes the records in order in a background thread, {@code chunk} records every {@code pause}, with
     * an idempotent producer (acks=all) that keeps retrying while the broker is away. The records are a history
     * (their timestamps are their {@code occurred_at}), written while the job runs: so they go as a history import
     * of {@code tenant}, as {@code bin/salespulse import} would send them: a session opened on sales.imports, every
     * record of the tenant with {@code import_id}, the session completed once the broker acknowledged them all.
     * Without it the job would rightly take them for cards uploaded late (alerts, then retractions).
     */
    static Feeder feed(String bootstrap, String tenant, List<SentRecord> records, int chunk, Duration pause) {
        Feeder f = new Feeder(bootstrap, tenant, records, chunk, pause);
        f.thread.start();
        return f;
    }

    static final class Feeder implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private final AtomicInteger sent = new AtomicInteger();
        private volatile Throwable failure;

        private Feeder(String bootstrap, String tenant, List<SentRecord> records, int chunk, Duration pause) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty("acks", "all");
            p.setProperty("enable.idempotence", "true");
            p.setProperty("linger.ms", "5");
            // Survives a broker restart of a few minutes without giving up on a record.
            p.setProperty("delivery.timeout.ms", "600000");
            p.setProperty("max.block.ms", "600000");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            String importId = "faults-" + Long.toHexString(System.nanoTime());
            thread = new Thread(() -> {
                try {
                    session(tenant, importId, ImportSession.Status.OPEN, records.size());
                    for (int i = 0; i < records.size(); i++) {
                        SentRecord r = records.get(i);
                        producer.send(new ProducerRecord<>(r.topic(), null, r.timestampMillis(),
                                r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                ofImport(r, tenant, importId)), (m, e) -> {
                                    if (e != null && failure == null) {
                                        failure = e;
                                    }
                                });
                        sent.incrementAndGet();
                        if ((i + 1) % chunk == 0) {
                            producer.flush();
                            Thread.sleep(pause.toMillis());
                        }
                    }
                    producer.flush();
                    session(tenant, importId, ImportSession.Status.COMPLETE, records.size());
                } catch (Throwable t) {
                    failure = t;
                }
            }, "history-feeder");
            thread.setDaemon(true);
        }

        private void session(String tenant, String importId, ImportSession.Status status, long records)
                throws Exception {
            ImportSession s = new ImportSession(tenant, importId, status,
                    System.currentTimeMillis() + Duration.ofHours(1).toMillis(), records, 0, 0, "fault test history", 0);
            producer.send(new ProducerRecord<>(Topics.IMPORTS, s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    s.toJson())).get();
        }

        /**
         * The record with import_id set when it is a valid event of the tenant (as an importer sends it); a malformed
         * record stays byte for byte as it was, so its dead letter can be compared with what was sent.
         */
        private static byte[] ofImport(SentRecord r, String tenant, String importId) {
            try {
                String topic = r.topic();
                if (topic.equals(Topics.STAGES)) {
                    PARSER.parseStage(r.value(), r.timestampMillis());
                } else if (topic.equals(Topics.VISITS)) {
                    PARSER.parseVisit(r.value(), r.timestampMillis());
                } else if (topic.equals(Topics.ACKS)) {
                    PARSER.parseAck(r.value(), r.timestampMillis());
                } else {
                    return r.value();
                }
                ObjectNode o = (ObjectNode) Json.MAPPER.readTree(r.value());
                if (tenant.equals(o.path("tenant").asText(null))) {
                    o.put("import_id", importId);
                    return Json.MAPPER.writeValueAsBytes(o);
                }
            } catch (Exception malformed) {
                // sent as it is: the job dead-letters it
            }
            return r.value();
        }

        private static final EventParser PARSER = new EventParser();

        /** Records handed to the producer so far. */
        int sent() {
            return sent.get();
        }

        /** Waits until every record is acknowledged by the broker. */
        void awaitDone(Duration timeout) throws Exception {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new IllegalStateException("the history was not written within " + timeout + " (" + sent()
                        + " records sent)");
            }
            if (failure != null) {
                throw new IllegalStateException("writing the history failed", failure);
            }
        }

        @Override
        public void close() {
            thread.interrupt();
            producer.close(Duration.ofSeconds(5));
        }
    }
}

package io.salespulse.faults;

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
     * an idempotent producer (acks=all) that keeps retrying while the broker is away. Pauses must stay
     * below the job's watermark.drain-timeout, or event time would jump to the wall clock mid-history.
     */
    static Feeder feed(String bootstrap, List<SentRecord> records, int chunk, Duration pause) {
        Feeder f = new Feeder(bootstrap, records, chunk, pause);
        f.thread.start();
        return f;
    }

    static final class Feeder implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private final AtomicInteger sent = new AtomicInteger();
        private volatile Throwable failure;

        private Feeder(String bootstrap, List<SentRecord> records, int chunk, Duration pause) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty("acks", "all");
            p.setProperty("enable.idempotence", "true");
            p.setProperty("linger.ms", "5");
            // Survives a broker restart of a few minutes without giving up on a record.
            p.setProperty("delivery.timeout.ms", "600000");
            p.setProperty("max.block.ms", "600000");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            thread = new Thread(() -> {
                try {
                    for (int i = 0; i < records.size(); i++) {
                        SentRecord r = records.get(i);
                        producer.send(new ProducerRecord<>(r.topic(), null, r.timestampMillis(),
                                r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                r.value()), (m, e) -> {
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
                } catch (Throwable t) {
                    failure = t;
                }
            }, "history-feeder");
            thread.setDaemon(true);
        }

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

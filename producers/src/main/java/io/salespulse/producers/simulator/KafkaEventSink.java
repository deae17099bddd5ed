package io.salespulse.producers.simulator;

import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records to Kafka with an idempotent producer ({@code acks=all}), so a retried send never
 * duplicates or reorders records within a partition; the duplicates the simulator injects on purpose
 * are separate sends. The record timestamp is the record's arrival instant (its {@code occurred_at} unless
 * field traffic is simulated): the stream time the jobs work in.
 *
 * <p>Import sessions are written to the imports topic as the gateway writes them ({@link ImportSession#toJson}, key
 * {@code tenant/import_id}, stamped with the time of writing, acknowledged before the call returns): an open record
 * with {@code expires_at} = now + the import timeout, written again every third of the timeout from a thread of its
 * own until the session is completed, then the complete record with the counts.
 */
public final class KafkaEventSink implements EventSink {
    /** How long an open session lasts without renewal; the gateway's default {@code --import-timeout}. */
    public static final Duration DEFAULT_IMPORT_TIMEOUT = Duration.ofMinutes(15);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String importsTopic;
    private final Duration importTimeout;
    /** The first asynchronous send failure, rethrown on the next send/flush so no error is lost. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private ScheduledExecutorService renewer;
    /** The open session's description, kept with its completion as the gateway keeps it. */
    private volatile String importDescription;

    public KafkaEventSink(String bootstrapServers) {
        this(bootstrapServers, Topics.IMPORTS, DEFAULT_IMPORT_TIMEOUT);
    }

    /**
     * @param importsTopic where import sessions go ({@code sales.imports})
     * @param importTimeout how long an open session lasts without renewal
     */
    public KafkaEventSink(String bootstrapServers, String importsTopic, Duration importTimeout) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be empty");
        }
        if (importTimeout.toMillis() < 3) {
            throw new IllegalArgumentException("the import timeout must be positive, got " + importTimeout);
        }
        this.importsTopic = importsTopic;
        this.importTimeout = importTimeout;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "salespulse-simulator");
        this.producer = new KafkaProducer<>(props);
    }

    @Override
    public void send(String topic, String key, byte[] value, long timestampMillis) throws Exception {
        rethrowFailure();
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, null, timestampMillis, keyBytes, value), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public Instant openImport(String tenant, String importId, String description) throws Exception {
        rethrowFailure();
        importDescription = description;
        Instant opened = writeSession(tenant, importId, ImportSession.Status.OPEN, 0, 0, 0, description);
        synchronized (this) {
            if (renewer == null) {
                renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "simulator-import-renewal");
                    t.setDaemon(true);
                    return t;
                });
                long every = importTimeout.toMillis() / 3;
                renewer.scheduleWithFixedDelay(() -> {
                    try {
                        writeSession(tenant, importId, ImportSession.Status.OPEN, 0, 0, 0, description);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }, every, every, TimeUnit.MILLISECONDS);
            }
        }
        return opened;
    }

    @Override
    public Instant completeImport(String tenant, String importId, long cards, long visits, long acks)
            throws Exception {
        // No renewal may follow the completion: it would open the session again.
        stopRenewing();
        flush();
        return writeSession(tenant, importId, ImportSession.Status.COMPLETE, cards, visits, acks, importDescription);
    }

    @Override
    public void flush() throws Exception {
        producer.flush();
        rethrowFailure();
    }

    @Override
    public void close() throws Exception {
        try {
            stopRenewing();
            flush();
        } finally {
            producer.close();
        }
    }

    /** Writes one session record, stamped now, and waits until Kafka has it; returns the stamp. */
    private Instant writeSession(String tenant, String importId, ImportSession.Status status, long cards, long visits,
            long acks, String description) throws Exception {
        long now = System.currentTimeMillis();
        long expiresAt = status == ImportSession.Status.OPEN ? now + importTimeout.toMillis() : now;
        ImportSession s = new ImportSession(tenant, importId, status, expiresAt, cards, visits, acks, description, 0);
        producer.send(new ProducerRecord<>(importsTopic, null, now, s.key().getBytes(StandardCharsets.UTF_8),
                s.toJson())).get(2, TimeUnit.MINUTES);
        return Instant.ofEpochMilli(now);
    }

    private synchronized void stopRenewing() throws InterruptedException {
        if (renewer != null) {
            renewer.shutdown();
            if (!renewer.awaitTermination(3, TimeUnit.MINUTES)) {
                renewer.shutdownNow();
            }
            renewer = null;
        }
    }

    private void rethrowFailure() throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to Kafka failed: " + e.getMessage(), e);
        }
    }
}

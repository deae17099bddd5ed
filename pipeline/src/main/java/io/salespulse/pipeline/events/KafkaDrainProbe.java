package io.salespulse.pipeline.events;

import io.salespulse.pipeline.config.PipelineConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DrainProbe} of the Kafka source: one per task manager and Kafka connection, shared by every
 * source subtask there, doing its work in its own thread with its own consumer.
 *
 * <p>A partition is drained when no committed record lies at or after the source's next offset. The end
 * of a partition for a {@code read_committed} reader is its last stable offset (LSO), but transaction
 * markers and aborted records take offsets below it and are never delivered, so a source that has read
 * everything can stand a few offsets short of the LSO. Then the probe seeks its consumer to the source's
 * next offset and fetches: when the consumer's position passes the LSO without returning a record, only
 * markers and aborted records were left. Records of a transaction still open lie beyond the LSO: like
 * records not written yet, they do not count.
 *
 * <p>What a fetch finds stays true (committed offsets never change), so it is remembered: the offsets
 * known to hold no record, and the newest record known to lie ahead of the source. A source behind a
 * backlog therefore costs a small fetch only each time it has read past the record found last, and a
 * drained partition one end-offset request per second. A round of checks starts at most once a second, for the questions asked since the last round;
 * its answers count for {@link #ANSWER_VALID_NANOS}. An error clears every answer. After a minute without
 * questions the consumer is closed and the thread ends; the next question starts them again.
 */
public final class KafkaDrainProbe implements DrainProbe {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDrainProbe.class);
    private static final Map<Connection, KafkaDrainProbe> SHARED = new ConcurrentHashMap<>();
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private static final long ROUND_NANOS = 1_000_000_000L;
    private static final long ANSWER_VALID_NANOS = 3_000_000_000L;
    private static final long IDLE_NANOS = 60_000_000_000L;
    /** How long one round may fetch before it leaves the remaining partitions undecided. */
    private static final long FETCH_BUDGET_NANOS = 2_000_000_000L;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);

    /** Where to connect and which topics the source reads; the key of the shared probe. */
    record Connection(Map<String, String> kafkaProperties, List<String> topics) implements DrainProbe.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public DrainProbe open() {
            return SHARED.computeIfAbsent(this, KafkaDrainProbe::new);
        }
    }

    /** The probe of the monitor job's input topics, connected as the job's Kafka source is. */
    public static DrainProbe.Factory factory(PipelineConfig config) {
        return new Connection(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap),
                List.of(config.topicStages, config.topicVisits, config.topicAcks));
    }

    /** "Nothing committed at or after {@code drainedFrom}", found by the round that started at {@code atNanos}. */
    private record Answer(long drainedFrom, long atNanos) {}

    /** One round's work: the offsets asked about per partition, and whether to reach all input partitions. */
    private record Round(Map<TopicPartition, TreeSet<Long>> questions, boolean allPartitions) {}

    private final Connection connection;
    private final Object lock = new Object();

    // Guarded by lock. Questions: partition -> asked next offset -> when it was last asked.
    private final Map<TopicPartition, Map<Long, Long>> questions = new HashMap<>();
    private final Map<TopicPartition, Answer> answers = new HashMap<>();
    private long allPartitionsAskedNanos;
    private long allPartitionsAnsweredNanos;
    private boolean allPartitionsAnswered;
    private long lastQuestionNanos;
    private long lastRoundNanos;
    private boolean failing;
    private Thread worker;

    // Only the worker thread uses these (one worker at a time; the lock hands them over).
    private final Map<TopicPartition, Known> known = new HashMap<>();

    private KafkaDrainProbe(Connection connection) {
        this.connection = connection;
        this.lastRoundNanos = System.nanoTime() - ROUND_NANOS;
        this.allPartitionsAskedNanos = lastRoundNanos - ROUND_NANOS;
    }

    @Override
    public boolean confirmsDrained(String topic, int partition, long nextOffset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        long now = System.nanoTime();
        synchronized (lock) {
            questions.computeIfAbsent(tp, k -> new HashMap<>()).put(nextOffset, now);
            asked(now);
            Answer a = answers.get(tp);
            return a != null && nextOffset >= a.drainedFrom && now - a.atNanos <= ANSWER_VALID_NANOS;
        }
    }

    @Override
    public boolean kafkaAnswers() {
        long now = System.nanoTime();
        synchronized (lock) {
            allPartitionsAskedNanos = now;
            asked(now);
            return allPartitionsAnswered && now - allPartitionsAnsweredNanos <= ANSWER_VALID_NANOS;
        }
    }

    private void asked(long now) {
        lastQuestionNanos = now;
        if (worker == null) {
            worker = new Thread(this::work, "salespulse-drain-probe");
            worker.setDaemon(true);
            worker.start();
        } else if (now - lastRoundNanos >= ROUND_NANOS) {
            lock.notifyAll();
        }
    }

    private void work() {
        Consumer<byte[], byte[]> consumer = null;
        try {
            for (Round round = nextRound(); round != null; round = nextRound()) {
                consumer = check(round, consumer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (lock) {
                if (worker == Thread.currentThread()) {
                    worker = null;
                }
            }
            close(consumer);
        }
    }

    /** Waits for the next round: a second after the last one, once a question has come; null when idle. */
    private Round nextRound() throws InterruptedException {
        synchronized (lock) {
            while (true) {
                long now = System.nanoTime();
                long wait = lastRoundNanos + ROUND_NANOS - now;
                if (wait <= 0) {
                    Round round = questionsSince(lastRoundNanos, now);
                    if (round != null) {
                        lastRoundNanos = now;
                        return round;
                    }
                    if (now - lastQuestionNanos >= IDLE_NANOS) {
                        worker = null;
                        return null;
                    }
                    wait = ROUND_NANOS;
                }
                lock.wait(Math.max(1, wait / 1_000_000L));
            }
        }
    }

    private Round questionsSince(long since, long now) {
        Map<TopicPartition, TreeSet<Long>> due = new HashMap<>();
        for (Iterator<Map.Entry<TopicPartition, Map<Long, Long>>> it = questions.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Map<Long, Long>> e = it.next();
            // A generator asks every 200 ms while it waits; one that stopped asking has its records back.
            e.getValue().values().removeIf(askedAt -> now - askedAt > 2 * ROUND_NANOS);
            if (e.getValue().isEmpty()) {
                it.remove();
                answers.remove(e.getKey());
                continue;
            }
            TreeSet<Long> offsets = new TreeSet<>();
            e.getValue().forEach((offset, askedAt) -> {
                if (askedAt - since > 0) {
                    offsets.add(offset);
                }
            });
            if (!offsets.isEmpty()) {
                due.put(e.getKey(), offsets);
            }
        }
        boolean all = allPartitionsAskedNanos - since > 0;
        return due.isEmpty() && !all ? null : new Round(due, all);
    }

    /** One round; returns the consumer to use next time (null after an error: a new one is made). */
    private Consumer<byte[], byte[]> check(Round round, Consumer<byte[], byte[]> consumer) {
        long started = System.nanoTime();
        try {
            if (consumer == null) {
                consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
            }
            Set<TopicPartition> partitions = new HashSet<>(round.questions.keySet());
            if (round.allPartitions) {
                for (String topic : connection.topics) {
                    for (PartitionInfo p : consumer.partitionsFor(topic, REQUEST_TIMEOUT)) {
                        partitions.add(new TopicPartition(p.topic(), p.partition()));
                    }
                }
            }
            Map<TopicPartition, Long> drainedFrom = new HashMap<>();
            try {
                // Assigned, so that the consumer keeps the last stable offsets it is told (else it warns).
                consumer.assign(partitions);
                Map<TopicPartition, Long> ends = partitions.isEmpty() ? Map.of()
                        : consumer.endOffsets(partitions, REQUEST_TIMEOUT); // read_committed: the LSO
                Map<TopicPartition, Long> toFetch = new HashMap<>();
                round.questions.forEach((tp, offsets) -> decide(tp, offsets, ends.get(tp), drainedFrom, toFetch));
                if (!toFetch.isEmpty()) {
                    fetch(consumer, toFetch, ends, drainedFrom);
                }
            } finally {
                consumer.unsubscribe();
            }
            answered(round, started, drainedFrom);
            return consumer;
        } catch (RuntimeException e) {
            failed(e);
            close(consumer);
            return null;
        }
    }

    /** Decides what is known without fetching; the rest goes to {@code toFetch} (first undecided offset). */
    private void decide(TopicPartition tp, TreeSet<Long> offsets, Long end, Map<TopicPartition, Long> drainedFrom,
            Map<TopicPartition, Long> toFetch) {
        if (end == null) {
            return;
        }
        Known k = known.computeIfAbsent(tp, p -> new Known());
        for (long offset : offsets) {
            if (end <= offset || k.noRecords(offset, end)) {
                drainedFrom.put(tp, offset); // and so every higher offset asked
                return;
            }
            if (k.recordAt >= offset) {
                continue; // a committed record the source has not delivered yet
            }
            toFetch.put(tp, offset);
            return;
        }
    }

    /** Fetches from each asked offset until a record comes or the position passes the end. */
    private void fetch(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> asked, Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> drainedFrom) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        asked.forEach((tp, offset) -> starts.put(tp, known.get(tp).resumeFrom(offset)));
        consumer.assign(starts.keySet()); // the others are decided; unassigned they are not fetched
        starts.forEach(consumer::seek);
        Set<TopicPartition> open = new HashSet<>(starts.keySet());
        long deadline = System.nanoTime() + FETCH_BUDGET_NANOS;
        while (!open.isEmpty() && deadline - System.nanoTime() > 0) {
            ConsumerRecords<byte[], byte[]> got = consumer.poll(POLL);
            for (TopicPartition tp : got.partitions()) {
                if (open.remove(tp)) {
                    List<ConsumerRecord<byte[], byte[]>> records = got.records(tp);
                    known.get(tp).recordAt = records.get(records.size() - 1).offset();
                    consumer.pause(List.of(tp));
                }
            }
            for (Iterator<TopicPartition> it = open.iterator(); it.hasNext(); ) {
                TopicPartition tp = it.next();
                // The position moves past markers and aborted records without returning them.
                long position = consumer.position(tp, REQUEST_TIMEOUT);
                known.get(tp).noRecordsBetween(asked.get(tp), starts.get(tp), position);
                if (position >= ends.get(tp)) {
                    drainedFrom.put(tp, asked.get(tp));
                    it.remove();
                }
            }
        }
    }

    private void answered(Round round, long started, Map<TopicPartition, Long> drainedFrom) {
        boolean recovered;
        synchronized (lock) {
            for (TopicPartition tp : round.questions.keySet()) {
                Long from = drainedFrom.get(tp);
                if (from != null) {
                    answers.put(tp, new Answer(from, started));
                } else {
                    answers.remove(tp);
                }
            }
            if (round.allPartitions) {
                allPartitionsAnswered = true;
                allPartitionsAnsweredNanos = started;
            }
            recovered = failing;
            failing = false;
        }
        if (recovered) {
            LOG.info("Kafka answers the drain probe again");
        }
    }

    private void failed(RuntimeException e) {
        boolean first;
        synchronized (lock) {
            answers.clear();
            allPartitionsAnswered = false;
            first = !failing;
            failing = true;
        }
        if (first) {
            LOG.warn("Kafka does not answer the drain probe ({}): partitions that are not caught up keep event time"
                    + " until it does", e.toString());
        }
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(connection.kafkaProperties);
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "salespulse-drain-probe-" + CLIENT_IDS.incrementAndGet());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // One batch per partition is enough to see whether a record is there.
        p.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        p.setProperty(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT.toMillis()));
        p.setProperty(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT.toMillis()));
        return p;
    }

    private static void close(Consumer<byte[], byte[]> consumer) {
        if (consumer == null) {
            return;
        }
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        } catch (RuntimeException e) {
            LOG.debug("Closing the drain probe's consumer failed", e);
        }
    }

    /** What fetches found in one partition; true for good, since committed offsets never change. */
    private static final class Known {
        /** No committed record in [emptyFrom, emptyUntil). */
        long emptyFrom = -1;
        long emptyUntil = -1;
        /** A committed record at this offset (-1: none known). */
        long recordAt = -1;

        boolean noRecords(long from, long until) {
            return emptyFrom >= 0 && emptyFrom <= from && until <= emptyUntil;
        }

        /** Where a fetch for {@code offset} starts: past the offsets already known to be empty. */
        long resumeFrom(long offset) {
            return emptyFrom >= 0 && emptyFrom <= offset && offset < emptyUntil ? emptyUntil : offset;
        }

        /** A fetch for {@code offset} that started at {@code start} reached {@code position} without a record. */
        void noRecordsBetween(long offset, long start, long position) {
            if (start != offset) {
                emptyUntil = Math.max(emptyUntil, position); // continued the known empty range
            } else if (position > offset) {
                emptyFrom = offset;
                emptyUntil = position;
            }
        }
    }
}

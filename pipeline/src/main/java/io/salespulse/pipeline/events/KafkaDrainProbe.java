package io.salespulse.pipeline.events;

import io.salespulse.pipeline.config.PipelineConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DrainProbe} of the Kafka source: one per task manager and Kafka connection, shared by every
 * source subtask there, doing its work in its own thread with its own consumer.
 *
 * <p>A partition is drained when no committed record lies at or after the reader's next offset. The end of a
 * partition for a {@code read_committed} reader is its last stable offset (LSO), but transaction markers and
 * aborted records take offsets below it and are never delivered, so a reader that has read everything can
 * stand a few offsets short of the LSO. Then the probe seeks its consumer to the reader's next offset and
 * fetches: when the consumer's position passes the LSO without returning a record, only markers and aborted
 * records were left. Records of a transaction still open lie beyond the LSO: like records not written yet,
 * they do not count.
 *
 * <p>A split that has delivered no record yet starts at a marker ("earliest", "committed", "latest"); the probe
 * resolves it once, as the reader does (committed offsets of the job's consumer group, else the beginning), so
 * an empty partition, or one whose records were all read before a restart, is confirmed drained in one round:
 * no waiting for a timeout after a start or a restore.
 *
 * <p>What a fetch finds stays true (committed offsets never change), so it is remembered: the offsets known to
 * hold no record, and the newest record known to lie ahead of the reader. A reader behind a backlog therefore
 * costs a small fetch only each time it has read past the record found last, and a drained partition one
 * end-offset request per round. A round starts at most every {@code interval}, for the questions asked since
 * the last round. An error clears every answer. After a minute without questions the consumer is closed and
 * the thread ends; the next question starts them again.
 */
public final class KafkaDrainProbe implements DrainProbe {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDrainProbe.class);
    private static final Map<Connection, KafkaDrainProbe> SHARED = new ConcurrentHashMap<>();
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    private static final long IDLE_NANOS = 60_000_000_000L;
    /** How long one round may fetch before it leaves the remaining partitions undecided. */
    private static final long FETCH_BUDGET_NANOS = 2_000_000_000L;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * How long the broker may hold one of the probe's fetches for data to arrive. Kafka's 500 ms default held
     * the next round's fetch behind the last one's (one fetch in flight per broker), and the clock with it.
     */
    private static final int FETCH_MAX_WAIT_MS = 10;
    /** A question not asked again for this many rounds is dropped (its reader has its records back, or is gone). */
    private static final int FORGET_AFTER_ROUNDS = 10;

    /**
     * Where to connect, which consumer group the source uses (for committed offsets), and how often to check;
     * the key of the shared probe.
     */
    record Connection(Map<String, String> kafkaProperties, String groupId, long intervalMillis)
            implements DrainProbe.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public DrainProbe open() {
            return SHARED.computeIfAbsent(this, KafkaDrainProbe::new);
        }
    }

    /** The probe for a job's input source, connected as its Kafka source is. */
    public static DrainProbe.Factory factory(PipelineConfig config, String groupId) {
        return new Connection(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap), groupId,
                Math.max(10, config.drainCheckInterval.toMillis()));
    }

    /** "Nothing committed at or after {@code drainedFrom}", found by the round that started at {@code atMillis}. */
    private record Answer(long drainedFrom, long atMillis) {}

    /** One round's work: the offsets asked about per partition, the markers still to resolve, when it started. */
    private record Round(Map<TopicPartition, TreeSet<Long>> questions, Map<TopicPartition, Set<Long>> markers,
            long startedMillis) {}

    private final Connection connection;
    private final long roundNanos;
    private final Object lock = new Object();

    // Guarded by lock. Questions: partition -> asked next offset (or marker) -> the round it was last asked in.
    private final Map<TopicPartition, Map<Long, Long>> questions = new HashMap<>();
    private final Map<TopicPartition, Answer> answers = new HashMap<>();
    /** Markers resolved to offsets: partition -> marker -> offset. */
    private final Map<TopicPartition, Map<Long, Long>> resolved = new HashMap<>();
    private long round;
    private long lastQuestionNanos;
    private long lastRoundNanos;
    private boolean asked;
    private boolean failing;
    private Thread worker;
    /** Rounds answered, and the future the next answer completes (see {@link DrainProbe#nextAnswer}). */
    private final AtomicLong answerCount = new AtomicLong();
    private volatile CompletableFuture<Void> nextAnswer = new CompletableFuture<>();

    // Only the worker thread uses these (one worker at a time; the lock hands them over).
    private final Map<TopicPartition, Known> known = new HashMap<>();

    private KafkaDrainProbe(Connection connection) {
        this.connection = connection;
        this.roundNanos = connection.intervalMillis * 1_000_000L;
        this.lastRoundNanos = System.nanoTime() - roundNanos;
    }

    @Override
    public long drainedAt(Map<TopicPartition, Long> nextOffsets) {
        long now = System.nanoTime();
        synchronized (lock) {
            long at = Long.MAX_VALUE;
            for (Map.Entry<TopicPartition, Long> e : nextOffsets.entrySet()) {
                TopicPartition tp = e.getKey();
                long asked = e.getValue();
                questions.computeIfAbsent(tp, k -> new HashMap<>()).put(asked, round);
                long offset = asked >= 0 ? asked : resolved.getOrDefault(tp, Map.of()).getOrDefault(asked, -1L);
                Answer a = answers.get(tp);
                at = offset >= 0 && a != null && offset >= a.drainedFrom ? Math.min(at, a.atMillis) : Long.MIN_VALUE;
            }
            asked(now);
            return at == Long.MAX_VALUE ? System.currentTimeMillis() : at;
        }
    }

    @Override
    public long answers() {
        return answerCount.get();
    }

    @Override
    public CompletableFuture<Void> nextAnswer() {
        return nextAnswer;
    }

    private void asked(long now) {
        lastQuestionNanos = now;
        asked = true;
        if (worker == null) {
            worker = new Thread(this::work, "salespulse-drain-probe");
            worker.setDaemon(true);
            worker.start();
        } else if (now - lastRoundNanos >= roundNanos) {
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

    /** Waits for the next round: {@code interval} after the last one, once a question has come; null when idle. */
    private Round nextRound() throws InterruptedException {
        synchronized (lock) {
            while (true) {
                long now = System.nanoTime();
                long wait = lastRoundNanos + roundNanos - now;
                if (wait <= 0) {
                    if (asked) {
                        asked = false;
                        lastRoundNanos = now;
                        return questionsOfThisRound();
                    }
                    if (now - lastQuestionNanos >= IDLE_NANOS) {
                        worker = null;
                        return null;
                    }
                    wait = roundNanos;
                }
                lock.wait(Math.max(1, wait / 1_000_000L));
            }
        }
    }

    /** The questions still asked, with markers resolved where known; forgets those not asked for a while. */
    private Round questionsOfThisRound() {
        round++;
        Map<TopicPartition, TreeSet<Long>> due = new HashMap<>();
        Map<TopicPartition, Set<Long>> markers = new HashMap<>();
        for (Iterator<Map.Entry<TopicPartition, Map<Long, Long>>> it = questions.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Map<Long, Long>> e = it.next();
            e.getValue().values().removeIf(askedIn -> round - askedIn > FORGET_AFTER_ROUNDS);
            if (e.getValue().isEmpty()) {
                it.remove();
                answers.remove(e.getKey());
                continue;
            }
            TreeSet<Long> offsets = new TreeSet<>();
            for (long asked : e.getValue().keySet()) {
                Long offset = asked >= 0 ? Long.valueOf(asked) : resolved.getOrDefault(e.getKey(), Map.of()).get(asked);
                if (offset != null) {
                    offsets.add(offset);
                } else {
                    markers.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(asked);
                }
            }
            due.put(e.getKey(), offsets);
        }
        return new Round(due, markers, System.currentTimeMillis());
    }

    /** One round; returns the consumer to use next time (null after an error: a new one is made). */
    private Consumer<byte[], byte[]> check(Round round, Consumer<byte[], byte[]> consumer) {
        try {
            if (consumer == null) {
                consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
            }
            Map<TopicPartition, Long> drainedFrom = new HashMap<>();
            Map<TopicPartition, Map<Long, Long>> resolvedNow = resolve(consumer, round.markers);
            resolvedNow.forEach((tp, m) -> round.questions.computeIfAbsent(tp, k -> new TreeSet<>()).addAll(m.values()));
            Set<TopicPartition> partitions = new HashSet<>(round.questions.keySet());
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
            answered(round, drainedFrom, resolvedNow);
            return consumer;
        } catch (RuntimeException e) {
            failed(e);
            close(consumer);
            return null;
        }
    }

    /**
     * Where a split that has delivered nothing starts, as the Kafka source's reader decides it: "committed" is the
     * group's committed offset, else the beginning (the jobs reset to the earliest offset); "earliest" the
     * beginning; "latest" the end when first asked.
     */
    private Map<TopicPartition, Map<Long, Long>> resolve(Consumer<byte[], byte[]> consumer,
            Map<TopicPartition, Set<Long>> markers) {
        Map<TopicPartition, Map<Long, Long>> out = new HashMap<>();
        if (markers.isEmpty()) {
            return out;
        }
        Set<TopicPartition> tps = markers.keySet();
        consumer.assign(tps); // assigned, or the consumer warns about the last stable offsets it is told
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(tps, REQUEST_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, REQUEST_TIMEOUT);
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                connection.groupId == null ? Map.of() : consumer.committed(tps, REQUEST_TIMEOUT);
        markers.forEach((tp, ms) -> {
            for (long marker : ms) {
                long offset;
                if (marker == KafkaPartitionSplit.COMMITTED_OFFSET && committed.get(tp) != null) {
                    offset = committed.get(tp).offset();
                } else if (marker == KafkaPartitionSplit.LATEST_OFFSET) {
                    offset = ends.get(tp);
                } else {
                    offset = beginnings.get(tp);
                }
                out.computeIfAbsent(tp, k -> new HashMap<>()).put(marker, offset);
            }
        });
        return out;
    }

    /** Decides what is known without fetching (see {@link Known#drainedFrom}); the rest goes to {@code toFetch}. */
    private void decide(TopicPartition tp, TreeSet<Long> offsets, Long end, Map<TopicPartition, Long> drainedFrom,
            Map<TopicPartition, Long> toFetch) {
        if (end == null || offsets.isEmpty()) {
            return;
        }
        Known k = known.computeIfAbsent(tp, p -> new Known());
        long from = k.drainedFrom(offsets, end);
        if (from >= 0) {
            drainedFrom.put(tp, from);
            return;
        }
        long fetchFrom = k.fetchFrom(offsets);
        if (fetchFrom >= 0) {
            toFetch.put(tp, fetchFrom);
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

    private void answered(Round round, Map<TopicPartition, Long> drainedFrom,
            Map<TopicPartition, Map<Long, Long>> resolvedNow) {
        boolean recovered;
        synchronized (lock) {
            resolvedNow.forEach((tp, m) -> resolved.computeIfAbsent(tp, k -> new HashMap<>()).putAll(m));
            for (TopicPartition tp : round.questions.keySet()) {
                Long from = drainedFrom.get(tp);
                if (from != null) {
                    answers.put(tp, new Answer(from, round.startedMillis));
                } else {
                    answers.remove(tp);
                }
            }
            recovered = failing;
            failing = false;
        }
        answerCount.incrementAndGet(); // counted before the future is replaced (see ArrivalTimeSource.Reader)
        CompletableFuture<Void> answered = nextAnswer;
        nextAnswer = new CompletableFuture<>();
        answered.complete(null);
        if (recovered) {
            LOG.info("Kafka answers the drain probe again");
        }
    }

    private void failed(RuntimeException e) {
        boolean first;
        synchronized (lock) {
            answers.clear();
            first = !failing;
            failing = true;
        }
        if (first) {
            LOG.warn("Kafka does not answer the drain probe ({}): the jobs' clock follows the records read until it"
                    + " does", e.toString());
        }
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(connection.kafkaProperties);
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "salespulse-drain-probe-" + CLIENT_IDS.incrementAndGet());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        if (connection.groupId != null) {
            // Only to read the group's committed offsets: the probe assigns partitions, it never joins the group.
            p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, connection.groupId);
        }
        // One batch per partition is enough to see whether a record is there.
        p.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        p.setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.toString(FETCH_MAX_WAIT_MS));
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
    static final class Known {
        /** No committed record in [emptyFrom, emptyUntil). */
        long emptyFrom = -1;
        long emptyUntil = -1;
        /** A committed record at this offset (-1: none known). */
        long recordAt = -1;

        boolean noRecords(long from, long until) {
            return emptyFrom >= 0 && emptyFrom <= from && until <= emptyUntil;
        }

        /**
         * The lowest offset asked from which the partition is known to hold no committed record, given its end (the
         * last stable offset); -1 when none is known. Drained from an offset means drained from every higher one.
         */
        long drainedFrom(TreeSet<Long> asked, long end) {
            for (long offset : asked) {
                if (end <= offset || noRecords(offset, end)) {
                    return offset;
                }
            }
            return -1;
        }

        /**
         * Where to fetch when nothing asked is known drained: from the highest offset asked, which is where the
         * partition's reader stands now (lower offsets are questions it asked before it read on, kept a few rounds
         * for a reader that was rewound); -1 when a record is known there or after it (the reader has not delivered
         * it yet). A fetch from an offset the reader has passed would only find a record it has already read, and the
         * reader would wait a round for its answer.
         */
        long fetchFrom(TreeSet<Long> asked) {
            long newest = asked.last();
            return recordAt >= newest ? -1 : newest;
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

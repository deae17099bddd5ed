package io.salespulse.notifier.policy;

import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.contract.policy.PolicyParser;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted {@code sales.policies} topic into a {@link PolicyBook}: every partition from the
 * beginning (no consumer group, nothing committed: the policies are state rebuilt on every start), then whatever
 * arrives. Invalid or stale documents are skipped (DEBUG log); the monitor job dead-letters them. A missing topic
 * means "no policies yet" and is looked for again at each {@link #discover()}.
 *
 * <p>{@link #current()} turns true once everything the topic held at start has been read, so the notifier never
 * escalates under policies it has not caught up with. Used from the notifier's one thread only.
 */
public final class PolicyFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyFollower.class);

    private final String topic;
    private final PolicyBook book;
    private final KafkaConsumer<String, byte[]> consumer;
    /** End offsets when the partitions were first assigned: reading up to them makes the book current. */
    private final Map<TopicPartition, Long> startEnd = new HashMap<>();
    private boolean discovered;
    private boolean current;
    private volatile long recordsRead;

    public PolicyFollower(String bootstrap, String topic, PolicyParser parser) {
        this.topic = topic;
        this.book = new PolicyBook(parser);
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "salespulse-notifier-policies");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Looking for the topic must not create it (with the broker's defaults instead of compaction).
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
    }

    public PolicyBook book() {
        return book;
    }

    /** Whether everything the topic held at start (or when it appeared) has been applied. */
    public boolean current() {
        return current;
    }

    /** Records read so far (any thread; for tests and logs). */
    public long recordsRead() {
        return recordsRead;
    }

    /** Start: finds the partitions and reads up to the end offsets of now, for at most {@code timeout}. */
    public void catchUp(Duration timeout) {
        discover();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!current && System.nanoTime() < deadline) {
            read(Duration.ofMillis(100));
        }
        if (current) {
            LOG.info("Policies from {}: {} scope(s) after {} record(s)", topic, book.all().size(), recordsRead);
        } else {
            LOG.warn("Policies from {} not read to the end within {}; escalation waits until they are", topic, timeout);
        }
    }

    /** Applies whatever arrived since the last call, without waiting. */
    public void poll() {
        read(Duration.ZERO);
    }

    /** Assigns partitions not assigned yet (the topic created after start, partitions added), from the beginning. */
    public void discover() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (KafkaException e) {
            LOG.debug("Looking for {}: {}", topic, e.toString());
            return;
        }
        Set<TopicPartition> all = new HashSet<>();
        for (PartitionInfo i : infos == null ? List.<PartitionInfo>of() : infos) {
            all.add(new TopicPartition(i.topic(), i.partition()));
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(consumer.assignment());
        if (added.isEmpty()) {
            if (!discovered && all.isEmpty()) {
                current = true; // no topic: no policies, nothing to wait for
            }
            return;
        }
        all.addAll(consumer.assignment());
        consumer.assign(all);
        consumer.seekToBeginning(added);
        startEnd.putAll(consumer.endOffsets(added, Duration.ofSeconds(10)));
        discovered = true;
        current = false;
        checkCurrent();
    }

    private void read(Duration wait) {
        if (consumer.assignment().isEmpty()) {
            return;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            recordsRead++;
            try {
                if (book.apply(r.key(), r.value())) {
                    LOG.info("Policy of scope {} {}", r.key(), book.get(r.key()) == null ? "removed"
                            : "set (version " + book.get(r.key()).version() + ")");
                }
            } catch (InvalidEventException invalid) {
                LOG.debug("Ignoring policy record {}-{}@{} (the monitor job dead-letters it): {}", r.topic(),
                        r.partition(), r.offset(), invalid.getMessage());
            }
        }
        if (!current) {
            checkCurrent();
        }
    }

    private void checkCurrent() {
        for (Map.Entry<TopicPartition, Long> e : startEnd.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        current = true;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

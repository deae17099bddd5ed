package io.salespulse.pipeline.events;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells a source reader since when Kafka has confirmed that it has read its partitions to the end. The answer
 * comes at once from the latest checks, and asks for new ones: a source task never waits for Kafka. Every doubt
 * (no check yet, an error, a broker that does not answer) means "not confirmed": the reader's clock then keeps
 * following the records it reads, which can delay alerts but never fires them early.
 */
public interface DrainProbe {
    /**
     * The wall-clock time (epoch ms) at which a check started that found no committed record at or after the
     * given next offset of every given partition, or {@link Long#MIN_VALUE} when that is not confirmed. A next
     * offset is the offset after the last record the reader delivered, or the split's starting offset while it
     * has delivered none: a concrete offset or one of the Kafka source's markers for "earliest", "latest" and
     * "committed", which the probe resolves as the reader does.
     */
    long drainedAt(Map<TopicPartition, Long> nextOffsets);

    /**
     * How many checks have been answered so far; a reader that sees it change asks again at once instead of at its
     * next interval, so a new answer moves the clock without waiting for the reader's own tick.
     */
    default long answers() {
        return 0;
    }

    /** Completes when the next check has been answered (never, for a probe that does not say). */
    default CompletableFuture<Void> nextAnswer() {
        return new CompletableFuture<>();
    }

    /** Finds or creates the probe in the task manager; it travels with the job graph, so it is serializable. */
    interface Factory extends Serializable {
        DrainProbe open();
    }
}

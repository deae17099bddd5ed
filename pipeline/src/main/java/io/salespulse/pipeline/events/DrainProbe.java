package io.salespulse.pipeline.events;

import java.io.Serializable;

/**
 * Tells {@link LiveWatermarks} whether the Kafka source has read a partition to its end. Both questions
 * are answered at once from the latest check, and ask for a new one: a source task never waits for Kafka.
 * Every doubt (no check yet, an old check, an error, a broker that does not answer) is a {@code false}: event
 * time then keeps following the data, which can delay alerts but never fires them early.
 */
public interface DrainProbe {
    /**
     * True when a check of the last few seconds found no committed record at or after {@code nextOffset},
     * the offset after the last record the source delivered from this partition.
     */
    boolean confirmsDrained(String topic, int partition, long nextOffset);

    /** True when a check of the last few seconds reached every partition of the input topics. */
    boolean kafkaAnswers();

    /** Finds or creates the probe in the task manager; it travels with the job graph, so it is serializable. */
    interface Factory extends Serializable {
        DrainProbe open();
    }
}

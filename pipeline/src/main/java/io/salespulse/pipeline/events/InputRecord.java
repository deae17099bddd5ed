package io.salespulse.pipeline.events;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;

/**
 * One record read from an input topic, already parsed in the source: exactly one of {@link #stage},
 * {@link #visit}, {@link #ack}, {@link #cash} or {@link #deadLetter} is set. Parsing in the source lets each Kafka
 * partition carry its own watermark from {@code occurred_at} (see {@link LiveWatermarks}).
 */
public class InputRecord {
    /** Kafka record timestamp (ms): when the record was written, used to judge how fresh a partition is. */
    public long kafkaTimestamp;
    /** Where the record was read (dead letters too): tells {@link LiveWatermarks} its partition and how far it got. */
    public String topic;
    public int partition;
    public long offset;
    public StageEvent stage;
    public VisitEvent visit;
    public AckEvent ack;
    public DeadLetter deadLetter;
    /** A contract, invoice or payment of {@code sales.cash}. */
    public CashEvent cash;

    public InputRecord() {}

    /** Event time of a valid event; {@link Long#MIN_VALUE} for a dead letter (it must not move event time). */
    public long eventTime() {
        if (stage != null) return stage.occurredAt;
        if (visit != null) return visit.occurredAt;
        if (ack != null) return ack.occurredAt;
        if (cash != null) return cash.occurredAt;
        return Long.MIN_VALUE;
    }

    static InputRecord of(String topic, int partition, long offset, long kafkaTimestamp) {
        InputRecord r = new InputRecord();
        r.topic = topic;
        r.partition = partition;
        r.offset = offset;
        r.kafkaTimestamp = kafkaTimestamp;
        return r;
    }
}

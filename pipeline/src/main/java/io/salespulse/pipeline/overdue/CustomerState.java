package io.salespulse.pipeline.overdue;

/**
 * What the overdue detector remembers about one customer's open opportunity (a Flink POJO kept in
 * RocksDB). Created by the first stage card, updated by later cards and visits, cleared when the
 * opportunity is won or lost, expired by state TTL when the customer is abandoned.
 */
public class CustomerState {
    public String tenant;
    public String customerId;
    /** Owner: the rep of the latest card. */
    public String repId;
    public String region;
    public String team;
    /** Current stage code. */
    public String stage;
    public long stageEnteredAt;
    /** When the next card is due (ms); the detector has an event-time timer registered for it while active. */
    public long dueAt;
    /** {@code active} or {@code overdue}. */
    public String status;
    public boolean highPotential;
    public Double dealValue;
    /** Latest objection tag seen in this opportunity, for the suggestion. */
    public String objectionTag;
    public long lastEventAt;
    /** The SLA (ms) that produced {@link #dueAt}: the effective policy's when the stage was entered or last re-timed. */
    public long slaMillis;
    /** Whether that SLA counts working time (a business calendar applied) rather than calendar time. */
    public boolean workingTime;
    /** Version of the customer_status row: grows with every change, so ClickHouse keeps the latest. */
    public long version;
    /** When the opportunity started (its first card, ms): the high part of every version it writes. */
    public long opportunityStart;

    public CustomerState() {}
}

package io.salespulse.pipeline.overdue;

/**
 * One stage card as the detector keeps it in a customer's timeline (a Flink POJO in RocksDB): what the walk
 * through the opportunity and the alert texts need, nothing of the free texts.
 */
public class CardFact {
    /** 64-bit hash of the event_id: the same card sent again (an app retry) is recognized by it. */
    public long idHash;
    /** occurred_at (ms). */
    public long at;
    /** When it reached the system (Kafka timestamp, ms): a retraction says when the card was uploaded. */
    public long arrivedAt;
    /** {@link io.salespulse.contract.Stage#rank()}. */
    public int rank;
    /** {@code won}, {@code lost}, {@code pending} or null. */
    public String outcome;
    public boolean highPotential;
    public Double dealValue;
    public String objectionTag;
    public String repId;
    public String region;
    public String team;
    /**
     * When the next card is due after this one, fixed the first time the card entered a stage (0 while it has
     * not): a later policy change re-times only the customer's waiting stage, never history.
     */
    public long dueAt;
    /** The SLA (ms) that produced {@link #dueAt}. */
    public long slaMillis;
    /** Whether that SLA counted working time (a business calendar applied). */
    public boolean workingTime;

    public CardFact() {}

    /** A won or lost closing card: it ends the opportunity. */
    public boolean closes() {
        return "won".equals(outcome) || "lost".equals(outcome);
    }

    /** Timeline order: occurred_at, then the id hash (a stable tie-break, the same in every run). */
    boolean before(CardFact o) {
        return at != o.at ? at < o.at : idHash < o.idHash;
    }
}

package io.salespulse.pipeline.overdue;

/**
 * A {@code stage_overdue} alert the detector has decided for a customer (a Flink POJO): the stage entry it is
 * about (the entering card's id hash), its due time, whether it was sent (or only tracked, the policy having
 * switched the type off) and whether a card uploaded later withdrew it. Kept as long as the entering card is.
 */
public class AlertFact {
    public long entryIdHash;
    public String stage;
    public long dueAt;
    /** The moment it fired: due time + offline grace. */
    public long firedAt;
    /** False when {@code alert_types.stage_overdue} was off: the customer turned overdue, no alert went out. */
    public boolean sent;
    public boolean retracted;
    /** Severity high (the customer was high potential at the stage). */
    public boolean high;
    /** Origin history: decided at an import's completion about a moment more than a day back. */
    public boolean history;

    public AlertFact() {}
}

package io.salespulse.pipeline.funnel;

/**
 * A customer's stage history as {@link CustomerFunnel} knows it (its cards of the last retention), sent to every
 * team it belongs or belonged to whenever it changes; the team's {@link ForecastDigest} evaluates any date from it.
 * The customer counts for the team at a moment when the interval in force then names the team.
 */
public class CustomerHistory {
    public static final String OPEN = "open";

    public String tenant;
    public String customerId;
    /** The team this copy goes to (the key of the digest). */
    public String team;
    /** Occurred time of the customer's newest card: an open customer silent for the retention is forgotten. */
    public long lastCardAt;
    /** In time order; the first starts at the oldest card the customer funnel still holds. */
    public StageInterval[] intervals = new StageInterval[0];
    /** import_id of the card whose arrival produced this version, null for a live card. */
    public String importId;
    /** Arrival time of the version the digest keeps (set there). */
    public long receivedAt;

    public CustomerHistory() {}
}

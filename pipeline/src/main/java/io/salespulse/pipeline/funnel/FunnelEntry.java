package io.salespulse.pipeline.funnel;

import java.util.Objects;

/**
 * One customer's entry into a stage within one opportunity, and when it advanced (an upsert; {@link #deleted}
 * retracts an entry that a late card showed to be wrong). Keyed downstream by {@link #entryId}.
 */
public class FunnelEntry {
    public static final long NOT_ADVANCED = Long.MAX_VALUE;

    public String tenant;
    public String region;
    public String team;
    public String rep;
    public String customerId;
    public String stage;
    /** customer, stage and the opportunity's first card time: stable while the opportunity's cards only grow. */
    public String entryId;
    public long entryAt;
    /** occurred_at of the first later-stage card (closing: the won card), or {@link #NOT_ADVANCED}. */
    public long advancedAt = NOT_ADVANCED;
    public boolean deleted;
    /** import_id of the card whose arrival produced this version, null for a live card: its key waits for the import. */
    public String importId;
    /** Arrival time of the version kept by the window operator (0 in state of earlier versions). */
    public long arrivedAt;

    public FunnelEntry() {}

    boolean sameAs(FunnelEntry o) {
        return o != null && entryAt == o.entryAt && advancedAt == o.advancedAt && deleted == o.deleted
                && Objects.equals(entryId, o.entryId) && Objects.equals(region, o.region)
                && Objects.equals(team, o.team) && Objects.equals(rep, o.rep);
    }

    @Override
    public String toString() {
        return "FunnelEntry{" + entryId + " " + region + "/" + team + " at " + entryAt + " adv " + advancedAt
                + (deleted ? " deleted" : "") + "}";
    }
}

package io.salespulse.pipeline.funnel;

import java.util.Objects;

/**
 * Where a customer stood after one of its cards, from {@link #from} (the card's occurred time) until the next
 * card: open in a stage, or won/lost (state and network POJO).
 */
public class StageInterval {
    public long from;
    /** {@link CustomerHistory#OPEN}, {@code won} or {@code lost}. */
    public String status;
    /** Current stage code (the highest reached in the opportunity); {@code closing} once won/lost. */
    public String stage;
    /** When the customer entered that stage (a repeated card of it restarts the clock). */
    public long stageEnteredAt;
    public boolean highPotential;
    public String rep;
    public String region;
    public String team;

    public StageInterval() {}

    boolean isOpen() {
        return CustomerHistory.OPEN.equals(status);
    }

    /** Everything but {@link #from}. */
    boolean sameStateAs(StageInterval o) {
        return o != null && stageEnteredAt == o.stageEnteredAt && highPotential == o.highPotential
                && Objects.equals(status, o.status) && Objects.equals(stage, o.stage) && Objects.equals(rep, o.rep)
                && Objects.equals(region, o.region) && Objects.equals(team, o.team);
    }

    long hash() {
        return Objects.hash(from, status, stage, stageEnteredAt, highPotential, rep, region, team);
    }
}

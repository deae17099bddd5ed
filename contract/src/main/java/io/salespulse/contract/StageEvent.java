package io.salespulse.contract;

import java.util.Objects;

/**
 * A stage card from {@code sales.stages}, validated. A Flink POJO: public fields, no-arg constructor.
 * Times are epoch milliseconds (UTC); optional fields are null when absent.
 */
public class StageEvent {
    public String eventId;
    public String tenant;
    public long occurredAt;
    public String customerId;
    public String repId;
    public String region;
    public String team;
    /** {@link Stage#code()}. */
    public String stage;
    public String need;
    public String proposal;
    public String objectionTag;
    public String scriptId;
    /** {@code won}, {@code lost} or {@code pending}; only on closing cards. */
    public String outcome;
    public boolean highPotential;
    public Double dealValue;
    /** The history import this record belongs to ({@code import_id}), null for live records. */
    public String importId;

    public StageEvent() {}

    public Stage stageEnum() {
        return Stage.fromCode(stage).orElseThrow();
    }

    /** A closing card that ends the opportunity. */
    public boolean closesOpportunity() {
        return Stage.CLOSING.code().equals(stage) && ("won".equals(outcome) || "lost".equals(outcome));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StageEvent)) return false;
        StageEvent e = (StageEvent) o;
        return occurredAt == e.occurredAt && highPotential == e.highPotential
                && Objects.equals(eventId, e.eventId) && Objects.equals(tenant, e.tenant)
                && Objects.equals(customerId, e.customerId) && Objects.equals(repId, e.repId)
                && Objects.equals(region, e.region) && Objects.equals(team, e.team)
                && Objects.equals(stage, e.stage) && Objects.equals(need, e.need)
                && Objects.equals(proposal, e.proposal) && Objects.equals(objectionTag, e.objectionTag)
                && Objects.equals(scriptId, e.scriptId) && Objects.equals(outcome, e.outcome)
                && Objects.equals(dealValue, e.dealValue) && Objects.equals(importId, e.importId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, tenant, customerId, stage, occurredAt);
    }

    @Override
    public String toString() {
        return "StageEvent{" + eventId + " " + tenant + "/" + customerId + " " + stage + " @" + occurredAt + "}";
    }
}

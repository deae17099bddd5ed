package io.salespulse.pipeline.policy;

/**
 * A row of {@code policy_changes}: one accepted policy change (a new version of a scope, or a scope
 * removed), so dashboards and the funnel diagnosis can say "since the SLA change on 3 March".
 */
public class PolicyChange {
    public String scope;
    public String tenant;
    /** The new version; for a removal, the version that was removed. */
    public long version;
    /** {@code set} or {@code removed}. */
    public String change;
    /** Dotted names of the fields whose value changed, comma separated (e.g. {@code sla.needs,calendar}). */
    public String fieldsChanged;
    /** The previous document of the scope, or null. */
    public String oldPolicy;
    /** The new document, or null for a removal. */
    public String newPolicy;
    /** When the job applied it (wall clock: policies apply in processing order). */
    public long effectiveAt;
    /** {@code updated_at} of the document (0 for a removal). */
    public long updatedAt;
    public String updatedBy;
    /** Kafka record timestamp of the policy record. */
    public long receivedAt;

    public PolicyChange() {}

    @Override
    public String toString() {
        return "PolicyChange{" + scope + " v" + version + " " + change + " " + fieldsChanged + "}";
    }
}

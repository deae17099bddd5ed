package io.salespulse.pipeline.policy;

import io.salespulse.pipeline.clickhouse.RowValues;
import io.salespulse.pipeline.clickhouse.TableMapping;
import java.util.List;

/** {@link PolicyChange} rows of {@code salespulse.policy_changes} (sql/012_policy_changes.sql). */
public final class PolicyChangeRows implements TableMapping<PolicyChange> {
    private static final long serialVersionUID = 1L;

    @Override
    public String table() {
        return "salespulse.policy_changes";
    }

    @Override
    public List<String> columns() {
        return List.of("scope", "tenant", "version", "change", "fields_changed", "old_policy", "new_policy",
                "effective_at", "updated_at", "updated_by", "received_at", "ingested_at");
    }

    @Override
    public void write(PolicyChange c, RowValues row) {
        row.text(c.scope).text(c.tenant).number(c.version).text(c.change).text(c.fieldsChanged).nullableText(c.oldPolicy)
                .nullableText(c.newPolicy).time(c.effectiveAt).nullableTime(c.updatedAt)
                .text(c.updatedBy == null ? "" : c.updatedBy).time(c.receivedAt).now();
    }
}

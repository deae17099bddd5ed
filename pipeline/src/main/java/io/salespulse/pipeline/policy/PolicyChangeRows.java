package io.salespulse.pipeline.policy;

import io.salespulse.pipeline.clickhouse.ClickHouseBindings;
import io.salespulse.pipeline.clickhouse.TableMapping;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
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
    public void bind(PolicyChange c, PreparedStatement p) throws SQLException {
        p.setString(1, c.scope);
        p.setString(2, c.tenant);
        p.setLong(3, c.version);
        p.setString(4, c.change);
        p.setString(5, c.fieldsChanged);
        ClickHouseBindings.setNullableString(p, 6, c.oldPolicy);
        ClickHouseBindings.setNullableString(p, 7, c.newPolicy);
        ClickHouseBindings.setInstant(p, 8, Instant.ofEpochMilli(c.effectiveAt));
        ClickHouseBindings.setNullableInstant(p, 9, c.updatedAt == 0 ? null : Instant.ofEpochMilli(c.updatedAt));
        p.setString(10, c.updatedBy == null ? "" : c.updatedBy);
        ClickHouseBindings.setInstant(p, 11, Instant.ofEpochMilli(c.receivedAt));
        ClickHouseBindings.setInstant(p, 12, Instant.now());
    }
}

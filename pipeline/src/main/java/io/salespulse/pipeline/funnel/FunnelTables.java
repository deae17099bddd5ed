package io.salespulse.pipeline.funnel;

import io.salespulse.pipeline.clickhouse.ClickHouseBindings;
import io.salespulse.pipeline.clickhouse.TableMapping;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The funnel job's ClickHouse tables: {@code stage_conversion} (sql/008) and {@code forecast_digests} (sql/018). */
public final class FunnelTables {
    private FunnelTables() {}

    public static final TableMapping<ConversionRow> STAGE_CONVERSION = new TableMapping<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public String table() {
            return "salespulse.stage_conversion";
        }

        @Override
        public List<String> columns() {
            return List.of("tenant", "region", "team", "from_stage", "window_start", "window_end", "entered",
                    "advanced", "rate", "baseline_rate", "change_pct", "flagged", "computed_at");
        }

        @Override
        public void bind(ConversionRow r, PreparedStatement ps) throws SQLException {
            ps.setString(1, r.tenant);
            ps.setString(2, r.region);
            ps.setString(3, r.team);
            ps.setString(4, r.fromStage);
            ClickHouseBindings.setInstant(ps, 5, Instant.ofEpochMilli(r.windowStart));
            ClickHouseBindings.setInstant(ps, 6, Instant.ofEpochMilli(r.windowEnd));
            ps.setLong(7, r.entered);
            ps.setLong(8, r.advanced);
            ps.setDouble(9, r.rate);
            ClickHouseBindings.setNullableDouble(ps, 10, r.baselineRate);
            ClickHouseBindings.setNullableDouble(ps, 11, r.changePct);
            ps.setBoolean(12, r.flagged);
            ClickHouseBindings.setInstant(ps, 13, Instant.now());
        }
    };

    public static final TableMapping<DigestRow> FORECAST_DIGESTS = new TableMapping<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public String table() {
            return "salespulse.forecast_digests";
        }

        @Override
        public List<String> columns() {
            return List.of("tenant", "region", "team", "digest_at", "stage", "customers", "overdue", "at_risk",
                    "expected_wins_7d", "message", "computed_at");
        }

        @Override
        public void bind(DigestRow r, PreparedStatement ps) throws SQLException {
            ps.setString(1, r.tenant);
            ps.setString(2, r.region);
            ps.setString(3, r.team);
            ClickHouseBindings.setInstant(ps, 4, Instant.ofEpochMilli(r.digestAt));
            ps.setString(5, r.stage);
            ps.setLong(6, r.customers);
            ps.setLong(7, r.overdue);
            ps.setLong(8, r.atRisk);
            ps.setDouble(9, r.expectedWins7d);
            ps.setString(10, r.message == null ? "" : r.message);
            ClickHouseBindings.setInstant(ps, 11, Instant.now());
        }
    };
}

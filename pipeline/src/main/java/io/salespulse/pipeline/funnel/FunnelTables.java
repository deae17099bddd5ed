package io.salespulse.pipeline.funnel;

import io.salespulse.pipeline.clickhouse.RowValues;
import io.salespulse.pipeline.clickhouse.TableMapping;
import java.util.List;

/** The funnel job's ClickHouse tables: {@code stage_conversion} (sql/008) and {@code forecast_digests} (sql/018, 029). */
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
        public void write(ConversionRow r, RowValues row) {
            row.text(r.tenant).text(r.region).text(r.team).text(r.fromStage).time(r.windowStart).time(r.windowEnd)
                    .number(r.entered).number(r.advanced).real(r.rate).nullableNumber(r.baselineRate)
                    .nullableNumber(r.changePct).bool(r.flagged).time(r.computedAt);
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
                    "expected_wins_7d", "message", "computed_at", "wins_7d_low", "wins_7d_high");
        }

        @Override
        public void write(DigestRow r, RowValues row) {
            row.text(r.tenant).text(r.region).text(r.team).time(r.digestAt).text(r.stage).number(r.customers)
                    .number(r.overdue).number(r.atRisk).real(r.expectedWins7d).text(r.message == null ? "" : r.message)
                    .time(r.computedAt).number(r.winsLow7d).number(r.winsHigh7d);
        }
    };
}

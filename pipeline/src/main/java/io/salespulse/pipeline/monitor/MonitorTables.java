package io.salespulse.pipeline.monitor;

import io.salespulse.pipeline.clickhouse.TableMapping;
import io.salespulse.pipeline.overdue.CustomerStatus;
import java.util.List;

/**
 * The monitor job's own ClickHouse table, {@code customer_status}; the tables of the contract's streams that both
 * jobs write are in {@link io.salespulse.pipeline.clickhouse.ContractTables}.
 */
public final class MonitorTables {
    private MonitorTables() {}

    public static final TableMapping<CustomerStatus> CUSTOMER_STATUS = TableMapping.of("salespulse.customer_status",
            List.of("tenant", "customer_id", "rep_id", "region", "team", "stage", "status", "high_potential",
                    "deal_value", "stage_entered_at", "last_event_at", "due_at", "updated_at", "version",
                    "ingested_at"),
            (s, p) -> p.text(s.tenant).text(s.customerId).text(s.repId).text(s.region).text(s.team).text(s.stage)
                    .text(s.status).bool(s.highPotential).nullableNumber(s.dealValue).time(s.stageEnteredAt)
                    .time(s.lastEventAt).nullableTime(s.dueAt).time(s.updatedAt).number(s.version).now());
}

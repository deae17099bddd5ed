package io.salespulse.bench;

import io.salespulse.contract.AlertIds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The peer a data team with ClickHouse would build instead of SalesPulse: insert the raw events (the ingest
 * baseline) and run, every few minutes, one query over the raw cards that finds customers past their SLA, alerting
 * under the same deterministic ids (so repeated scans deduplicate). Run here on the rows a throughput run left in
 * the engine, at the moment the run ended: which alerts the scan finds (against the job's own), and what one scan
 * costs the engine in CPU and wall time at that table size.
 *
 * <p>The rules are the plain version a team would write: per customer, the cards in (occurred_at, event_id) order;
 * every card but a won/lost closing is due at {@code occurred_at + SLA(stage)}; it is overdue when no next card came,
 * or the next one occurred after the due time. (The job's rules also ignore a card that moves backwards; the
 * benchmark's load has none, so both must find the same alerts.)
 */
final class ScheduledScan {
    /** The scan; {@code {now}} and the SLAs in seconds are filled in. */
    private static final String SQL = """
            SELECT tenant, customer_id, stage, toUnixTimestamp64Milli(due) AS due_ms
            FROM (
                SELECT tenant, customer_id, stage, outcome, event_id,
                       occurred_at + toIntervalSecond(multiIf(stage = 'contact', %d, stage = 'needs', %d,
                           stage = 'proposal', %d, stage = 'objection', %d, %d)) AS due,
                       leadInFrame(occurred_at) OVER w AS next_at,
                       leadInFrame(event_id) OVER w AS next_id
                FROM salespulse.stage_events FINAL
                WINDOW w AS (PARTITION BY tenant, customer_id ORDER BY occurred_at, event_id
                             ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)
            )
            WHERE NOT (stage = 'closing' AND outcome IN ('won', 'lost'))
              AND due <= fromUnixTimestamp64Milli(%d)
              AND (next_id = '' OR next_at > due)
            """;

    /** The alerts one scan found, and what it cost. */
    record Result(Set<String> alertIds, double engineCpuSeconds, double wallSeconds) {}

    private ScheduledScan() {}

    /** One scan at {@code now} with the given SLAs (contact, needs, proposal, objection, closing). */
    static Result run(BenchStack stack, String jdbcUrl, Instant now, List<Duration> slas) throws Exception {
        String sql = String.format(SQL, slas.get(0).toSeconds(), slas.get(1).toSeconds(), slas.get(2).toSeconds(),
                slas.get(3).toSeconds(), slas.get(4).toSeconds(), now.toEpochMilli());
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        BenchStack.Cpu before = stack.cpu();
        long started = System.nanoTime();
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, p);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(AlertIds.stageOverdue(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4))));
            }
        }
        double wall = (System.nanoTime() - started) / 1e9;
        return new Result(ids, stack.cpu().minus(before).clickHouse(), wall);
    }
}

package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `routes plan` against the ClickHouse engine with the migrations applied: the simulator's outlets and customers
 * (rep per customer from its visits), customer_status rows with every status, a second tenant; each rep gets a plan
 * of its own open customers only, and planning the day again replaces the plan.
 */
class RoutesCommandTest {
    @TempDir
    Path dir;

    @Test
    void plansEveryRepFromItsOwnOpenCustomersAndReplacesThePlanOnReplanning() throws Exception {
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary simulated = new Simulator(SimulateCommand.settings(Scenario.SMALL_TEAM, 42, 3,
                Instant.parse("2026-12-02T12:00:00Z"))).run(sink);
        Map<String, String> repOf = repOfEachCustomer(sink);
        try (LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
                ClickHouse ch = ClickHouse.connect(clickHouse.jdbcUrl(), "default", "")) {
            String url = clickHouse.jdbcUrl();
            assertThat(CliRun.of("migrate", "--clickhouse-url", url).exitCode()).isZero();
            OutletsCommand.store(ch, simulated.places().outlets(), "simulator", "simulated");
            // Statuses by customer number: every 5th overdue (due 10 + n hours ago), every 7th won, every 11th lost,
            // every 3rd high potential.
            List<String> rows = new ArrayList<>();
            int n = 0;
            for (Map.Entry<String, String> e : repOf.entrySet()) {
                n++;
                String status = n % 5 == 0 ? "overdue" : n % 7 == 0 ? "won" : n % 11 == 0 ? "lost" : "active";
                rows.add("('weijiang', '" + e.getKey() + "', '" + e.getValue() + "', 'hz-west', 't-1', 'needs', '" + status
                        + "', " + (n % 3 == 0) + ", now64(3) - INTERVAL 3 DAY, now64(3) - INTERVAL " + (n % 50) + " HOUR,"
                        + (status.equals("overdue") ? " now64(3) - INTERVAL " + (10 + n) + " HOUR" : " NULL")
                        + ", now64(3), 1, now64(3))");
            }
            // Another tenant's customer with the same id as one of ours: never on our plans.
            rows.add("('other-co', '" + repOf.keySet().iterator().next() + "', 'r-x', 'sh', 't-x', 'needs', 'overdue', true,"
                    + " now64(3), now64(3), now64(3), now64(3), 1, now64(3))");
            execute(ch, "INSERT INTO salespulse.customer_status (tenant, customer_id, rep_id, region, team, stage, status,"
                    + " high_potential, stage_entered_at, last_event_at, due_at, updated_at, version, ingested_at) VALUES "
                    + String.join(", ", rows));

            CliRun run = CliRun.of("routes", "plan", "--tenant", "weijiang", "--day", "2026-12-03", "--clickhouse-url", url);
            assertThat(run.exitCode()).as(run.err()).isZero();
            System.out.print(run.out());
            assertThat(run.out()).contains("Routes of tenant weijiang for 2026-12-03:").contains("km in priority order");

            String open = "(SELECT s.rep_id AS rep_id, s.customer_id AS customer_id, s.status AS status FROM"
                    + " salespulse.customer_status AS s FINAL INNER JOIN (SELECT outlet_id FROM salespulse.outlets FINAL"
                    + " WHERE tenant = 'weijiang' AND kind = 'customer') AS o ON o.outlet_id = s.customer_id"
                    + " WHERE s.tenant = 'weijiang' AND s.status IN ('active', 'overdue'))";
            String plan = "(SELECT * FROM salespulse.visit_plans FINAL WHERE tenant = 'weijiang' AND day = '2026-12-03')";
            List<String> expected = ch.strings("SELECT concat(rep_id, ':', toString(least(8, count()))) FROM " + open
                    + " GROUP BY rep_id ORDER BY rep_id");
            assertThat(expected).hasSizeGreaterThan(3);
            assertThat(ch.strings("SELECT concat(rep_id, ':', toString(count())) FROM " + plan + " GROUP BY rep_id ORDER BY"
                    + " rep_id")).as("stops per rep").isEqualTo(expected);
            assertThat(ch.count("SELECT count() FROM " + plan + " AS p LEFT ANTI JOIN " + open + " AS c ON c.rep_id ="
                    + " p.rep_id AND c.customer_id = p.customer_id")).as("stops not the rep's own open customers").isZero();
            assertThat(ch.count("SELECT count() FROM salespulse.visit_plans WHERE tenant != 'weijiang'")).isZero();
            // Every overdue customer of a rep with at most 8 of them is on the plan, with its hours past due.
            assertThat(ch.count("SELECT count() FROM " + open + " AS c INNER JOIN (SELECT rep_id FROM " + open
                    + " WHERE status = 'overdue' GROUP BY rep_id HAVING count() <= 8) AS r ON r.rep_id = c.rep_id"
                    + " LEFT ANTI JOIN " + plan + " AS p ON p.rep_id = c.rep_id AND p.customer_id = c.customer_id"
                    + " WHERE c.status = 'overdue'")).as("overdue customers left off").isZero();
            assertThat(ch.count("SELECT toInt64(floor(min(overdue_hours))) FROM " + plan + " WHERE reason = 'overdue'")).isGreaterThanOrEqualTo(10);
            assertThat(ch.count("SELECT count() FROM " + plan + " WHERE reason != 'overdue' AND overdue_hours != 0")).isZero();
            // seq 1..n per rep.
            assertThat(ch.count("SELECT count() FROM (SELECT rep_id FROM " + plan + " GROUP BY rep_id"
                    + " HAVING arraySort(groupArray(seq)) != range(1, toUInt16(count() + 1)))")).as("reps whose seq is not 1..n")
                    .isZero();

            // Planning the same day again with 3 stops: the latest version of each rep has 3 stops; with FINAL the
            // rows of seq 1..3 are the new ones.
            long versionBefore = ch.count("SELECT max(version) FROM " + plan);
            CliRun again = CliRun.of("routes", "plan", "--tenant", "weijiang", "--day", "2026-12-03", "--stops", "3",
                    "--clickhouse-url", url);
            assertThat(again.exitCode()).as(again.err()).isZero();
            String latest = "(SELECT * FROM salespulse.visit_plans FINAL WHERE tenant = 'weijiang' AND day = '2026-12-03'"
                    + " AND (rep_id, version) IN (SELECT rep_id, max(version) FROM salespulse.visit_plans"
                    + " WHERE tenant = 'weijiang' AND day = '2026-12-03' GROUP BY rep_id))";
            assertThat(ch.strings("SELECT DISTINCT toString(count()) FROM " + latest + " GROUP BY rep_id")).containsExactly("3");
            assertThat(ch.count("SELECT count() FROM " + plan + " WHERE seq <= 3 AND version <= " + versionBefore))
                    .as("old rows of seq 1..3 after re-planning").isZero();
            CliRun same = CliRun.of("routes", "plan", "--tenant", "weijiang", "--day", "2026-12-03", "--stops", "3",
                    "--clickhouse-url", url);
            assertThat(same.exitCode()).isZero();
            assertThat(ch.count("SELECT count() FROM " + latest)).isEqualTo(3L * expected.size());

            assertThat(CliRun.of("routes", "plan", "--tenant", "weijiang", "--stops", "0", "--clickhouse-url", url)
                    .exitCode()).isEqualTo(2);
            assertThat(CliRun.of("routes", "plan", "--tenant", "weijiang", "--day", "tomorrow", "--clickhouse-url", url)
                    .exitCode()).isEqualTo(2);
            CliRun nobody = CliRun.of("routes", "plan", "--tenant", "nobody", "--clickhouse-url", url);
            assertThat(nobody.exitCode()).isEqualTo(1);
            assertThat(nobody.err()).contains("no open customer with an outlet");
        }
    }

    private static Map<String, String> repOfEachCustomer(InMemoryEventSink sink) {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> repOf = new TreeMap<>();
        for (InMemoryEventSink.SentRecord r : sink.records()) {
            if (r.topic().equals(Topics.VISITS) || r.topic().equals(Topics.STAGES)) {
                try {
                    JsonNode v = json.readTree(r.value());
                    if (v.path("tenant").asText().equals("weijiang") && v.hasNonNull("customer_id") && v.hasNonNull("rep_id")) {
                        repOf.put(v.path("customer_id").asText(), v.path("rep_id").asText());
                    }
                } catch (IOException e) {
                    // the simulator's malformed records
                }
            }
        }
        return repOf;
    }

    private static void execute(ClickHouse ch, String sql) throws SQLException {
        try (var s = ch.connection().createStatement()) {
            s.execute(sql);
        }
    }
}

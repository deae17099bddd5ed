package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cash status`, `cash benchmark` and `cash forecast` against the ClickHouse engine with the migrations applied, on a
 * book whose answers are known: hz-west pays 10 days after due, hz-east 30; each has one open invoice; a contract has
 * an installment not invoiced yet; the views' verdicts (paid / not due / overdue, aging, cycle days) and the forecast's
 * months follow from it.
 */
class CashCommandTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;

    @Test
    void statusBenchmarkAndForecastReadTheBook() throws Exception {
        try (LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
                ClickHouse ch = ClickHouse.connect(clickHouse.jdbcUrl(), "default", "")) {
            String url = clickHouse.jdbcUrl();
            assertThat(CliRun.of("migrate", "--clickhouse-url", url).exitCode()).isZero();
            List<String> contracts = new ArrayList<>();
            List<String> invoices = new ArrayList<>();
            List<String> payments = new ArrayList<>();
            // 25 contracts a region, signed 100..124 days ago, invoiced on signing with 30 days terms, paid in full
            // 10 (west) or 30 (east) days after due: cycles of 40 and 60 days.
            for (String[] region : new String[][] {{"hz-west", "10"}, {"hz-east", "30"}}) {
                for (int n = 0; n < 25; n++) {
                    String id = region[0] + "-" + n;
                    String signed = "now64(3) - INTERVAL " + (100 + n) + " DAY";
                    contracts.add("('ce-" + id + "', 'weijiang', " + signed + ", 'k-" + id + "', 'cu-" + id + "', 'r-001', '"
                            + region[0] + "', 't-1', 1000, 30, [], [], '', now64(3))");
                    invoices.add("('ie-" + id + "', 'weijiang', " + signed + ", 'i-" + id + "', 'k-" + id + "', 'cu-" + id
                            + "', 'r-001', '" + region[0] + "', 't-1', 1000, " + signed + " + INTERVAL 30 DAY, '', now64(3))");
                    payments.add("('pe-" + id + "', 'weijiang', " + signed + " + INTERVAL " + (30 + Integer.parseInt(region[1]))
                            + " DAY, 'i-" + id + "', 'k-" + id + "', 'cu-" + id + "', 'r-001', '" + region[0]
                            + "', 't-1', 1000, '', now64(3))");
                }
            }
            // Open: west 5,000 due in 5 days; east 8,000 due 40 days ago, 3,000 of it paid (past due, aging 31-60).
            contracts.add("('ce-wo', 'weijiang', now64(3) - INTERVAL 25 DAY, 'k-wo', 'cu-wo', 'r-002', 'hz-west', 't-1',"
                    + " 9000, 30, [toDate(now64(3) - INTERVAL 25 DAY), toDate(now64(3) + INTERVAL 20 DAY)], [5000, 4000], '',"
                    + " now64(3))");
            invoices.add("('ie-wo', 'weijiang', now64(3) - INTERVAL 25 DAY, 'i-wo', 'k-wo', 'cu-wo', 'r-002', 'hz-west',"
                    + " 't-1', 5000, now64(3) + INTERVAL 5 DAY, '', now64(3))");
            contracts.add("('ce-eo', 'weijiang', now64(3) - INTERVAL 70 DAY, 'k-eo', 'cu-eo', 'r-003', 'hz-east', 't-2',"
                    + " 8000, 30, [], [], '', now64(3))");
            invoices.add("('ie-eo', 'weijiang', now64(3) - INTERVAL 70 DAY, 'i-eo', 'k-eo', 'cu-eo', 'r-003', 'hz-east',"
                    + " 't-2', 8000, now64(3) - INTERVAL 40 DAY, '', now64(3))");
            payments.add("('pe-eo', 'weijiang', now64(3) - INTERVAL 10 DAY, 'i-eo', 'k-eo', 'cu-eo', 'r-003', 'hz-east',"
                    + " 't-2', 3000, '', now64(3))");
            // The same payment sent twice (a retry): counted once.
            payments.add("('pe-eo', 'weijiang', now64(3) - INTERVAL 10 DAY, 'i-eo', 'k-eo', 'cu-eo', 'r-003', 'hz-east',"
                    + " 't-2', 3000, '', now64(3))");
            execute(ch, "INSERT INTO salespulse.contracts (event_id, tenant, occurred_at, contract_id, customer_id, rep_id,"
                    + " region, team, amount, terms_days, schedule_dates, schedule_amounts, import_id, ingested_at) VALUES "
                    + String.join(",", contracts));
            execute(ch, "INSERT INTO salespulse.invoices (event_id, tenant, occurred_at, invoice_id, contract_id,"
                    + " customer_id, rep_id, region, team, amount, due_at, import_id, ingested_at) VALUES "
                    + String.join(",", invoices));
            execute(ch, "INSERT INTO salespulse.payments (event_id, tenant, occurred_at, invoice_id, contract_id,"
                    + " customer_id, rep_id, region, team, amount, import_id, ingested_at) VALUES " + String.join(",", payments));

            assertThat(ch.strings("SELECT concat(invoice_id, ' ', status, ' ', toString(balance), ' ', aging) FROM"
                    + " salespulse.receivables WHERE invoice_id IN ('i-wo', 'i-eo', 'i-hz-west-0') ORDER BY invoice_id"))
                    .containsExactly("i-eo overdue 5000 31-60", "i-hz-west-0 paid 0 ", "i-wo not_due 5000 ");
            assertThat(ch.strings("SELECT concat(region, ' ', toString(avg(cycle_days)), ' ', toString(any(benchmark_days)))"
                    + " FROM salespulse.collection_cycles GROUP BY region ORDER BY region"))
                    .containsExactly("hz-east 60 45", "hz-west 40 45");

            CliRun status = CliRun.of("cash", "status", "--tenant", "weijiang", "--clickhouse-url", url);
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).containsPattern("hz-east\\s+25\\s+60\\.0\\s+45\\s+5,000\\s+5,000")
                    .containsPattern("hz-west\\s+25\\s+40\\.0\\s+45\\s+5,000\\s+0")
                    .containsPattern("i-eo\\s+cu-eo\\s+r-003\\s+hz-east\\s+5,000\\s+40 days");

            // The benchmark changes the comparison and keeps the far check-in distance set before it.
            assertThat(CliRun.of("outlets", "far-distance", "--tenant", "weijiang", "--metres", "1500",
                    "--author", "u-chen", "--clickhouse-url", url).exitCode()).isZero();
            CliRun benchmark = CliRun.of("cash", "benchmark", "--tenant", "weijiang", "--days", "60", "--author", "u-fin",
                    "--clickhouse-url", url);
            assertThat(benchmark.exitCode()).as(benchmark.err()).isZero();
            assertThat(ch.strings("SELECT DISTINCT toString(benchmark_days) FROM salespulse.collection_cycles"))
                    .containsExactly("60");
            assertThat(ch.strings("SELECT toString(far_check_in_m) FROM salespulse.tenant_settings FINAL"))
                    .containsExactly("1500");
            assertThat(CliRun.of("cash", "benchmark", "--tenant", "weijiang", "--days", "0", "--author", "u-fin",
                    "--clickhouse-url", url)
                    .exitCode()).isEqualTo(2);

            CliRun forecast = CliRun.of("cash", "forecast", "--tenant", "weijiang", "--months", "4", "--clickhouse-url", url);
            assertThat(forecast.exitCode()).as(forecast.err()).isZero();
            assertThat(forecast.out()).contains("mean payment delay after due, days: hz-east 30.0, hz-west 10.0");
            LocalDate today = LocalDate.now(ZONE);
            // West's open invoice: due in 5 days, paid 10 after: in the month of today + 15. Its second installment:
            // invoiced in 20 days, 30 days terms, 10 days delay: today + 60.
            assertThat(expected(ch, "hz-west", today.plusDays(15), "invoiced")).isEqualTo(5000);
            assertThat(expected(ch, "hz-west", today.plusDays(60), "scheduled")).isEqualTo(4000);
            // East's 5,000 left is 40 days past due; every east invoice was paid 30 days after due: the history gives
            // no date for it, so it is not in any month.
            assertThat(ch.count("SELECT round(sum(invoiced)) FROM salespulse.cash_forecasts FINAL WHERE region = 'hz-east'"))
                    .isZero();
            assertThat(ch.count("SELECT count() FROM salespulse.cash_forecasts FINAL WHERE region = ''")).isEqualTo(4);
        }
    }

    private static long expected(ClickHouse ch, String region, LocalDate day, String column) throws SQLException {
        return ch.count("SELECT round(sum(" + column + ")) FROM salespulse.cash_forecasts FINAL WHERE region = '" + region
                + "' AND month = toStartOfMonth(toDate('" + day + "'))");
    }

    private static void execute(ClickHouse ch, String sql) throws SQLException {
        try (Statement st = ch.connection().createStatement()) {
            st.execute(sql);
        }
    }
}

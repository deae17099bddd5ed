package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `outlets import` and `outlets far-distance` against the ClickHouse engine with the migrations applied: good and bad
 * lines of CSV and JSON Lines files, the summary, the dead letters, and the visit_places view's verdicts on them.
 */
class OutletsCommandTest {
    @TempDir
    Path dir;

    @Test
    void importsGoodLinesRejectsBadOnesWithTheirLineAndFlagsFarCheckIns() throws Exception {
        try (LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
                ClickHouse ch = ClickHouse.connect(clickHouse.jdbcUrl(), "default", "")) {
            String url = clickHouse.jdbcUrl();
            assertThat(CliRun.of("migrate", "--clickhouse-url", url).exitCode()).isZero();
            // Customers c-1, c-2, c-3 are known from their visits; c-9 is not.
            execute(ch, "INSERT INTO salespulse.visits (event_id, tenant, occurred_at, rep_id, customer_id, region, team,"
                    + " channel, lat, lon, accuracy, ingested_at) VALUES"
                    + " ('v-near', 'weijiang', now64(3), 'r-001', 'c-1', 'hz-west', 't-1', 'store_scan', 30.2801, 120.1201, 15,"
                    + " now64(3)),"
                    // about 1.1 km north of c-2's outlet
                    + " ('v-far', 'weijiang', now64(3), 'r-001', 'c-2', 'hz-west', 't-1', 'store_scan', 30.3000, 120.1300, 20,"
                    + " now64(3)),"
                    + " ('v-phone', 'weijiang', now64(3), 'r-001', 'c-3', 'hz-west', 't-1', 'phone', NULL, NULL, NULL, now64(3)),"
                    + " ('v-unknown', 'weijiang', now64(3), 'r-002', 'c-new', 'hz-east', 't-2', 'store_scan', 30.25, 120.2, 10,"
                    + " now64(3))");

            Path csv = dir.resolve("outlets.csv");
            Files.writeString(csv, String.join("\n",
                    "kind,outlet_id,name,region,lat,lon,brand",
                    "customer,c-1,西湖店,hz-west,30.2800,120.1200,",
                    "customer,c-2,文三路店,hz-west,30.2900,120.1300,",
                    "competitor,k-1,\"对手, 旗舰店\",hz-west,30.2850,120.1250,甜心烘焙",
                    "competitor,k-2,坏坐标,hz-west,95.0,120.1,甜心烘焙",
                    "competitor,k-3,缺经度,hz-west,30.28,,甜心烘焙",
                    "shop,k-4,未知类型,hz-west,30.28,120.12,",
                    "competitor,k-1,重复,hz-west,30.28,120.12,甜心烘焙",
                    "customer,c-9,没有这个客户,hz-west,30.28,120.12,",
                    ",k-5,缺类型,hz-west,30.28,120.12,",
                    "competitor,k-6,经度越界,hz-east,30.28,-181,对手二") + "\n", StandardCharsets.UTF_8);
            CliRun dry = CliRun.of("outlets", "import", csv.toString(), "--tenant", "weijiang", "--dry-run",
                    "--clickhouse-url", url);
            assertThat(dry.exitCode()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("dry run, nothing written").contains("accepted:  3");
            assertThat(ch.count("SELECT count() FROM salespulse.outlets")).as("outlets after a dry run").isZero();
            assertThat(ch.count("SELECT count() FROM salespulse.dead_letters")).as("dead letters after a dry run").isZero();
            Path xlsx = Files.writeString(dir.resolve("outlets.xlsx"), "not a format we read");
            assertThat(CliRun.of("outlets", "import", xlsx.toString(), "--tenant", "weijiang", "--clickhouse-url", url)
                    .exitCode()).as("a file that is neither .csv nor .jsonl").isEqualTo(2);

            CliRun run = CliRun.of("outlets", "import", csv.toString(), "--tenant", "weijiang", "--clickhouse-url", url);
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("accepted:  3 (2 customers, 1 competitors)")
                    .contains("rejected:  7 {bad_coordinates=1, duplicate_id=1, missing_field=1, out_of_range=2,"
                            + " unknown_customer=1, unknown_value=1}")
                    .contains("line 5: out_of_range: field 'lat' must be between -90 and 90, got 95.0")
                    .contains("line 6: bad_coordinates: an outlet needs both 'lat' and 'lon'; 'lon' is missing")
                    .contains("line 7: unknown_value: field 'kind' is 'shop'")
                    .contains("line 8: duplicate_id: competitor outlet 'k-1' is already on line 4")
                    .contains("line 9: unknown_customer: customer 'c-9'")
                    .contains("line 10: missing_field: required field 'kind' is missing")
                    .contains("line 11: out_of_range: field 'lon'");
            assertThat(ch.strings("SELECT concat(kind, ':', outlet_id, ':', name) FROM salespulse.outlets FINAL"
                    + " ORDER BY kind, outlet_id")).containsExactly("competitor:k-1:对手, 旗舰店", "customer:c-1:西湖店",
                    "customer:c-2:文三路店");
            List<String> letters = ch.strings("SELECT concat(toString(`offset`), ' ', error_code, ' ', error) FROM"
                    + " salespulse.dead_letters FINAL WHERE tenant = 'weijiang' AND startsWith(topic, 'outlets.import/')"
                    + " ORDER BY `offset`");
            assertThat(letters).hasSize(7);
            assertThat(letters.get(0)).startsWith("5 out_of_range outlets.csv line 5: field 'lat'");
            assertThat(ch.strings("SELECT raw FROM salespulse.dead_letters FINAL WHERE `offset` = 5"))
                    .containsExactly("competitor,k-2,坏坐标,hz-west,95.0,120.1,甜心烘焙");
            assertThat(ch.strings("SELECT raw FROM salespulse.dead_letters FINAL WHERE `offset` = 9"))
                    .containsExactly("customer,c-9,没有这个客户,hz-west,30.28,120.12,");

            // The far flag: the default 500 m, then the tenant's own 1,500 m.
            assertThat(checks(ch)).containsExactly("v-far far", "v-near near", "v-phone no_position",
                    "v-unknown unknown_customer");
            assertThat(ch.count("SELECT round(distance_m) FROM salespulse.visit_places WHERE event_id = 'v-far'"))
                    .isBetween(1_100L, 1_130L);
            CliRun far = CliRun.of("outlets", "far-distance", "--tenant", "weijiang", "--metres", "1500", "--author",
                    "u-chen", "--clickhouse-url", url);
            assertThat(far.exitCode()).as(far.err()).isZero();
            assertThat(checks(ch)).contains("v-far near");
            assertThat(CliRun.of("outlets", "far-distance", "--tenant", "weijiang", "--metres", "5", "--author", "u-chen",
                    "--clickhouse-url", url).exitCode()).isEqualTo(2);

            // JSON Lines, a later import of c-2 moves it; a line of another tenant and a broken line are rejected.
            Path jsonl = dir.resolve("more.jsonl");
            Files.writeString(jsonl, String.join("\n",
                    "# moved store",
                    "{\"kind\":\"customer\",\"outlet_id\":\"c-2\",\"name\":\"文三路店\",\"lat\":30.3001,\"lon\":120.1301}",
                    "{\"kind\":\"competitor\",\"outlet_id\":\"k-7\",\"tenant\":\"other-co\",\"lat\":30.3,\"lon\":120.1}",
                    "{\"kind\":\"competitor\",\"outlet_id\":\"k-8\",\"lat\":\"30.3N\",\"lon\":120.1}",
                    "{\"kind\":\"competitor\",") + "\n", StandardCharsets.UTF_8);
            CliRun more = CliRun.of("outlets", "import", jsonl.toString(), "--tenant", "weijiang", "--clickhouse-url", url);
            assertThat(more.exitCode()).as(more.err()).isZero();
            assertThat(more.out()).contains("accepted:  1 (1 customers, 0 competitors)")
                    .contains("line 3: tenant_mismatch").contains("line 4: wrong_type").contains("line 5: not_json");
            assertThat(checks(ch)).contains("v-far near");
            assertThat(ch.count("SELECT count() FROM salespulse.outlets FINAL WHERE tenant = 'weijiang'")).isEqualTo(3);

            // Nothing valid: exit 1, nothing written.
            Path bad = dir.resolve("bad.csv");
            Files.writeString(bad, "kind,outlet_id,lat,lon\ncompetitor,k-9,91,120\n", StandardCharsets.UTF_8);
            CliRun none = CliRun.of("outlets", "import", bad.toString(), "--tenant", "weijiang", "--clickhouse-url", url);
            assertThat(none.exitCode()).isEqualTo(1);
            assertThat(none.err()).contains("no line of");
        }
    }

    private static List<String> checks(ClickHouse ch) throws SQLException {
        return ch.strings("SELECT concat(event_id, ' ', place_check) FROM salespulse.visit_places ORDER BY event_id");
    }

    private static void execute(ClickHouse ch, String sql) throws SQLException {
        try (var s = ch.connection().createStatement()) {
            s.execute(sql);
        }
    }
}

package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `silence add` and `silence list` against the ClickHouse engine with the migrations applied. */
class SilenceCommandTest {
    @TempDir
    Path dir;

    @Test
    void addsAMatcherSilenceRefusesOneMatchingEverythingAndListsWhatRuns() throws Exception {
        try (LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"))) {
            String url = clickHouse.jdbcUrl();
            assertThat(CliRun.of("migrate", "--clickhouse-url", url).exitCode()).isZero();

            CliRun everything = CliRun.of("silence", "add", "--tenant", "weijiang", "--for", "3d", "--author", "u-chen",
                    "--reason", "系统故障", "--clickhouse-url", url);
            assertThat(everything.exitCode()).isEqualTo(2);
            assertThat(everything.err()).contains("refused").contains("every alert of tenant weijiang").contains("--force");
            CliRun tooLong = CliRun.of("silence", "add", "--tenant", "weijiang", "--rep", "r-007", "--for", "200d",
                    "--author", "u-chen", "--reason", "年假", "--clickhouse-url", url);
            assertThat(tooLong.exitCode()).isEqualTo(2);
            CliRun backwards = CliRun.of("silence", "add", "--tenant", "weijiang", "--rep", "r-007", "--start",
                    "2026-12-05T18:00:00+08:00", "--end", "2026-12-04T18:00:00+08:00", "--author", "u-chen", "--reason",
                    "年假", "--clickhouse-url", url);
            assertThat(backwards.exitCode()).isEqualTo(2);
            assertThat(new QueryOnly(url).count()).as("refused silences write nothing").isZero();

            CliRun leave = CliRun.of("silence", "add", "--tenant", "weijiang", "--region", "hz-west", "--rep", "r-007",
                    "--for", "3d", "--author", "u-chen", "--reason", "年假", "--clickhouse-url", url);
            assertThat(leave.exitCode()).as(leave.err()).isZero();
            assertThat(leave.out()).contains("silence cli-").contains("{region=hz-west, rep_id=r-007}").contains("年假");
            CliRun forced = CliRun.of("silence", "add", "--tenant", "weijiang", "--for", "2h", "--author", "ops",
                    "--reason", "系统维护", "--force", "--clickhouse-url", url);
            assertThat(forced.exitCode()).as(forced.err()).isZero();

            CliRun list = CliRun.of("silence", "list", "--clickhouse-url", url);
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains("hz-west").contains("r-007").contains("年假").contains("系统维护").contains("cli");
            assertThat(new QueryOnly(url).count()).isEqualTo(2);
        }
    }

    /** Counts the rows of alert_silences through the CLI's own query command. */
    private record QueryOnly(String url) {
        long count() {
            CliRun r = CliRun.of("query", "SELECT count() AS n FROM salespulse.alert_silences FINAL", "--clickhouse-url", url);
            assertThat(r.exitCode()).as(r.err()).isZero();
            // n / ---- / the value / (1 row)
            return Long.parseLong(r.out().split("\n")[2].trim());
        }
    }
}

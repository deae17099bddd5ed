package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing only: nothing here starts a broker, the engine or Flink. */
class SalesPulseCommandLineTest {

    @Test
    void everySubcommandIsRegistered() {
        assertThat(SalesPulse.commandLine().getSubcommands().keySet())
                .containsExactlyInAnyOrder("demo", "kafka", "clickhouse", "migrate", "run", "simulate", "gateway", "import", "policy", "query", "bench");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "kafka", "clickhouse", "migrate", "run", "simulate", "gateway", "import", "policy", "query", "bench"})
    void everySubcommandHasHelp(String command) {
        CliRun r = CliRun.of(command, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: salespulse " + command);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("demo", "kafka", "clickhouse", "migrate", "run", "simulate", "query");
    }

    @Test
    void runHelpListsEverySettingWithDefaultAndEnvironmentVariable() {
        String help = CliRun.of("run", "--help").out();
        for (io.salespulse.pipeline.config.Setting s : io.salespulse.pipeline.config.Setting.values()) {
            assertThat(help).contains(s.flag()).contains("env: " + s.env());
            if (!s.defaultValue().isEmpty()) {
                assertThat(help).contains("default: " + s.defaultValue());
            }
        }
    }

    @Test
    void badSettingExitsWithTwoAndNamesTheSetting() {
        CliRun r = CliRun.of("run", "monitor", "--sla-needs", "soon");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("sla.needs").doesNotContain("Exception", "\tat ");
    }

    @Test
    void settingsAreAcceptedWithDotsAndEqualsSignsToo() {
        CliRun r = CliRun.of("migrate", "--sla.needs=later");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("sla.needs").contains("'later'");
    }

    @Test
    void unknownJobListsTheKnownOnes() {
        CliRun r = CliRun.of("run", "nosuchjob");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nosuchjob").contains("monitor");
    }

    @Test
    void unknownSettingIsAUsageError() {
        CliRun r = CliRun.of("run", "monitor", "--no-such-setting", "1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--no-such-setting");
    }

    @Test
    void scenarioNamesAreKebabCase() {
        assertThat(new ScenarioOption.Converter().convert("fmcg-distributor").name()).isEqualTo("FMCG_DISTRIBUTOR");
        CliRun r = CliRun.of("simulate", "--scenario", "big-corp");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("small-team");
    }

    @Test
    void tablesAlignChineseTextByDisplayWidth() {
        StringWriter out = new StringWriter();
        TablePrinter.print(new ClickHouse.Table(List.of("status", "n"),
                List.of(List.of("待激活", "3"), List.of("active", "12"))), new PrintWriter(out, true));
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("status | n");
        assertThat(lines.get(2)).isEqualTo("待激活 | 3");
        assertThat(lines.get(3)).isEqualTo("active | 12");
    }
}

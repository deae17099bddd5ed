package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing (and in-memory simulations) only: nothing here starts a broker, the engine or Flink. */
class SalesPulseCommandLineTest {

    @Test
    void everySubcommandIsRegistered() {
        assertThat(SalesPulse.commandLine().getSubcommands().keySet())
                .containsExactlyInAnyOrder("demo", "kafka", "clickhouse", "migrate", "run", "simulate", "gateway", "import", "policy", "query", "bench", "docs",
                        "cluster", "flink", "silence", "outlets", "routes", "cash");
    }

    @Test
    void flinkPassesEveryArgumentToFlinksClientAsItIs() {
        String[] args = {"run", "-d", "-c", "io.salespulse.pipeline.funnel.FunnelJob", "-s", "file:///sp/savepoint-1",
            "pipeline/target/salespulse-pipeline-0.1.0-SNAPSHOT-job.jar", "--kafka-bootstrap", "k:9092", "--help"};
        var parsed = SalesPulse.commandLine().parseArgs(concat("flink", args));
        FlinkCommand flink = (FlinkCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(flink.args).containsExactly(args);
    }

    @Test
    void clusterStatusWithoutAClusterExitsOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        CliRun r = CliRun.of("cluster", "status", "--dir", dir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("no cluster process is running under");
    }

    private static String[] concat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "kafka", "clickhouse", "migrate", "run", "simulate", "gateway", "import", "policy", "query", "bench", "docs", "cluster"})
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
    void theRetractionTablePrintsOneRowPerGraceAndSendsNothing() {
        CliRun r = CliRun.of("simulate", "--retraction-table", "0s,1h", "--weeks", "1", "--end", "2026-02-06T10:00:00Z",
                "--kafka-bootstrap", "127.0.0.1:1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("offline reps 0.15, retries 0.02").contains("field traffic defaults");
        assertThat(lines.get(1)).startsWith("grace | alerts emitted | later retracted | retraction rate");
        assertThat(lines.get(3)).startsWith("0s ");
        assertThat(lines.get(4)).startsWith("1h ").contains("1h00m / 1h00m");
    }

    @Test
    void aHistoryFileAndTheGroundTruthOfImportingIt(@TempDir Path tmp) throws Exception {
        Path history = tmp.resolve("h/history.jsonl");
        Path truth = tmp.resolve("gt.json");
        CliRun r = CliRun.of("simulate", "--tenant", "newco", "--weeks", "1", "--end", "2026-02-06T10:00:00Z", "--history-file",
                history.toString(), "--ground-truth", truth.toString(), "--grace", "15m");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(history);
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"event_id\":").contains("\"newco\""));
        JsonNode overdue = Json.MAPPER.readTree(truth.toFile()).get("overdue");
        assertThat(overdue.get("grace").asText()).isEqualTo("PT15M");
        assertThat(overdue.get("alerts")).isNotEmpty().allSatisfy(a ->
                assertThat(a.get("emitted_at").asText()).isEqualTo("2026-02-06T10:00:00Z"));
        assertThat(overdue.get("retractions")).isEmpty();
    }

    @Test
    void badFieldTrafficOptionsAreUsageErrorsNamingTheFlag() {
        CliRun grace = CliRun.of("simulate", "--retraction-table", "0s", "--grace", "soon");
        assertThat(grace.exitCode()).isEqualTo(2);
        assertThat(grace.err()).contains("--grace").contains("soon");
        CliRun share = CliRun.of("simulate", "--retraction-table", "0s", "--offline-reps", "1.5");
        assertThat(share.exitCode()).isEqualTo(2);
        assertThat(share.err()).contains("--offline-reps");
        CliRun history = CliRun.of("simulate", "--history-file", "x.jsonl", "--offline-reps");
        assertThat(history.exitCode()).isEqualTo(2);
        assertThat(history.err()).contains("--history-file");
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

package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.cli.SalesPulse;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Json;
import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.producers.simulator.ExpectedOutcomes;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedAlert;
import io.salespulse.producers.simulator.OverdueOracle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/salespulse simulate --end now} into a monitor job that is already running, its clock at the wall clock
 * (as docker compose does it: {@code init} submits the job, then the {@code simulator} service runs). The three weeks
 * of history go as an import session, so the job holds the tenant's customers until the session completes and then
 * decides the history once: exactly the oracle's alerts (run on what actually arrived, the import decided at its
 * completion), with the oracle's origins, none retracted. Then the same history of another tenant with
 * {@code --no-import-session}: the job takes the old records for late uploads and raises alerts that the next cards
 * withdraw (the flood the session prevents), while the alerts that stand are still the ground truth's.
 */
class SimulateIntoRunningJobTest {
    private static final String IMPORTED = "simco";
    private static final String PLAIN = "plainco";
    private static final String PROBE = "probe";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void aSimulatedHistoryIntoARunningJobIsDecidedOnceWithoutRetractions() throws Exception {
        try (TestStack stack = TestStack.start(dir);
                AlertWatch watch = new AlertWatch(stack.kafka.bootstrapServers(), "sales.alerts")) {
            String bootstrap = stack.kafka.bootstrapServers();
            long now = System.currentTimeMillis();
            try (History h = stack.history()) {
                h.send("sales.policies", PROBE, now, "{\"version\":1,\"updated_at\":\"" + History.iso(now)
                        + "\",\"updated_by\":\"test\",\"sla\":{\"contact\":\"3s\"}}");
            }
            PipelineConfig config = FaultJobs.config(stack, "running", Map.of());
            JobClient job = FaultJobs.start(config, null);

            // The job runs and its clock is the wall clock: a probe card filed now is overdue 3 s later.
            Thread.sleep(5_000);
            long filed = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
            try (History h = stack.history()) {
                h.send("sales.stages", "c-probe", filed, Cards.contact(PROBE, "probe-1", "c-probe", filed));
            }
            String probeAlert = AlertIds.stageOverdue(PROBE, "c-probe", "contact", Instant.ofEpochMilli(filed + 3_000));
            watch.awaitAll(List.of(probeAlert), Duration.ofSeconds(30));
            assertThat(watch.ids()).as("the running job's clock follows the wall clock").contains(probeAlert);
            AlertWatch.Seen probe = watch.all().stream().filter(s -> s.id().equals(probeAlert)).findFirst().orElseThrow();
            System.out.printf("job running: a probe card filed now was alerted %d ms after its due time%n",
                    probe.lateMs());

            // What docker compose's simulator service runs, into the running job.
            Path truthFile = dir.resolve("ground-truth.json");
            String out = simulate("--kafka-bootstrap", bootstrap, "--tenant", IMPORTED, "--weeks", "3", "--seed", "7",
                    "--scenario", "small-team", "--end", "now", "--ground-truth", truthFile.toString(), "--no-progress");
            System.out.print(out);
            assertThat(out).contains("went as import sim-");

            Thread.sleep(5_000);
            ExpectedOutcomes truth = new OverdueOracle(StageSla.defaults(), Duration.ZERO).run(
                    Arrivals.of(bootstrap, IMPORTED), Arrivals.imports(bootstrap, IMPORTED, config.outOfOrderness),
                    Instant.now());
            assertThat(truth.retractions()).as("nothing of an import is ever retracted").isEmpty();
            watch.awaitAll(truth.alertIds(), Duration.ofSeconds(120));
            List<AlertWatch.Seen> seen = ofTenant(watch, IMPORTED);
            Tally tally = Tally.of("simulate --end now into a running job, " + truth.alerts().size()
                    + " alerts in the history (" + truth.alerts().stream().filter(a -> "history".equals(a.origin()))
                    .count() + " about the past)", truth.alertIds(), seen).assertExact();
            assertThat(tally.retracted()).as("retractions").isEmpty();
            assertThat(seen).as("only overdue alerts, no retraction notices")
                    .allMatch(s -> "stage_overdue".equals(s.alert().path("type").asText()));
            Map<String, String> originById = truth.alerts().stream()
                    .collect(Collectors.toMap(ExpectedAlert::alertId, ExpectedAlert::origin));
            assertThat(seen).as("origin as the oracle says").allMatch(s ->
                    s.alert().path("origin").asText().equals(originById.get(s.id())));

            // The ground truth the command wrote says the same (its end is the completion, so alerts of gaps that
            // fell due after it, while the test waited, are among its pending ones).
            JsonNode written = Json.MAPPER.readTree(truthFile.toFile()).path("overdue");
            List<String> writtenIds = new ArrayList<>();
            written.path("alerts").forEach(a -> writtenIds.add(a.path("alert_id").asText()));
            List<String> laterIds = new ArrayList<>();
            written.path("pending").forEach(a -> laterIds.add(a.path("alert_id").asText()));
            assertThat(written.path("retractions")).isEmpty();
            assertThat(truth.alertIds()).containsAll(writtenIds);
            assertThat(laterIds).containsAll(truth.alertIds().stream().filter(id -> !writtenIds.contains(id)).toList());

            Map<String, Long> expectedStatus = new TreeMap<>(truth.customersByStatus());
            expectedStatus.values().removeIf(n -> n == 0);
            assertThat(statuses(stack, IMPORTED, expectedStatus)).as("customers per status").isEqualTo(expectedStatus);
            stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL WHERE tenant = '" + IMPORTED + "'",
                    String.valueOf(truth.distinctEventIds().get("stage_cards")));
            stack.awaitValue("SELECT status FROM salespulse.import_sessions FINAL WHERE tenant = '" + IMPORTED + "'",
                    "complete");

            // The same into the same running job without the session: the flood.
            String plainOut = simulate("--kafka-bootstrap", bootstrap, "--tenant", PLAIN, "--weeks", "3", "--seed", "7",
                    "--scenario", "small-team", "--end", "now", "--no-import-session", "--no-progress");
            assertThat(plainOut).doesNotContain("went as import");
            ExpectedOutcomes plainTruth = new OverdueOracle(StageSla.defaults(), Duration.ZERO).run(
                    Arrivals.of(bootstrap, PLAIN), Instant.now());
            watch.awaitAll(plainTruth.alertIds(), Duration.ofSeconds(120));
            List<AlertWatch.Seen> flood = awaitQuiet(watch, PLAIN);
            Tally plain = Tally.of("simulate --end now --no-import-session into a running job, " + flood.stream()
                    .filter(s -> "stage_overdue".equals(s.alert().path("type").asText())).count()
                    + " stage_overdue alerts raised", plainTruth.alertIds(), flood);
            assertThat(plain.retracted()).as("an unannounced history is taken for late uploads").isNotEmpty();
            assertThat(plain.extra()).as("the alerts that stand are still the history's").isEmpty();
            FaultJobs.cancelQuietly(job);
        }
    }

    /** Runs {@code salespulse simulate ...} in this JVM; returns what it printed. */
    private static String simulate(String... args) {
        CommandLine cli = SalesPulse.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("simulate"));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        assertThat(code).as("simulate exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    private static List<AlertWatch.Seen> ofTenant(AlertWatch watch, String tenant) {
        return watch.all().stream().filter(s -> s.alert().path("tenant").asText().equals(tenant)).toList();
    }

    /** The tenant's alerts once none came for 5 s (at most two minutes). */
    private static List<AlertWatch.Seen> awaitQuiet(AlertWatch watch, String tenant) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int last = -1;
        List<AlertWatch.Seen> seen = ofTenant(watch, tenant);
        while (seen.size() != last && System.nanoTime() < deadline) {
            last = seen.size();
            Thread.sleep(5_000);
            seen = ofTenant(watch, tenant);
        }
        return seen;
    }

    /** customer_status per status for the tenant, polled until it equals {@code expected} (at most a minute). */
    private static Map<String, Long> statuses(TestStack stack, String tenant, Map<String, Long> expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Long> byStatus = new TreeMap<>();
        while (true) {
            byStatus.clear();
            for (String row : stack.query("SELECT concat(status, '=', toString(count())) FROM salespulse.customer_status"
                    + " FINAL WHERE tenant = '" + tenant + "' GROUP BY status")) {
                byStatus.put(row.split("=")[0], Long.parseLong(row.split("=")[1]));
            }
            if (byStatus.equals(expected) || System.nanoTime() > deadline) {
                return byStatus;
            }
            Thread.sleep(500);
        }
    }
}

package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.importer.HistoryImporter;
import io.salespulse.producers.importer.ImportPlan;
import io.salespulse.producers.simulator.ExpectedOutcomes;
import io.salespulse.producers.simulator.OverdueOracle;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.Simulator;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new tenant brings four weeks of history with {@code salespulse import} (through the gateway, in batches with
 * pauses) while another tenant is live. Three monitor jobs read the same topics: one started before the import,
 * one during it, one after it. Each must give exactly the ground truth (the oracle run on what actually arrived,
 * with the import decided when it completed): no alert for a customer whose next card is still being imported,
 * nothing extra, nothing missing, every id once; the live tenant's alerts keep their normal latency meanwhile.
 * Before, such an import into a job running for more than 5 minutes raised 786 alerts where the history held 362.
 */
class LiveImportTest {
    private static final String LIVE = "weijiang";
    private static final String NEW = "newco";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void anImportIsExactForJobsStartedBeforeDuringAndAfterItWhileAnotherTenantIsLive() throws Exception {
        try (GatewayStack g = GatewayStack.start(dir, LIVE, NEW)) {
            g.stack.kafka.createTopics(1, "sales.alerts.during", "sales.alerts.after");
            long now = System.currentTimeMillis();
            try (History h = g.stack.history()) {
                // The live tenant works with a 30 s contact SLA, so its alerts fall due during the import.
                h.send("sales.policies", LIVE, now, "{\"version\":1,\"updated_at\":\"" + History.iso(now)
                        + "\",\"updated_by\":\"test\",\"sla\":{\"contact\":\"30s\"}}");
            }
            Map<String, AlertWatch> watches = new LinkedHashMap<>();
            List<JobClient> jobs = new ArrayList<>();
            PipelineConfig before = FaultJobs.config(g.stack, "before", Map.of());
            jobs.add(FaultJobs.start(before, null));
            watches.put("job started before", new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts"));

            Path file = dir.resolve("newco-history.jsonl");
            SimulationSettings history = SimulationSettings.builder().tenant(NEW).scenario(Scenario.SMALL_TEAM)
                    .seed(13).duration(Duration.ofDays(28)).end(Instant.now().minus(Duration.ofHours(2))
                            .truncatedTo(ChronoUnit.SECONDS)).build();
            try (Writer w = Files.newBufferedWriter(file)) {
                new Simulator(history).writeHistory(w, Instant.now());
            }

            AtomicBoolean liveOn = new AtomicBoolean(true);
            Thread live = liveTenant(g, liveOn);
            HistoryImporter importer = new HistoryImporter(new HistoryImporter.Options(NEW, null, "four weeks",
                    null, null, 50));
            ImportPlan plan = importer.read(List.of(file));
            AtomicReference<Exception> failed = new AtomicReference<>();
            importer.send(plan, new GatewayPoster(g.gateway.url(), g.token(NEW), 10), (sent, total) -> {
                try {
                    Thread.sleep(250); // the importer's requests come in bursts with pauses
                    if (sent >= total / 2 && jobs.size() == 1) {
                        jobs.add(FaultJobs.start(FaultJobs.config(g.stack, "during", Map.of(Setting.PARALLELISM, "1",
                                Setting.TOPIC_ALERTS, "sales.alerts.during")), null));
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            assertThat(failed.get()).isNull();
            assertThat(jobs).as("the second job started while the import ran").hasSize(2);
            Thread.sleep(5_000);
            jobs.add(FaultJobs.start(FaultJobs.config(g.stack, "after", Map.of(Setting.PARALLELISM, "1",
                    Setting.TOPIC_ALERTS, "sales.alerts.after")), null));
            watches.put("job started during", new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts.during"));
            watches.put("job started after", new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts.after"));
            Thread.sleep(20_000);
            liveOn.set(false);
            live.join();
            Thread.sleep(35_000); // every live contact card falls due
            Instant end = Instant.now();

            ExpectedOutcomes imported = new OverdueOracle(StageSla.defaults(), Duration.ZERO).run(
                    Arrivals.of(g.stack.kafka.bootstrapServers(), NEW),
                    Arrivals.imports(g.stack.kafka.bootstrapServers(), NEW, before.outOfOrderness), end);
            ExpectedOutcomes liveTruth = new OverdueOracle(StageSla.defaults().with(
                    io.salespulse.contract.Stage.CONTACT, Duration.ofSeconds(30)), Duration.ZERO)
                    .run(Arrivals.of(g.stack.kafka.bootstrapServers(), LIVE), end);
            assertThat(imported.retractions()).as("nothing of an import is ever retracted").isEmpty();
            List<String> expected = new ArrayList<>(imported.alertIds());
            expected.addAll(liveTruth.alertIds());
            System.out.printf("import of %d records (%d stage cards): %d alerts in its history (%d of them about the past);"
                    + " live tenant: %d alerts%n", plan.valid(), imported.distinctEventIds().get("stage_cards"),
                    imported.alerts().size(), imported.alerts().stream().filter(a -> "history".equals(a.origin())).count(),
                    liveTruth.alerts().size());

            for (Map.Entry<String, AlertWatch> w : watches.entrySet()) {
                w.getValue().awaitAll(expected, Duration.ofSeconds(120));
                Tally.of(w.getKey(), expected, w.getValue().all()).assertExact();
                assertThat(w.getValue().all()).as("%s: origin as the oracle says", w.getKey())
                        .filteredOn(s -> s.alert().get("tenant").asText().equals(NEW))
                        .extracting(s -> s.alert().get("origin").asText())
                        .containsExactlyInAnyOrderElementsOf(imported.alerts().stream().map(a -> a.origin()).toList());
            }
            List<Long> late = watches.get("job started before").all().stream()
                    .filter(s -> s.alert().get("tenant").asText().equals(LIVE)).map(AlertWatch.Seen::lateMs).sorted()
                    .collect(Collectors.toList());
            System.out.printf("live tenant during the import: %d alerts visible after their due time p50 %d ms, p99 %d ms,"
                    + " max %d ms%n", late.size(), late.get(late.size() / 2),
                    late.get((int) Math.ceil(late.size() * 0.99) - 1), late.get(late.size() - 1));
            assertThat(late).as("the import does not hold the live tenant's alerts back").allMatch(ms -> ms < 15_000);

            for (ExpectedOutcomes truth : List.of(imported, liveTruth)) {
                String tenant = truth == imported ? NEW : LIVE;
                Map<String, Long> byStatus = new TreeMap<>();
                for (String row : g.stack.query("SELECT concat(status, '=', toString(count())) FROM salespulse.customer_status"
                        + " FINAL WHERE tenant = '" + tenant + "' GROUP BY status")) {
                    byStatus.put(row.split("=")[0], Long.parseLong(row.split("=")[1]));
                }
                Map<String, Long> expectedStatus = new TreeMap<>(truth.customersByStatus());
                expectedStatus.values().removeIf(n -> n == 0);
                assertThat(byStatus).as("customers of %s per status", tenant).isEqualTo(expectedStatus);
                g.stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL WHERE tenant = '" + tenant + "'",
                        String.valueOf(truth.distinctEventIds().get("stage_cards")));
            }
            g.stack.awaitValue("SELECT status FROM salespulse.import_sessions FINAL WHERE tenant = '" + NEW + "'",
                    "complete");
            jobs.forEach(FaultJobs::cancelQuietly);
            for (AlertWatch w : watches.values()) {
                w.close();
            }
        }
    }

    /** One new customer of the live tenant every 1.5 s, its contact card posted as it happens. */
    private static Thread liveTenant(GatewayStack g, AtomicBoolean on) {
        Thread t = new Thread(() -> {
            int i = 0;
            try {
                while (on.get()) {
                    long at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
                    g.postCards(LIVE, List.of(Cards.contact(LIVE, "live-" + i, "c-live-" + i, at)));
                    i++;
                    Thread.sleep(1_500);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-tenant");
        t.start();
        return t;
    }
}

package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.producers.simulator.ExpectedOutcomes;
import io.salespulse.producers.simulator.OverdueOracle;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phones that lose signal keep their cards and upload them later, mixed with live traffic. Two tenants, both with a
 * 20 s contact SLA; one also with {@code offline_grace} 15 s. Per tenant, four kinds of customer: the needs card
 * comes live and in time; it was filed in time but uploaded after the due time (the alert fired on time and is
 * retracted: with the grace, no alert at all); it was filed late and uploaded later still (the alert stands); it
 * never comes. Everything goes through the gateway, a phone's queue as one request. The ground truth is the oracle
 * run on what actually arrived; the test prints expected / got / extra / missing / retracted for each tenant.
 */
class OfflineUploadTest {
    private static final String PLAIN = "weijiang";
    private static final String GRACE = "gracefield";
    private static final int PER_KIND = 6;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void aCardUploadedLateRetractsTheAlertItProvesWrongAndTheGraceAvoidsIt() throws Exception {
        try (GatewayStack g = GatewayStack.start(dir, PLAIN, GRACE);
                AlertWatch watch = new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts")) {
            long now = System.currentTimeMillis();
            try (History h = g.stack.history()) {
                h.send("sales.policies", PLAIN, now, policy(now, ""));
                h.send("sales.policies", GRACE, now, policy(now, ",\"offline_grace\":\"15s\""));
            }
            PipelineConfig config = FaultJobs.config(g.stack, "offline", Map.of());
            JobClient job = FaultJobs.start(config, null);
            Thread.sleep(5_000);

            long t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
            for (String tenant : List.of(PLAIN, GRACE)) {
                List<String> contacts = new ArrayList<>();
                for (String kind : List.of("live", "offline-in-time", "offline-late", "never")) {
                    for (int i = 0; i < PER_KIND; i++) {
                        contacts.add(Cards.contact(tenant, tenant + "-c-" + kind + i, customer(kind, i), t0));
                    }
                }
                g.postCards(tenant, contacts);
            }
            Faults.sleepUntil(t0 + 5_000);
            postNeeds(g, "live", t0 + 5_000);                  // in time, uploaded at once
            Faults.sleepUntil(t0 + 30_000);                           // due at t0 + 20 s (+ 15 s grace: 35 s)
            postNeeds(g, "offline-in-time", t0 + 10_000);      // filed at +10 s, uploaded at +30 s
            Faults.sleepUntil(t0 + 42_000);
            postNeeds(g, "offline-late", t0 + 25_000);         // filed at +25 s (late), uploaded at +42 s
            Faults.sleepUntil(t0 + 50_000);
            Instant end = Instant.now();

            for (String tenant : List.of(PLAIN, GRACE)) {
                Duration grace = tenant.equals(GRACE) ? Duration.ofSeconds(15) : Duration.ZERO;
                ExpectedOutcomes truth = new OverdueOracle(StageSla.defaults().with(Stage.CONTACT, Duration.ofSeconds(20)),
                        grace).run(Arrivals.of(g.stack.kafka.bootstrapServers(), tenant), end);
                List<String> retracted = truth.retractions().stream().map(ExpectedOutcomes.ExpectedRetraction::alertId)
                        .toList();
                List<AlertWatch.Seen> seen = watch.all().stream()
                        .filter(s -> s.alert().get("tenant").asText().equals(tenant)).toList();
                watch.awaitAll(truth.alertIds(), Duration.ofSeconds(30));
                seen = watch.all().stream().filter(s -> s.alert().get("tenant").asText().equals(tenant)).toList();
                Tally t = Tally.of(tenant + " (offline_grace " + grace.toSeconds() + " s)",
                        truth.standingAlerts().stream().map(ExpectedOutcomes.ExpectedAlert::alertId).toList(), seen)
                        .assertExact();
                assertThat(t.retracted()).as("%s: retracted as the oracle says", tenant)
                        .containsExactlyInAnyOrderElementsOf(retracted);
                if (tenant.equals(PLAIN)) {
                    assertThat(retracted).as("every card filed in time but uploaded after the due time").hasSize(PER_KIND);
                } else {
                    assertThat(retracted).as("the grace absorbed every late upload").isEmpty();
                    assertThat(t.got()).noneMatch(id -> id.contains("offline-in-time"));
                }
            }
            // The retractions are in ClickHouse, and the figures leave the retracted alerts out.
            g.stack.awaitValue("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'retraction'",
                    String.valueOf(PER_KIND));
            assertThat(g.stack.query("SELECT count() FROM salespulse.valid_alerts WHERE customer_id LIKE '%offline-in-time%'"))
                    .containsExactly("0");
            assertThat(g.stack.query("SELECT count() FROM salespulse.alert_response_times"
                    + " WHERE customer_id LIKE '%offline-in-time%'")).containsExactly("0");
            FaultJobs.cancelQuietly(job);
        }
    }

    private static String customer(String kind, int i) {
        return "c-" + kind + "-" + i;
    }

    private static void postNeeds(GatewayStack g, String kind, long filedAt) throws Exception {
        for (String tenant : List.of(PLAIN, GRACE)) {
            List<String> queue = new ArrayList<>();
            for (int i = 0; i < PER_KIND; i++) {
                queue.add(Cards.card(tenant, tenant + "-n-" + kind + i, customer(kind, i), "needs", filedAt,
                        "\"need\":\"restock\""));
            }
            g.postCards(tenant, queue); // the phone's queue, one upload
        }
    }

    private static String policy(long now, String extra) {
        return "{\"version\":1,\"updated_at\":\"" + History.iso(now) + "\",\"updated_by\":\"test\","
                + "\"sla\":{\"contact\":\"20s\"}" + extra + "}";
    }
}

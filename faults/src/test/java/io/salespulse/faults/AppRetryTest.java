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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app sends a card again with the same {@code event_id} when it did not see the answer (a timeout, a lost
 * connection): a second later, after the customer's next card, after the opportunity closed, after an alert
 * fired. None of it may change anything: the same alerts as without the retries, the same statuses, one row per
 * card. Before, a retry that arrived after the closing card started a new opportunity: a false overdue alert, a
 * wrong status (lost -> overdue) and one alert id twice on sales.alerts. Through the gateway, at the pace it
 * happens; the SLAs are seconds long so the whole story fits in a minute.
 */
class AppRetryTest {
    private static final String TENANT = "weijiang";
    private static final int CUSTOMERS = 8;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    @Test
    void cardsSentAgainChangeNothingWhenTheyArriveOrHowOften() throws Exception {
        try (GatewayStack g = GatewayStack.start(dir, TENANT);
                AlertWatch watch = new AlertWatch(g.stack.kafka.bootstrapServers(), "sales.alerts")) {
            long now = System.currentTimeMillis();
            try (History h = g.stack.history()) {
                h.send("sales.policies", TENANT, now, "{\"version\":1,\"updated_at\":\"" + History.iso(now)
                        + "\",\"updated_by\":\"test\",\"sla\":{\"contact\":\"15s\",\"needs\":\"15s\",\"proposal\":\"15s\"}}");
            }
            PipelineConfig config = FaultJobs.config(g.stack, "retries", Map.of());
            JobClient job = FaultJobs.start(config, null);
            Thread.sleep(5_000);

            long t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
            List<String> contacts = new ArrayList<>();
            List<String> needs = new ArrayList<>();
            List<String> closes = new ArrayList<>();
            for (int i = 0; i < CUSTOMERS; i++) {
                String c = "c-" + i;
                boolean even = i % 2 == 0;
                contacts.add(Cards.contact(TENANT, "s-contact-" + i, c, t0));
                // Even customers answer in time; odd ones 5 s late (their contact alert fires first).
                needs.add(Cards.card(TENANT, "s-needs-" + i, c, "needs", t0 + (even ? 5_000 : 20_000), "\"need\":\"x\""));
                closes.add(Cards.card(TENANT, "s-close-" + i, c, "closing", t0 + (even ? 15_000 : 25_000),
                        "\"outcome\":\"" + (even ? "lost" : "won") + "\""));
            }
            g.postCards(TENANT, contacts);
            Faults.sleepUntil(t0 + 1_000);
            g.postCards(TENANT, contacts);               // sent again a second later
            Faults.sleepUntil(t0 + 5_000);
            g.postCards(TENANT, evens(needs));
            Faults.sleepUntil(t0 + 15_000);
            g.postCards(TENANT, evens(closes));
            Faults.sleepUntil(t0 + 20_000);
            g.postCards(TENANT, odds(needs));
            g.postCards(TENANT, contacts);               // after the next card and after the contact alerts
            Faults.sleepUntil(t0 + 25_000);
            g.postCards(TENANT, odds(closes));
            Faults.sleepUntil(t0 + 30_000);
            g.postCards(TENANT, needs);                  // after the close: must not reopen anything
            g.postCards(TENANT, contacts);
            Faults.sleepUntil(t0 + 60_000);              // a retried card's stage would now be long overdue
            g.postCards(TENANT, closes);
            Faults.sleepUntil(t0 + 65_000);
            Instant end = Instant.now();

            List<OverdueOracle.Arrival> arrived = Arrivals.of(g.stack.kafka.bootstrapServers(), TENANT);
            StageSla sla = StageSla.defaults().with(Stage.CONTACT, Duration.ofSeconds(15))
                    .with(Stage.NEEDS, Duration.ofSeconds(15)).with(Stage.PROPOSAL, Duration.ofSeconds(15));
            ExpectedOutcomes truth = new OverdueOracle(sla, Duration.ZERO).run(arrived, end);
            // The same story without any retry: the first copy of each card only.
            Set<String> firsts = new HashSet<>();
            List<OverdueOracle.Arrival> once = arrived.stream().filter(a -> firsts.add(a.kind() + a.eventId())).toList();
            ExpectedOutcomes withoutRetries = new OverdueOracle(sla, Duration.ZERO).run(once, end);
            assertThat(arrived.size()).as("the retries reached Kafka").isGreaterThan(once.size() * 2);
            assertThat(truth.alertIds()).as("retries change no alert").isEqualTo(withoutRetries.alertIds());
            assertThat(truth.alertIds()).as("one contact alert per late customer").hasSize(CUSTOMERS / 2);

            watch.awaitAll(truth.alertIds(), Duration.ofSeconds(30));
            Tally t = Tally.of("app retries", truth.alertIds(), watch.all()).assertExact();
            assertThat(t.retracted()).isEmpty();
            g.stack.awaitValue("SELECT count() FROM salespulse.stage_events FINAL", String.valueOf(3 * CUSTOMERS));
            g.stack.awaitValue("SELECT countIf(status = 'lost') FROM salespulse.customer_status FINAL",
                    String.valueOf(CUSTOMERS / 2));
            g.stack.awaitValue("SELECT countIf(status = 'won') FROM salespulse.customer_status FINAL",
                    String.valueOf(CUSTOMERS / 2));
            FaultJobs.cancelQuietly(job);
        }
    }

    private static List<String> evens(List<String> cards) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cards.size(); i += 2) {
            out.add(cards.get(i));
        }
        return out;
    }

    private static List<String> odds(List<String> cards) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < cards.size(); i += 2) {
            out.add(cards.get(i));
        }
        return out;
    }
}

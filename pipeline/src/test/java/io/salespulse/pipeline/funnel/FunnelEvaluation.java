package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.Topics;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.producers.simulator.GroundTruth;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the funnel job's functions on simulated histories with injected ground truth (issue 3's simulator):
 * drop detection precision and recall over many seeds, repeated-objection coaching against the ground truth,
 * and the forecast digest's error against what happened in the following 7 days. Prints numbers; runs only
 * with {@code -Dfunnel.evaluate=true} (about a minute):
 *
 * <pre>mvn -B -pl pipeline test -Dtest=FunnelEvaluation -Dfunnel.evaluate=true [-Dfunnel.seeds=20]</pre>
 */
@EnabledIfSystemProperty(named = "funnel.evaluate", matches = "true")
class FunnelEvaluation {
    private static final Instant END = Instant.parse("2026-03-02T00:00:00Z");
    private static final Duration HISTORY = Duration.ofDays(63);
    private static final int DROP_DAY = 42;

    @Test
    void measure() throws Exception {
        int seeds = Integer.getInteger("funnel.seeds", 20);
        double rate = Double.parseDouble(System.getProperty("funnel.drop-rate", "0.45"));
        Scenario scenario = Scenario.valueOf(System.getProperty("funnel.scenario", "FMCG_DISTRIBUTOR"));
        // -Dfunnel.settings=funnel.drop-p-value=0.001,funnel.drop-confirm=12h tries other thresholds.
        Map<io.salespulse.pipeline.config.Setting, String> overrides = new HashMap<>();
        for (String kv : System.getProperty("funnel.settings", "").split(",")) {
            if (!kv.isBlank()) {
                overrides.put(io.salespulse.pipeline.config.Setting.byName(kv.split("=", 2)[0].trim()),
                        kv.split("=", 2)[1].trim());
            }
        }
        FunnelSettings settings = FunnelSettings.from(
                io.salespulse.pipeline.config.PipelineConfig.defaults().with(overrides));
        int truePositives = 0;
        int falsePositives = 0;
        int detected = 0;
        int injected = 0;
        List<Long> delaysHours = new ArrayList<>();
        int repeatedExpected = 0;
        int repeatedFound = 0;
        int repeatedExtra = 0;
        double absError = 0;
        double sumPredicted = 0;
        double sumActual = 0;
        int digests = 0;
        int covered = 0;
        List<String> falseAlerts = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            String region = scenario.regions().get(seed % scenario.regions().size());
            SimulationSettings sim = SimulationSettings.builder().scenario(scenario).seed(seed).end(END)
                    .duration(HISTORY)
                    .inject("conversion-drop:region=" + region + ",from=day+" + DROP_DAY + ",rate=" + rate)
                    .inject("repeated-objection:rep=r-005,tag=delivery_time,at=day+20,times=3")
                    .build();
            InMemoryEventSink sink = new InMemoryEventSink();
            SimulationSummary summary = new Simulator(sim).run(sink);
            GroundTruth truth = summary.groundTruth();
            List<StageEvent> cards = cards(sink);
            try (FunnelChain chain = new FunnelChain(settings)) {
                long max = Long.MIN_VALUE;
                int n = 0;
                for (StageEvent c : cards) {
                    chain.card(c);
                    max = Math.max(max, c.occurredAt);
                    if (++n % 100 == 0) {
                        chain.watermark(max - 1_001);
                    }
                }
                chain.watermark(END.toEpochMilli());

                // Drops: an alert is right when it is about the injected region's proposal stage, from the drop on.
                GroundTruth.ConversionDrop drop = truth.conversionDrops().get(0);
                injected++;
                boolean found = false;
                for (Alert a : chain.alerts("funnel_drop")) {
                    boolean right = a.region.equals(drop.region()) && a.stage.equals("proposal")
                            && a.firedAt >= drop.from().toEpochMilli();
                    if (right) {
                        if (examples.isEmpty()) {
                            examples.add(a.title + "\n    " + a.message + "\n    " + a.suggestion);
                        }
                        truePositives++;
                        if (!found) {
                            delaysHours.add((a.firedAt - drop.from().toEpochMilli()) / 3_600_000L);
                        }
                        found = true;
                    } else {
                        falsePositives++;
                        falseAlerts.add("seed " + seed + ": " + a.alertId);
                    }
                }
                if (found) {
                    detected++;
                }

                // Repeated objections: exactly the ground truth's cases (natural and injected).
                Set<String> expected = new TreeSet<>();
                for (GroundTruth.RepeatedObjection r : truth.repeatedObjections()) {
                    expected.add(r.customerId() + ":" + r.tag() + ":" + r.thirdAt());
                }
                Set<String> got = new TreeSet<>();
                for (Alert a : chain.alerts("coaching")) {
                    if (a.alertId.startsWith("coaching:repeated_objection:")) {
                        String[] p = a.alertId.split(":", 5);
                        got.add(p[3] + ":" + p[4].substring(0, p[4].indexOf(':')) + ":"
                                + p[4].substring(p[4].indexOf(':') + 1));
                    }
                }
                repeatedExpected += expected.size();
                Set<String> hit = new HashSet<>(got);
                hit.retainAll(expected);
                repeatedFound += hit.size();
                repeatedExtra += got.size() - hit.size();

                // Forecast: expected wins in [D, D + 7d) per team against the won cards that came.
                Map<String, List<Long>> wins = new HashMap<>();
                for (StageEvent c : cards) {
                    if ("closing".equals(c.stage) && "won".equals(c.outcome)) {
                        wins.computeIfAbsent(c.team, t -> new ArrayList<>()).add(c.occurredAt);
                    }
                }
                long firstForecast = END.minus(HISTORY).plus(Duration.ofDays(35)).toEpochMilli();
                for (DigestRow r : chain.digestRows) {
                    if (!r.stage.equals("all") || r.digestAt < firstForecast
                            || r.digestAt + ForecastDigest.HORIZON > END.toEpochMilli()) {
                        continue;
                    }
                    long actual = wins.getOrDefault(r.team, List.of()).stream()
                            .filter(t -> t >= r.digestAt && t < r.digestAt + ForecastDigest.HORIZON).count();
                    absError += Math.abs(r.expectedWins7d - actual);
                    covered += actual >= r.winsLow7d && actual <= r.winsHigh7d ? 1 : 0;
                    sumPredicted += r.expectedWins7d;
                    sumActual += actual;
                    digests++;
                }
            }
        }
        double precision = (double) truePositives / Math.max(1, truePositives + falsePositives);
        double recall = (double) detected / injected;
        delaysHours.sort(Long::compare);
        System.out.println("settings: " + System.getProperty("funnel.settings", "(defaults)"));
        System.out.printf(Locale.ROOT, "%nFunnel evaluation: %s, %d seeds, %d days each, drop to rate %.2f from day %d"
                        + " in one region (proposal stage)%n", scenario, seeds, HISTORY.toDays(), rate, DROP_DAY);
        System.out.printf(Locale.ROOT, "  drops: precision %.3f (%d right alerts, %d wrong), recall %.3f (%d of %d"
                + " drops found); detection delay after the drop starts: median %d h, max %d h%n", precision,
                truePositives, falsePositives, recall, detected, injected,
                delaysHours.isEmpty() ? -1 : delaysHours.get(delaysHours.size() / 2),
                delaysHours.isEmpty() ? -1 : delaysHours.get(delaysHours.size() - 1));
        falseAlerts.forEach(a -> System.out.println("    wrong: " + a));
        examples.forEach(e -> System.out.println("  example: " + e));
        System.out.printf(Locale.ROOT, "  repeated objections: %d of %d ground-truth cases alerted, %d alerts not in"
                + " the ground truth%n", repeatedFound, repeatedExpected, repeatedExtra);
        System.out.printf(Locale.ROOT, "  forecast (team x day, %d digests): mean actual wins in 7 days %.2f, mean"
                + " forecast %.2f, MAE %.2f (%.0f%% of the mean), bias %+.1f%%, 80%% interval held the wins in %.3f%n",
                digests, sumActual / digests, sumPredicted / digests, absError / digests, 100 * absError / sumActual,
                100 * (sumPredicted / sumActual - 1), (double) covered / digests);
        assertThat(digests).isPositive();
    }

    static List<StageEvent> cards(InMemoryEventSink sink) {
        ContractDeserializer parser = new ContractDeserializer(Topics.STAGES, Topics.VISITS, Topics.ACKS,
                Duration.ofHours(1));
        List<StageEvent> out = new ArrayList<>();
        int n = 0;
        for (InMemoryEventSink.SentRecord r : sink.records()) {
            if (!r.topic().equals(Topics.STAGES)) {
                continue;
            }
            InputRecord in = parser.parse(r.topic(), 0, n++,
                    r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value(), r.timestampMillis());
            if (in.stage != null) {
                out.add(in.stage);
            }
        }
        return out;
    }
}

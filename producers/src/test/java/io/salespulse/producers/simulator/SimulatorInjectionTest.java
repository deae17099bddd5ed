package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import io.salespulse.producers.simulator.SimulationRuns.Run;
import io.salespulse.producers.simulator.SimulationRuns.Valid;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Injected events: the ground truth is recounted here from the records actually sent and must match exactly. */
class SimulatorInjectionTest {
    private static final String[] INJECTIONS = {
        "conversion-drop:region=hz-west,from=day+9,rate=0.45",
        "policy-rollout:at=day+9,region=hz-west,description=summer promotion not pushed to the app",
        "repeated-objection:rep=r-003,tag=delivery_time,at=day+4,times=4",
        "malformed-burst:at=2026-02-02T03:00:00Z,count=40",
    };

    private static Run run;

    @TempDir
    Path tmp;

    @BeforeAll
    static void simulate() throws Exception {
        run = SimulationRuns.run(injected(42));
    }

    private static SimulationSettings injected(long seed) {
        SimulationSettings.Builder b = SimulationRuns.smallTeam().seed(seed);
        for (String i : INJECTIONS) {
            b.inject(i);
        }
        return b.build();
    }

    @Test
    void theConversionDropIsInTheRecordsAsReported() {
        GroundTruth.ConversionDrop drop = run.summary().groundTruth().conversionDrops().get(0);
        Instant from = run.settings().start().atZone(WorkingCalendar.ZONE).toLocalDate().plusDays(9)
                .atStartOfDay(WorkingCalendar.ZONE).toInstant();
        assertThat(drop.region()).isEqualTo("hz-west");
        assertThat(drop.from()).isEqualTo(from);

        assertThat(drop.regionBefore()).isEqualTo(recount(c -> c.text("region").equals("hz-west")
                && c.occurredAt().isBefore(from)));
        assertThat(drop.regionAfter()).isEqualTo(recount(c -> c.text("region").equals("hz-west")
                && !c.occurredAt().isBefore(from)));
        assertThat(drop.otherRegionsAfter()).isEqualTo(recount(c -> !c.text("region").equals("hz-west")
                && !c.occurredAt().isBefore(from)));

        assertThat(drop.regionAfter().proposals()).isGreaterThan(15);
        assertThat(drop.regionAfter().rate()).isBetween(0.25, 0.65);
        assertThat(drop.regionBefore().rate()).isGreaterThan(0.75);
        assertThat(drop.otherRegionsAfter().rate()).isGreaterThan(0.75);
    }

    @Test
    void repeatedObjectionsListEveryCaseAndMarkTheInjectedOne() {
        List<GroundTruth.RepeatedObjection> truth = run.summary().groundTruth().repeatedObjections();
        List<GroundTruth.RepeatedObjection> injected = truth.stream().filter(GroundTruth.RepeatedObjection::injected)
                .toList();
        assertThat(injected).hasSize(1);
        GroundTruth.RepeatedObjection r = injected.get(0);
        assertThat(r.repId()).isEqualTo("r-003");
        assertThat(r.tag()).isEqualTo("delivery_time");
        assertThat(r.count()).isEqualTo(4);

        // Recount: per customer and opportunity (a contact starts one), objection cards per (rep, tag).
        Map<String, List<Valid>> byCustomer = cardsByCustomer();
        List<String> recounted = new ArrayList<>();
        for (List<Valid> cards : byCustomer.values()) {
            Map<String, List<Valid>> same = new TreeMap<>();
            for (Valid c : cards) {
                if (c.text("stage").equals("contact")) {
                    collect(same, recounted);
                }
                if (c.text("stage").equals("objection")) {
                    same.computeIfAbsent(c.text("rep_id") + "|" + c.text("objection_tag"), k -> new ArrayList<>()).add(c);
                }
            }
            collect(same, recounted);
        }
        assertThat(truth.stream().map(t -> t.customerId() + "|" + t.repId() + "|" + t.tag() + "|" + t.count() + "|"
                + t.thirdAt())).containsExactlyInAnyOrderElementsOf(recounted);

        List<Valid> injectedCards = byCustomer.get(r.customerId());
        assertThat(injectedCards).extracting(v -> v.text("stage"))
                .containsExactly("contact", "needs", "proposal", "objection", "objection", "objection", "objection");
    }

    @Test
    void theMalformedBurstIsSentAtItsTimeWithTheReportedErrorCodes() throws Exception {
        GroundTruth.MalformedBurst burst = run.summary().groundTruth().malformedBursts().get(0);
        long at = Instant.parse("2026-02-02T03:00:00Z").toEpochMilli();
        List<SentRecord> inBurst = run.malformed().stream().filter(r -> r.timestampMillis() == at).toList();
        assertThat(inBurst).hasSize(40);
        assertThat(burst.count()).isEqualTo(40);

        EventParser parser = new EventParser();
        Map<String, Long> codes = new TreeMap<>();
        for (SentRecord r : inBurst) {
            try {
                if (r.topic().equals(Topics.STAGES)) {
                    parser.parseStage(r.value(), r.timestampMillis());
                } else {
                    parser.parseVisit(r.value(), r.timestampMillis());
                }
                throw new AssertionError("a burst record passed the parser: " + r);
            } catch (InvalidEventException e) {
                codes.merge(e.code(), 1L, Long::sum);
            }
        }
        assertThat(burst.byErrorCode()).isEqualTo(codes);
        assertThat(run.summary().malformed()).isEqualTo(run.malformed().size());
    }

    @Test
    void thePolicyRolloutIsReportedAndTheOverdueGroundTruthStillHolds() {
        assertThat(run.summary().groundTruth().policyRollouts()).singleElement().satisfies(p -> {
            assertThat(p.region()).isEqualTo("hz-west");
            assertThat(p.description()).isEqualTo("summer promotion not pushed to the app");
        });
        // The injected customer's last objection goes unanswered: its overdue alert is expected.
        String customer = run.summary().groundTruth().repeatedObjections().stream()
                .filter(GroundTruth.RepeatedObjection::injected).findFirst().orElseThrow().customerId();
        assertThat(run.summary().expectedOverdueAlertIds()).anySatisfy(id ->
                assertThat(id).startsWith("stage_overdue:weijiang:" + customer + ":objection:"));
    }

    @Test
    void injectedRunsAreDeterministicAndPlainRunsUnchanged() throws Exception {
        Run again = SimulationRuns.run(injected(42));
        assertThat(again.sent()).containsExactlyElementsOf(run.sent());
        assertThat(again.summary()).isEqualTo(run.summary());

        SimulationSettings plain = SimulationRuns.smallTeam().build();
        assertThat(plain.toString()).doesNotContain("injections");
        assertThat(SimulationRuns.run(plain).summary().groundTruth()).isEqualTo(GroundTruth.NONE);
    }

    @Test
    void groundTruthIsWrittenAsJson() throws Exception {
        Path file = tmp.resolve("run/ground-truth.json");
        run.summary().groundTruth().writeTo(file);
        JsonNode json = SimulationRuns.JSON.readTree(file.toFile());
        assertThat(json.at("/conversion_drops/0/region").asText()).isEqualTo("hz-west");
        assertThat(json.at("/conversion_drops/0/region_after/proposals").asLong())
                .isEqualTo(run.summary().groundTruth().conversionDrops().get(0).regionAfter().proposals());
        assertThat(json.at("/malformed_bursts/0/count").asInt()).isEqualTo(40);
        assertThat(json.at("/repeated_objections").size())
                .isEqualTo(run.summary().groundTruth().repeatedObjections().size());
        assertThat(json.at("/policy_rollouts/0/description").asText()).contains("summer promotion");
    }

    @Test
    void badInjectionsAreNamed() {
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("conversion-drop:region=mars,from=day+2").build())
                .hasMessageContaining("mars").hasMessageContaining("hz-west");
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("repeated-objection:rep=r-099,at=day+1").build())
                .hasMessageContaining("r-099").hasMessageContaining("r-012");
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("repeated-objection:rep=r-001,at=day+1,tag=rude"))
                .hasMessageContaining("rude");
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("malformed-burst:at=yesterday"))
                .hasMessageContaining("yesterday");
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("meteor-strike:at=day+1"))
                .hasMessageContaining("meteor-strike").hasMessageContaining("conversion-drop");
        assertThatThrownBy(() -> SimulationRuns.smallTeam().inject("malformed-burst:at=day+40").build())
                .hasMessageContaining("must lie within");
    }

    private static Map<String, List<Valid>> cardsByCustomer() {
        Map<String, List<Valid>> byCustomer = new TreeMap<>();
        for (Valid v : run.valid()) {
            if (v.topic().equals(Topics.STAGES)) {
                byCustomer.computeIfAbsent(v.text("customer_id"), k -> new ArrayList<>()).add(v);
            }
        }
        byCustomer.values().forEach(l -> l.sort(Comparator.comparing(Valid::occurredAt)));
        return byCustomer;
    }

    private static void collect(Map<String, List<Valid>> same, List<String> out) {
        for (Map.Entry<String, List<Valid>> e : same.entrySet()) {
            if (e.getValue().size() >= 3) {
                Valid first = e.getValue().get(0);
                out.add(first.text("customer_id") + "|" + e.getKey() + "|" + e.getValue().size() + "|"
                        + e.getValue().get(2).occurredAt());
            }
        }
        same.clear();
    }

    private static GroundTruth.Conversion recount(java.util.function.Predicate<Valid> counted) {
        Duration sla = StageSla.defaults().of(Stage.PROPOSAL);
        long proposals = 0;
        long advanced = 0;
        for (List<Valid> cards : cardsByCustomer().values()) {
            for (int i = 0; i < cards.size(); i++) {
                Valid c = cards.get(i);
                if (!c.text("stage").equals("proposal") || !counted.test(c)
                        || c.occurredAt().plus(sla).isAfter(run.settings().end())) {
                    continue;
                }
                proposals++;
                if (i + 1 < cards.size() && !cards.get(i + 1).text("stage").equals("contact")) {
                    advanced++;
                }
            }
        }
        return new GroundTruth.Conversion(proposals, advanced);
    }
}

package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import io.salespulse.producers.simulator.SimulationRuns.Run;
import io.salespulse.producers.simulator.SimulationRuns.Valid;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the demo run (SMALL_TEAM, three weeks, defaults) against the contract and against itself. */
class SimulatorOutputTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final String TIME_PATTERN = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+08:00";

    private static Run run;

    @BeforeAll
    static void simulate() throws Exception {
        run = SimulationRuns.run(SimulationRuns.smallTeam().build());
    }

    @Test
    void summaryCountsWhatWasSent() {
        SimulationSummary s = run.summary();
        assertThat(count(Topics.STAGES)).isEqualTo(s.stageCards());
        assertThat(count(Topics.VISITS)).isEqualTo(s.visits());
        assertThat(count(Topics.ACKS)).isEqualTo(s.acks());
        assertThat(run.malformed()).hasSize((int) s.malformed());
        assertThat(run.duplicates()).hasSize((int) s.duplicates());
        assertThat(run.sent()).hasSize((int) s.totalRecords());
        assertThat(s.customersByExpectedStatus()).containsOnlyKeys("active", "overdue", "won", "lost");
    }

    @Test
    void everyValidRecordFollowsTheContract() {
        Set<String> eventIds = new HashSet<>();
        for (Valid v : run.valid()) {
            JsonNode j = v.json();
            assertThat(eventIds.add(v.text("event_id"))).as("unique event_id %s", j).isTrue();
            assertThat(v.text("tenant")).isEqualTo("weijiang");
            assertThat(v.text("occurred_at")).matches(TIME_PATTERN);
            assertThat(v.record().timestampMillis()).isEqualTo(v.occurredAt().toEpochMilli());
            switch (v.topic()) {
                case Topics.VISITS -> {
                    assertHasText(j, "rep_id", "customer_id", "region", "team", "channel");
                    assertThat(v.record().key()).isEqualTo(v.text("customer_id"));
                    assertThat(v.text("channel")).isIn("store_scan", "online", "phone", "video");
                    if (v.text("channel").equals("store_scan")) {
                        assertHasText(j, "store_id");
                        assertThat(j.get("lat").asDouble()).isBetween(29.9, 30.6);
                        assertThat(j.get("lon").asDouble()).isBetween(119.8, 120.5);
                    }
                }
                case Topics.STAGES -> {
                    assertHasText(j, "customer_id", "rep_id", "region", "team", "stage");
                    assertThat(v.record().key()).isEqualTo(v.text("customer_id"));
                    Stage stage = Stage.fromCode(v.text("stage")).orElseThrow();
                    if (stage.requiredField() != null) {
                        assertHasText(j, stage.requiredField());
                    }
                    if (stage == Stage.OBJECTION) {
                        assertThat(ObjectionTag.fromCode(v.text("objection_tag"))).isPresent();
                    }
                    if (stage == Stage.CLOSING) {
                        assertThat(v.text("outcome")).isIn("won", "lost", "pending");
                    }
                    assertThat(j.get("high_potential").isBoolean()).isTrue();
                }
                case Topics.ACKS -> {
                    assertHasText(j, "alert_id", "responder", "action");
                    assertThat(v.record().key()).isEqualTo(v.text("alert_id"));
                    assertThat(v.text("action")).isIn("ack", "resolve");
                    assertThat(run.summary().expectedOverdueAlertIds()).contains(v.text("alert_id"));
                    // stage_overdue:<tenant>:<customer>:<stage>:<due_at>
                    Instant due = Instant.parse(v.text("alert_id").split(":", 5)[4]);
                    assertThat(v.occurredAt()).isAfter(due);
                }
                case Topics.CASH -> {
                    // Lead to cash has its own test (SimulatorCashTest): here, only that it is the contract's.
                    try {
                        new io.salespulse.contract.EventParser().parseCash(v.record().value(),
                                v.record().timestampMillis());
                    } catch (io.salespulse.contract.InvalidEventException e) {
                        throw new AssertionError(v.record() + ": " + e.getMessage(), e);
                    }
                    assertThat(v.record().key()).isEqualTo(v.text("contract_id"));
                }
                default -> throw new AssertionError("unexpected topic " + v.topic());
            }
        }
    }

    @Test
    void recordsAreInTimeOrderWithinTheWindow() {
        Instant start = run.settings().start();
        Instant end = run.settings().end();
        long previous = Long.MIN_VALUE;
        for (SentRecord r : run.sent()) {
            assertThat(r.timestampMillis()).isGreaterThanOrEqualTo(previous);
            previous = r.timestampMillis();
        }
        for (Valid v : run.valid()) {
            if (v.topic().equals(Topics.CASH) && v.text("import_id") != null) {
                assertThat(v.occurredAt()).isBefore(start); // the ERP's past, synced with its history
            } else {
                assertThat(v.occurredAt()).isBetween(start, end);
            }
        }
    }

    @Test
    void malformedRecordsAreSentToStagesAndVisitsOnly() {
        assertThat(run.malformed()).isNotEmpty();
        assertThat(run.malformed()).allSatisfy(r -> assertThat(r.topic()).isIn(Topics.STAGES, Topics.VISITS));
        assertThat(run.duplicates()).isNotEmpty();
    }

    /** Recomputes the ground truth with a plain loop over the emitted cards and compares. */
    @Test
    void expectedOverdueAlertsFollowFromTheEmittedCards() {
        StageSla sla = StageSla.defaults();
        Instant end = run.settings().end();
        Map<String, List<Valid>> byCustomer = new TreeMap<>();
        for (Valid v : run.valid()) {
            if (v.topic().equals(Topics.STAGES)) {
                byCustomer.computeIfAbsent(v.text("customer_id"), k -> new ArrayList<>()).add(v);
            }
        }
        List<String> expected = new ArrayList<>();
        Map<String, Long> status = new HashMap<>();
        for (List<Valid> cards : byCustomer.values()) {
            cards.sort(Comparator.comparing(Valid::occurredAt));
            for (int i = 0; i < cards.size(); i++) {
                Valid c = cards.get(i);
                Stage stage = Stage.fromCode(c.text("stage")).orElseThrow();
                String outcome = c.text("outcome");
                if (stage == Stage.CLOSING && !"pending".equals(outcome)) {
                    continue;
                }
                Instant due = c.occurredAt().plus(sla.of(stage));
                boolean answered = false;
                for (int j = i + 1; j < cards.size(); j++) {
                    Stage next = Stage.fromCode(cards.get(j).text("stage")).orElseThrow();
                    if (next.rank() > stage.rank() || next == stage) {
                        assertThat(cards.get(j).occurredAt()).as("no ties with the due instant").isNotEqualTo(due);
                        answered = !cards.get(j).occurredAt().isAfter(due);
                        break;
                    }
                }
                if (!answered && !due.isAfter(end)) {
                    expected.add(AlertIds.stageOverdue("weijiang", c.text("customer_id"), stage.code(), due));
                }
            }
            Valid last = cards.get(cards.size() - 1);
            Stage lastStage = Stage.fromCode(last.text("stage")).orElseThrow();
            String s = lastStage == Stage.CLOSING && !"pending".equals(last.text("outcome")) ? last.text("outcome")
                    : last.occurredAt().plus(sla.of(lastStage)).isAfter(end) ? "active" : "overdue";
            status.merge(s, 1L, Long::sum);
        }
        expected.sort(null);

        assertThat(run.summary().expectedOverdueAlertIds()).isNotEmpty().containsExactlyElementsOf(expected);
        for (var e : run.summary().customersByExpectedStatus().entrySet()) {
            assertThat(status.getOrDefault(e.getKey(), 0L)).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void noSlaMissesMeansNoOverdueAlerts() throws Exception {
        Run punctual = SimulationRuns.run(SimulationRuns.smallTeam().slaMissRate(0).build());
        assertThat(punctual.summary().expectedOverdueAlertIds()).isEmpty();
        assertThat(punctual.summary().acks()).isZero();
        assertThat(punctual.summary().customersByExpectedStatus().get("overdue")).isZero();
    }

    @Test
    void activityIsMostlyOnWeekdaysInWorkingHours() {
        List<Valid> fieldWork = run.valid().stream()
                .filter(v -> v.topic().equals(Topics.STAGES) || v.topic().equals(Topics.VISITS)).toList();
        long working = fieldWork.stream().filter(v -> {
            ZonedDateTime t = v.occurredAt().atZone(SHANGHAI);
            LocalTime time = t.toLocalTime();
            return t.getDayOfWeek() != DayOfWeek.SATURDAY && t.getDayOfWeek() != DayOfWeek.SUNDAY
                    && !time.isBefore(LocalTime.of(9, 0)) && time.isBefore(LocalTime.of(18, 30));
        }).count();
        assertThat((double) working / fieldWork.size()).isGreaterThan(0.8);
    }

    @Test
    void objectionsLookLikeTheReferenceCustomers() {
        List<Valid> objections = run.valid().stream()
                .filter(v -> v.topic().equals(Topics.STAGES) && "objection".equals(v.text("stage"))).toList();
        Map<String, Long> tags = objections.stream()
                .collect(Collectors.groupingBy(v -> v.text("objection_tag"), LinkedHashMap::new, Collectors.counting()));
        String top = tags.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(top).isEqualTo("price_high");

        double quoted = objections.stream().filter(v -> v.text("script_id") != null).count()
                / (double) objections.size();
        assertThat(quoted).isBetween(0.6, 0.8);
    }

    @Test
    void customersAndChannelsAreMixed() {
        Map<String, Boolean> highPotential = run.valid().stream().filter(v -> v.topic().equals(Topics.STAGES))
                .collect(Collectors.toMap(v -> v.text("customer_id"), v -> v.json().get("high_potential").asBoolean(),
                        (a, b) -> a));
        double share = highPotential.values().stream().filter(b -> b).count() / (double) highPotential.size();
        assertThat(highPotential.size()).isBetween(250, 350);
        assertThat(share).isBetween(0.12, 0.28);

        Map<String, Long> channels = run.valid().stream().filter(v -> v.topic().equals(Topics.VISITS))
                .collect(Collectors.groupingBy(v -> v.text("channel"), Collectors.counting()));
        assertThat(channels).containsOnlyKeys("store_scan", "online", "phone", "video");
        assertThat(channels.get("store_scan")).isEqualTo(channels.values().stream().max(Long::compare).orElseThrow());

        Map<String, Long> outcomes = run.valid().stream().filter(v -> "closing".equals(v.text("stage")))
                .collect(Collectors.groupingBy(v -> v.text("outcome"), Collectors.counting()));
        assertThat(outcomes).containsKeys("won", "lost", "pending");
        assertThat(run.valid().stream().map(v -> v.text("team")).filter(t -> t != null).distinct().count()).isEqualTo(4);
        assertThat(run.valid().stream().map(v -> v.text("rep_id")).filter(t -> t != null).distinct().count())
                .isEqualTo(12);
    }

    private static long count(String topic) {
        return run.valid().stream().filter(v -> v.topic().equals(topic)).count();
    }

    private static void assertHasText(JsonNode j, String... fields) {
        for (String f : fields) {
            assertThat(j.path(f).isTextual() && !j.path(f).asText().isBlank()).as("%s in %s", f, j).isTrue();
        }
    }
}

package io.salespulse.producers.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.ExpectedOutcomes.ExpectedRetraction;
import io.salespulse.producers.simulator.FieldArrivals.Spell;
import io.salespulse.producers.simulator.InMemoryEventSink.SentRecord;
import io.salespulse.producers.simulator.OverdueOracle.Arrival;
import io.salespulse.producers.simulator.SimulationRuns.Valid;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offline queues and app retries: deterministic by seed, about the configured shares, in arrival order, and
 * what they do to the overdue ground truth.
 */
class FieldTrafficTest {
    /** 60 reps over six weeks with the field-traffic defaults and reps who act at the last minute. */
    private static SimulationSettings settings;
    private static List<SentRecord> sent;
    private static SimulationSummary summary;

    @BeforeAll
    static void simulate() throws Exception {
        settings = SimulationRuns.smallTeam().reps(60).duration(Duration.ofDays(42)).lastMinuteShare(0.4)
                .offlineReps(SimulationSettings.DEFAULT_OFFLINE_REPS).retryRate(SimulationSettings.DEFAULT_RETRY_RATE)
                .build();
        InMemoryEventSink sink = new InMemoryEventSink();
        summary = new Simulator(settings).run(sink);
        sent = sink.records();
    }

    @Test
    void theSameSeedGivesTheSameTrafficAndAnotherSeedAnother() throws Exception {
        SimulationSettings small = SimulationRuns.smallTeam().seed(5).offlineReps(0.3).retryRate(0.05).build();
        SimulationRuns.Run a = SimulationRuns.run(small);
        SimulationRuns.Run b = SimulationRuns.run(small);
        assertThat(b.sent()).containsExactlyElementsOf(a.sent());
        assertThat(b.summary()).isEqualTo(a.summary());

        SimulationRuns.Run other = SimulationRuns.run(SimulationRuns.smallTeam().seed(6).offlineReps(0.3)
                .retryRate(0.05).build());
        assertThat(other.sent().stream().map(SentRecord::timestampMillis).toList())
                .isNotEqualTo(a.sent().stream().map(SentRecord::timestampMillis).toList());
    }

    @Test
    void recordsGoOutInArrivalOrderNeverBeforeTheyHappenedAndNotAfterTheEnd() {
        long previous = Long.MIN_VALUE;
        long delayed = 0;
        for (SentRecord r : sent) {
            assertThat(r.timestampMillis()).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(
                    settings.end().toEpochMilli());
            previous = r.timestampMillis();
            Valid v = valid(r);
            if (v != null) {
                long occurred = occurredAt(v);
                assertThat(occurred).isLessThanOrEqualTo(r.timestampMillis());
                delayed += occurred < r.timestampMillis() ? 1 : 0;
            }
        }
        assertThat(delayed).isPositive();
        assertThat(summary.totalRecords()).isEqualTo(sent.size());
    }

    @Test
    void fieldTrafficChangesWhenRecordsArriveNotWhatHappened() throws Exception {
        SimulationSettings quiet = SimulationRuns.smallTeam().reps(60).duration(Duration.ofDays(42))
                .lastMinuteShare(0.4).build();
        InMemoryEventSink sink = new InMemoryEventSink();
        new Simulator(quiet).run(sink);
        Set<String> happened = sink.records().stream().map(FieldTrafficTest::valid).filter(v -> v != null)
                .filter(v -> !v.topic().equals(Topics.ACKS)).map(FieldTrafficTest::what).collect(Collectors.toSet());
        Set<String> arrived = sent.stream().map(FieldTrafficTest::valid).filter(v -> v != null)
                .filter(v -> !v.topic().equals(Topics.ACKS)).map(FieldTrafficTest::what).collect(Collectors.toSet());

        assertThat(arrived.stream().filter(w -> !happened.contains(w))).isEmpty();
        // Only what a phone still held at the end is missing.
        assertThat(arrived.size()).isLessThan(happened.size()).isGreaterThan((int) (0.99 * happened.size()));
    }

    @Test
    void aboutTheConfiguredShareOfRepsGoOfflineOneToThreeTimesAWeekForAboutTwoHours() {
        SimulationSettings many = SimulationRuns.smallTeam().reps(2000).duration(Duration.ofDays(56))
                .offlineReps(0.15).build();
        SalesOrganisation org = new SalesOrganisation(many.size(), new SplittableRandom(1));
        FieldArrivals field = new FieldArrivals(many, org.reps, new SplittableRandom(2));

        assertThat(field.offlineReps().size() / 2000.0).isBetween(0.13, 0.17);
        List<Duration> lengths = new ArrayList<>();
        long inWorkingHours = 0;
        for (String rep : field.offlineReps()) {
            List<Spell> spells = field.spells(rep);
            assertThat(spells.size()).isBetween(8 - 2, 8 * 3); // 1-3 a week, a few merged when they overlap
            for (Spell s : spells) {
                lengths.add(Duration.between(s.start(), s.uploadAt()));
                inWorkingHours += WorkingCalendar.isWeekdayWorkingHours(s.start()) ? 1 : 0;
            }
        }
        lengths.sort(null);
        assertThat(lengths.get(lengths.size() / 2)).isBetween(Duration.ofMinutes(100), Duration.ofMinutes(150));
        assertThat(lengths.stream().filter(d -> d.compareTo(Duration.ofHours(24).plusSeconds(20)) > 0).count())
                .isLessThan(lengths.size() / 100);
        assertThat((double) inWorkingHours / lengths.size()).isGreaterThan(0.85);
        String online = org.reps.stream().map(SalesOrganisation.Rep::id).filter(r -> !field.offlineReps().contains(r))
                .findFirst().orElseThrow();
        assertThat(field.spells(online)).isEmpty();
        assertThat(field.arrival(online, many.start().plusSeconds(3600))).isEqualTo(many.start().plusSeconds(3600));
        Spell spell = field.spells(field.offlineReps().get(0)).get(0);
        assertThat(field.arrival(field.offlineReps().get(0), spell.start())).isEqualTo(spell.uploadAt());
    }

    @Test
    void aSpellUploadsInOneBurstInCreationOrder() {
        Map<Long, List<Valid>> bursts = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (SentRecord r : sent) {
            Valid v = valid(r);
            if (v != null && seen.add(v.text("event_id")) && occurredAt(v) < r.timestampMillis()) {
                bursts.computeIfAbsent(r.timestampMillis(), k -> new ArrayList<>()).add(v);
            }
        }
        assertThat(bursts).isNotEmpty();
        for (List<Valid> burst : bursts.values()) {
            assertThat(burst.stream().map(v -> v.text("rep_id")).distinct()).hasSize(1);
            for (int i = 1; i < burst.size(); i++) {
                assertThat(occurredAt(burst.get(i))).isGreaterThanOrEqualTo(occurredAt(burst.get(i - 1)));
            }
        }
        assertThat(bursts.values().stream().mapToInt(List::size).max().orElseThrow()).isGreaterThan(1);
    }

    @Test
    void aboutTheConfiguredShareIsSentAgainMostlySecondsLaterSomeAfterTheOpportunityClosed() {
        Map<String, SentRecord> first = new HashMap<>();
        Map<String, Instant> closedAt = new HashMap<>();
        long fieldRecords = 0;
        List<Duration> delays = new ArrayList<>();
        long afterClose = 0;
        for (SentRecord r : sent) {
            Arrival a = parse(r);
            if (a == null || a.kind() == OverdueOracle.Kind.ACK) {
                continue;
            }
            SentRecord original = first.putIfAbsent(a.eventId(), r);
            if (original == null) {
                fieldRecords++;
                if (a.card() != null && a.card().closesOpportunity()) {
                    closedAt.put(a.customerId(), Instant.ofEpochMilli(r.timestampMillis()));
                }
            } else if (original.timestampMillis() != r.timestampMillis()) { // same instant: a duplicate
                assertThat(r.value()).isEqualTo(original.value());
                delays.add(Duration.ofMillis(r.timestampMillis() - original.timestampMillis()));
                Instant closed = closedAt.get(a.customerId());
                afterClose += closed != null && closed.toEpochMilli() < r.timestampMillis() ? 1 : 0;
            }
        }
        assertThat(summary.retries()).isEqualTo(delays.size());
        assertThat((double) delays.size() / fieldRecords).isBetween(0.016, 0.022);
        assertThat(delays.stream().filter(d -> d.compareTo(Duration.ofSeconds(90)) <= 0).count())
                .isGreaterThan(delays.size() * 65L / 100);
        assertThat(delays.stream().filter(d -> d.compareTo(Duration.ofDays(1)) >= 0).count()).isPositive();
        assertThat(delays.stream().max(Duration::compareTo).orElseThrow()).isLessThanOrEqualTo(Duration.ofDays(21));
        assertThat(afterClose).isPositive();
    }

    @Test
    void lateUploadsRetractAlertsAndAGraceBeyondTheLongestUploadDelayAbsorbsThemAll() {
        List<Arrival> arrivals = sent.stream().map(FieldTrafficTest::parse).filter(a -> a != null).toList();
        ExpectedOutcomes noGrace = new OverdueOracle(settings.sla(), Duration.ZERO).run(arrivals, settings.end());
        assertThat(noGrace).isEqualTo(summary.expected());
        assertThat(noGrace.retractions()).isNotEmpty();
        assertThat(noGrace.alertIds()).containsAll(noGrace.retractions().stream().map(ExpectedRetraction::alertId)
                .toList());
        ExpectedOutcomes longGrace = new OverdueOracle(settings.sla(), Duration.ofHours(25)).run(arrivals,
                settings.end());
        assertThat(longGrace.retractions()).isEmpty();
        // A grace only delays the alerts that stand: none appears that did not already (bar the end cut-off).
        assertThat(noGrace.alertIds()).containsAll(longGrace.alertIds());
    }

    @Test
    void managersDoNotAckAnAlertAlreadyWithdrawn() {
        Map<String, Instant> retracted = new HashMap<>();
        summary.expected().retractions().forEach(r -> retracted.put(r.alertId(), r.retractedAt()));
        long acks = 0;
        for (SentRecord r : sent) {
            if (r.topic().equals(Topics.ACKS)) {
                String alertId = valid(r).text("alert_id");
                assertThat(summary.expectedOverdueAlertIds()).contains(alertId);
                Instant withdrawn = retracted.get(alertId);
                assertThat(withdrawn == null || withdrawn.toEpochMilli() > r.timestampMillis()).as(alertId).isTrue();
                acks++;
            }
        }
        assertThat(acks).isPositive();
    }

    @Test
    void aBurstIsNeverSplitWhenSentAtSpeed() throws Exception {
        List<List<Long>> batches = new ArrayList<>();
        batches.add(new ArrayList<>());
        EventSink batching = new EventSink() {
            @Override
            public void send(String topic, String key, byte[] value, long timestampMillis) {
                batches.get(batches.size() - 1).add(timestampMillis);
            }

            @Override
            public void flush() {
                batches.add(new ArrayList<>());
            }
        };
        SimulationSettings week = SimulationRuns.smallTeam().duration(Duration.ofDays(7)).offlineReps(0.5).build();
        new Simulator(week).run(SimulationSpeed.parse("3600000").pace(batching));

        Map<Long, Integer> batchOfTimestamp = new HashMap<>();
        for (int i = 0; i < batches.size(); i++) {
            for (long ts : batches.get(i)) {
                assertThat(batchOfTimestamp.putIfAbsent(ts, i)).as("records stamped %d", ts).isIn(null, i);
            }
        }
        assertThat(batches.size()).isGreaterThan(10);
    }

    private static Arrival parse(SentRecord r) {
        return Arrival.parse(r.topic(), r.value(), Instant.ofEpochMilli(r.timestampMillis()));
    }

    /** A record the contract's parser accepts, with its JSON; null for a malformed one. */
    private static Valid valid(SentRecord r) {
        if (parse(r) == null) {
            return null;
        }
        try {
            return new Valid(r, SimulationRuns.JSON.readTree(r.value()));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long occurredAt(Valid v) {
        return v.occurredAt().toEpochMilli();
    }

    /** What happened, without the event id (the run tag differs when settings differ). */
    private static String what(Valid v) {
        return v.topic() + "|" + v.text("customer_id") + "|" + v.text("occurred_at") + "|" + v.text("stage") + "|"
                + v.text("outcome") + "|" + v.text("channel");
    }
}

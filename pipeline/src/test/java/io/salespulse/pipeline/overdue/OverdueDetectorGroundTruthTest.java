package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.policy.PolicyUpdate;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The detector against the simulator's independent ground truth: whole simulated histories (with
 * duplicates and malformed records, through the real parser) must give exactly the expected alerts
 * and the expected number of customers per status, as customer_status would show them (highest
 * version per customer).
 */
class OverdueDetectorGroundTruthTest {

    @ParameterizedTest(name = "{0} seed {1} end {2}")
    @CsvSource({
        "SMALL_TEAM, 42, 2026-02-06T10:00:00Z",
        "SMALL_TEAM, 7, 2026-11-26T23:05:50Z",
        "SMALL_TEAM, 42, 2026-11-26T22:58:31Z",
        "SMALL_TEAM, 1001, 2026-03-01T02:00:00Z",
        "SMALL_TEAM, 42, 2026-11-26T23:02:16Z",
        "FMCG_DISTRIBUTOR, 3, 2026-05-20T08:30:00Z",
        "FOOD_CHAIN, 11, 2026-07-01T00:00:00Z",
    })
    void matchesTheSimulatorsGroundTruth(Scenario scenario, long seed, String end) throws Exception {
        SimulationSettings settings = SimulationSettings.builder()
                .scenario(scenario).seed(seed).end(Instant.parse(end)).build();
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary truth = new Simulator(settings).run(sink);

        ContractDeserializer parser = new ContractDeserializer(Topics.STAGES, Topics.VISITS, Topics.ACKS,
                Duration.ofHours(1));
        try (KeyedTwoInputStreamOperatorTestHarness<String, CustomerEvent, PolicyUpdate, Alert> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new OverdueDetector(StageSla.defaults(), Duration.ofDays(30),
                                ZoneId.of("Asia/Shanghai")),
                        CustomerEvent::key, policy -> "",
                        Types.STRING)) {
            harness.open();
            long maxEventTime = Long.MIN_VALUE;
            int n = 0;
            for (InMemoryEventSink.SentRecord r : sink.records()) {
                InputRecord in = parser.parse(r.topic(), 0, n, key(r), r.value(), r.timestampMillis());
                if (in.stage != null) {
                    harness.processElement1(new StreamRecord<>(CustomerEvent.of(in.stage), in.stage.occurredAt));
                } else if (in.visit != null) {
                    harness.processElement1(new StreamRecord<>(CustomerEvent.of(in.visit), in.visit.occurredAt));
                }
                maxEventTime = Math.max(maxEventTime, in.eventTime());
                if (++n % 50 == 0) { // watermarks as the source emits them, now and then
                    harness.processBothWatermarks(new Watermark(maxEventTime - 1_001));
                }
            }
            harness.processBothWatermarks(new Watermark(Instant.parse(end).toEpochMilli()));

            TreeSet<String> alerts = harness.extractOutputValues().stream()
                    .map(a -> a.alertId).collect(Collectors.toCollection(TreeSet::new));
            assertThat(alerts).hasSize(harness.extractOutputValues().size()); // never twice
            assertThat(alerts).containsExactlyElementsOf(new TreeSet<>(truth.expectedOverdueAlertIds()));

            Map<String, CustomerStatus> latest = new HashMap<>();
            for (StreamRecord<CustomerStatus> s : harness.getSideOutput(OverdueDetector.STATUS)) {
                latest.merge(s.getValue().customerId, s.getValue(), (a, b) -> b.version > a.version ? b : a);
            }
            Map<String, Long> byStatus = latest.values().stream()
                    .collect(Collectors.groupingBy(s -> s.status, TreeMap::new, Collectors.counting()));
            assertThat(byStatus).isEqualTo(new TreeMap<>(truth.customersByExpectedStatus()));
        }
    }

    private static byte[] key(InMemoryEventSink.SentRecord r) {
        return r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
    }
}

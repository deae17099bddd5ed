package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageSla;
import io.salespulse.contract.Topics;
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
 * The detector against the simulator's independent oracle on field traffic (offline phones uploading hours late, app
 * retries with the same event_id, last-minute cards): the same alert ids, the same retractions, the same final
 * statuses, record by record in arrival order with the arrival clock advancing as the records do.
 */
class OverdueDetectorOracleTest {
    @ParameterizedTest
    @CsvSource({"SMALL_TEAM,42,0", "SMALL_TEAM,42,60", "FMCG_DISTRIBUTOR,1,0", "FMCG_DISTRIBUTOR,1,30", "FMCG_DISTRIBUTOR,3,0"})
    void alertsRetractionsAndStatusesEqualTheOracle(Scenario scenario, long seed, long graceMinutes) throws Exception {
        Instant end = Instant.parse("2026-11-26T10:00:00Z");
        Duration grace = Duration.ofMinutes(graceMinutes);
        SimulationSettings settings = SimulationSettings.builder().scenario(scenario).seed(seed).end(end)
                .duration(Duration.ofDays(56)).offlineReps(0.3).retryRate(0.05).lastMinuteShare(0.5)
                .offlineGrace(grace).build();
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary truth = new Simulator(settings).run(sink);
        ContractDeserializer parser = new ContractDeserializer(Topics.STAGES, Topics.VISITS, Topics.ACKS,
                Duration.ofHours(1));
        try (KeyedTwoInputStreamOperatorTestHarness<String, CustomerEvent, PolicyUpdate, Alert> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new OverdueDetector(new OverdueDetector.Settings(StageSla.defaults(), Duration.ofDays(30),
                                ZoneId.of("Asia/Shanghai"), grace, "sales.imports", Duration.ofMillis(500),
                                Duration.ofMinutes(15))),
                        CustomerEvent::key, policy -> "", Types.STRING)) {
            harness.open();
            long wm = Long.MIN_VALUE;
            int n = 0;
            for (InMemoryEventSink.SentRecord r : sink.records()) {
                if (r.timestampMillis() - 1 > wm) {
                    wm = r.timestampMillis() - 1;
                    harness.processBothWatermarks(new Watermark(wm));
                }
                InputRecord in = parser.parse(r.topic(), 0, n++, r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                        r.value(), r.timestampMillis());
                if (in.stage != null) {
                    harness.processElement1(new StreamRecord<>(CustomerEvent.of(in.stage), r.timestampMillis()));
                } else if (in.visit != null) {
                    harness.processElement1(new StreamRecord<>(CustomerEvent.of(in.visit), r.timestampMillis()));
                }
            }
            harness.processBothWatermarks(new Watermark(end.toEpochMilli()));
            TreeSet<String> alerts = harness.extractOutputValues().stream().filter(a -> a.type.equals("stage_overdue"))
                    .map(a -> a.alertId).collect(Collectors.toCollection(TreeSet::new));
            TreeSet<String> retractions = harness.extractOutputValues().stream().filter(a -> a.type.equals("retraction"))
                    .map(a -> a.alertId).collect(Collectors.toCollection(TreeSet::new));
            System.out.println("oracle " + scenario + " " + seed + " grace " + grace + ": alerts " + alerts.size() + " / "
                    + truth.expectedOverdueAlertIds().size() + ", retractions " + retractions.size() + " / "
                    + truth.expected().retractions().size());
            assertThat(alerts).containsExactlyElementsOf(new TreeSet<>(truth.expectedOverdueAlertIds()));
            assertThat(retractions).containsExactlyElementsOf(truth.expected().retractions().stream()
                    .map(r -> r.retractionId()).collect(Collectors.toCollection(TreeSet::new)));
            Map<String, CustomerStatus> latest = new HashMap<>();
            for (StreamRecord<CustomerStatus> s : harness.getSideOutput(OverdueDetector.STATUS)) {
                latest.merge(s.getValue().customerId, s.getValue(), (a, b) -> b.version >= a.version ? b : a);
            }
            Map<String, Long> byStatus = latest.values().stream()
                    .collect(Collectors.groupingBy(s -> s.status, TreeMap::new, Collectors.counting()));
            assertThat(byStatus).isEqualTo(new TreeMap<>(truth.customersByExpectedStatus()));
        }
    }
}

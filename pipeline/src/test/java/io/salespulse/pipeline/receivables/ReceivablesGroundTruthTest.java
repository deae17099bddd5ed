package io.salespulse.pipeline.receivables;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.SimulatedCash;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Half a year of simulated lead to cash through the watch, in arrival order with the clock following the arrivals:
 * the alerts raised are exactly the simulator's expected {@code receivable_overdue} ids, none retracted.
 */
class ReceivablesGroundTruthTest {
    private static final Instant END = Instant.parse("2026-06-30T10:00:00Z");

    @Test
    void theWatchRaisesExactlyTheExpectedAlerts() throws Exception {
        SimulationSettings settings = SimulationSettings.builder().end(END).seed(7).duration(Duration.ofDays(26 * 7))
                .build();
        InMemoryEventSink sink = new InMemoryEventSink();
        SimulationSummary summary = new Simulator(settings).run(sink);
        SimulatedCash cash = summary.cash();
        assertThat(cash.expectedReceivableAlertIds()).hasSizeGreaterThan(5);

        KeyedOneInputStreamOperatorTestHarness<String, CashEvent, Alert> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ReceivablesWatch(
                        new ReceivablesWatch.Settings(Duration.ofDays(3), Duration.ofDays(30),
                                ZoneId.of("Asia/Shanghai")))), ReceivablesWatch::key, Types.STRING);
        harness.open();
        EventParser parser = new EventParser();
        for (InMemoryEventSink.SentRecord r : sink.records()) {
            if (!r.topic().equals(Topics.CASH)) {
                continue;
            }
            CashEvent e = parser.parseCash(r.value(), r.timestampMillis());
            if (!e.isContract()) {
                harness.processElement(new StreamRecord<>(e, r.timestampMillis()));
            }
            harness.processWatermark(r.timestampMillis() - 500);
        }
        harness.processWatermark(END.toEpochMilli());
        TreeSet<String> fired = new TreeSet<>();
        for (Alert a : harness.extractOutputValues()) {
            assertThat(a.type).as("no retractions when every record arrives as it happens").isEqualTo("receivable_overdue");
            assertThat(fired.add(a.alertId)).as("once: %s", a.alertId).isTrue();
        }
        assertThat(fired).containsExactlyElementsOf(cash.expectedReceivableAlertIds());
        harness.close();
    }
}

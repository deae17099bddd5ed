package io.salespulse.bench;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.producers.simulator.InMemoryEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSettings;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * 4. Replay: simulated history ({@code tenants} tenants of the simulator's largest scenario, FOOD_CHAIN with
 * 186 reps each, over {@code weeks} weeks, with its malformed records and duplicates) replayed by a bounded
 * job from the beginning of the topics to their end. The alerts must be the ones live mode raises: the
 * simulator's ground truth of stage_overdue ids due by the end of the history (the demo checks live runs
 * against the same ground truth). The end of a bounded input also fires timers due after the history's
 * end; those are counted apart.
 */
final class Replay {
    static final String PHASE = "replay";
    private static final Instant END = Instant.parse("2026-11-01T00:00:00Z");

    private final BenchStack stack;
    private final int tenants;
    private final int weeks;
    private final Results results;

    Replay(BenchStack stack, int tenants, int weeks, Results results) {
        this.stack = stack;
        this.tenants = tenants;
        this.weeks = weeks;
        this.results = results;
    }

    void run() throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(PHASE));
        Set<String> expected = new HashSet<>();
        // Each tenant's history is simulated on its own, then all are merged by time, as they would have
        // arrived: tenant after tenant would rewind event time in every partition.
        List<InMemoryEventSink.SentRecord> all = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            SimulationSettings settings = SimulationSettings.builder()
                    .tenant("bench-" + (t + 1))
                    .scenario(Scenario.FOOD_CHAIN)
                    .seed(t + 1)
                    .duration(Duration.ofDays(7L * weeks))
                    .end(END)
                    .build();
            InMemoryEventSink sink = new InMemoryEventSink();
            SimulationSummary summary = new Simulator(settings).run(sink);
            expected.addAll(summary.expectedOverdueAlertIds());
            all.addAll(sink.records());
        }
        all.sort(Comparator.comparingLong(InMemoryEventSink.SentRecord::timestampMillis)); // stable: a tenant's order stays
        long records = all.size();
        try (KafkaProducer<byte[], byte[]> producer = Loader.producer(stack.bootstrap)) {
            for (InMemoryEventSink.SentRecord r : all) {
                producer.send(new ProducerRecord<>(MonitorJobs.Topics.of(PHASE, r.topic()), null, r.timestampMillis(),
                        r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value()));
            }
            producer.flush();
        }
        all = null;
        Bench.log("replay: %,d records of %d tenant(s) x %d weeks in Kafka; %,d alerts expected", records, tenants,
                weeks, expected.size());

        String url = stack.freshClickHouse();
        Map<Setting, String> s0 = new EnumMap<>(Setting.class);
        PipelineConfig config = MonitorJobs.config(stack, PHASE, "bounded", url, s0);
        long t0 = System.nanoTime();
        JobID job = stack.submit(MonitorJobs.jobGraph(config, true, null));
        stack.awaitFinished(job, Duration.ofMinutes(60));
        double seconds = (System.nanoTime() - t0) / 1e9;

        long endMillis = END.toEpochMilli();
        Set<String> fired = new HashSet<>(stack.query("SELECT alert_id FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'"
                + " AND due_at <= fromUnixTimestamp64Milli(" + endMillis + ", 'UTC')"));
        long afterEnd = stack.count("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'"
                + " AND due_at > fromUnixTimestamp64Milli(" + endMillis + ", 'UTC')");
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(fired);
        Set<String> extra = new HashSet<>(fired);
        extra.removeAll(expected);
        String s = "replay";
        results.add(s, "replay.reps", "reps (" + tenants + " x FOOD_CHAIN, 186 reps)", tenants * 186.0, "reps");
        results.add(s, "replay.weeks", "weeks of history", weeks, "weeks");
        results.add(s, "replay.records", "records replayed", records, "records");
        results.add(s, "replay.seconds", "bounded job, submit to finished", seconds, "s");
        results.add(s, "replay.events_per_s", "replay speed", records / seconds, "events/s");
        results.add(s, "replay.alerts", "stage_overdue alerts due within the history", fired.size(), "alerts");
        results.add(s, "replay.alerts_expected", "the same, live-mode ground truth", expected.size(), "alerts");
        results.add(s, "replay.alerts_differing", "ids missing + extra vs live mode", missing.size() + extra.size(), "alerts",
                "0");
        results.add(s, "replay.alerts_missing", "of which missing (in live mode, not in the replay)", missing.size(), "alerts");
        results.add(s, "replay.alerts_extra", "of which extra (in the replay only)", extra.size(), "alerts");
        if (!missing.isEmpty() || !extra.isEmpty()) {
            Bench.log("replay: e.g. missing %s, extra %s", missing.stream().sorted().limit(3).toList(),
                    extra.stream().sorted().limit(3).toList());
        }
        results.add(s, "replay.alerts_after_end", "alerts due after the history (end-of-input timers)", afterEnd, "alerts");
    }
}

package io.salespulse.bench;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.producers.simulator.LoadGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * 1. Throughput: the raw load pre-loaded into Kafka, then (a) the baseline, a plain KafkaConsumer per
 * partition parsing every record with the pipeline's own {@link ContractDeserializer}, and (b) the full
 * monitor job, from its first ClickHouse row to the last raw row of the load. Median of {@code runs} each.
 *
 * <p>SLAs are set from the load's spacing (a customer's next event comes {@code customers} seconds later):
 * contact = half of that, so every customer's contact card goes overdue once (one alert per customer, 20%
 * of a 5-events-per-customer load: a heavy day), the other stages twice that, so nothing else fires while
 * the load streams nor after it (the load ends at the benchmark's start). Each run writes into a fresh ClickHouse, so its alert ids can be compared.
 */
final class Throughput {
    static final String PHASE = "throughput";
    /**
     * The load ends when the benchmark starts: once a run has read the whole load its clock is the wall clock
     * (arrival time, docs/arrival-time.md), and with a load that ended weeks ago every later stage's SLA would be
     * over by then, firing a second alert per customer while the run's alerts are being counted.
     */
    private static final Instant END = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    private final BenchStack stack;
    private final long events;
    private final int customers;
    private final int runs;
    private final Results results;
    private final Profiler profiler;

    Throughput(BenchStack stack, long events, int customers, int runs, Results results, Profiler profiler) {
        this.stack = stack;
        this.events = events;
        this.customers = customers;
        this.runs = runs;
        this.results = results;
        this.profiler = profiler;
    }

    void run() throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(PHASE));
        LoadGenerator load = new LoadGenerator("bench", events, customers, 42, END);
        long t0 = System.nanoTime();
        long bytes = Loader.load(stack.bootstrap, PHASE, load);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Bench.log("loaded %,d events (%,d bytes, %.0f bytes/event) in %.1f s", events, bytes, (double) bytes / events,
                loadSeconds);

        // One unmeasured run of each first: the JVM that runs the job compiles its hot code during the first
        // run (C2 took a third of the CPU then), which a short run would otherwise count against the job.
        Bench.log("warm-up baseline: %,.0f events/s", baseline());
        RunResult warm = jobRun("warmup", null);
        Bench.log("warm-up job run: %,.0f events/s, %,d alerts (not counted)", warm.eventsPerSecond, warm.alerts);

        double[] baseline = new double[runs];
        double[] job = new double[runs];
        String firstFingerprint = warm.fingerprint; // the warm-up must fire the same alerts too
        boolean sameAlerts = true;
        long alerts = 0;
        for (int r = 0; r < runs; r++) {
            baseline[r] = baseline();
            Bench.log("baseline run %d: %,.0f events/s", r + 1, baseline[r]);
            RunResult jr = jobRun("run" + (r + 1), null);
            job[r] = jr.eventsPerSecond;
            alerts = jr.alerts;
            Bench.log("job run %d: %,.0f events/s, %,d alerts (%s)", r + 1, job[r], jr.alerts, jr.fingerprint);
            if (firstFingerprint == null) {
                firstFingerprint = jr.fingerprint;
            } else if (!firstFingerprint.equals(jr.fingerprint)) {
                sameAlerts = false;
            }
        }
        if (profiler != null) {
            profiler.profile("throughput", () -> jobRun("profiled", null));
        }
        double b = median(baseline);
        double j = median(job);
        String s = "throughput";
        results.add(s, "throughput.events", "events (over customers " + customers + ")", events, "events");
        results.add(s, "throughput.load_events_per_s", "pre-load into Kafka", events / loadSeconds, "events/s");
        results.add(s, "throughput.baseline_events_per_s", "baseline: consumer per partition + parser (median)", b,
                "events/s");
        results.add(s, "throughput.job_events_per_s", "monitor job, RocksDB, ClickHouse (median of " + runs + ")", j,
                "events/s", ">= 50,000");
        results.add(s, "throughput.ratio", "job / baseline", j / b, "", ">= 0.25");
        results.add(s, "throughput.alerts", "alerts per run", alerts, "alerts", "= customers");
        results.add(s, "throughput.same_alerts", "same alert ids in every run (1 = yes)", sameAlerts ? 1 : 0, "", "1");
        results.about("throughput runs (events/s)", "baseline " + Arrays.toString(round(baseline)) + ", job "
                + Arrays.toString(round(job)));
    }

    record RunResult(double eventsPerSecond, long alerts, String fingerprint) {}

    /** One run of the full job on a fresh ClickHouse: from the first raw row written to the last. */
    RunResult jobRun(String run, Map<Setting, String> extra) throws Exception {
        String url = stack.freshClickHouse();
        long gapSeconds = customers;
        Map<Setting, String> s = new java.util.EnumMap<>(Setting.class);
        s.put(Setting.CHECKPOINT_INTERVAL, "10s");
        s.put(Setting.SLA_CONTACT, (gapSeconds / 2) + "s");
        for (Setting later : List.of(Setting.SLA_NEEDS, Setting.SLA_PROPOSAL, Setting.SLA_OBJECTION, Setting.SLA_CLOSING)) {
            s.put(later, (gapSeconds * 2) + "s");
        }
        s.put(Setting.STATE_TTL, Math.max(30L * 86400, gapSeconds * 4) + "s");
        if (extra != null) {
            s.putAll(extra);
        }
        PipelineConfig config = MonitorJobs.config(stack, PHASE, run, url, s);
        long submitted = System.nanoTime();
        JobID job = stack.submit(MonitorJobs.jobGraph(config, false, null));
        try {
            long first = -1;
            long firstCount = 0;
            long last;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (true) {
                long n = stack.count("SELECT (SELECT count() FROM salespulse.stage_events) + (SELECT count() FROM salespulse.visits)");
                long now = System.nanoTime();
                if (first < 0 && n > 0) {
                    first = now;
                    firstCount = n;
                }
                if (n >= events) {
                    last = now;
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException("the job wrote " + n + " of " + events + " rows in 30 minutes");
                }
                stack.failIfStopped(job);
                Thread.sleep(100);
            }
            // A load small enough to land in one observation is timed from the submission instead.
            double rate = first == last ? events / ((last - submitted) / 1e9) : (events - firstCount) / ((last - first) / 1e9);
            long expected = Math.min(customers, Math.max(0, events - 2L * customers));
            long alerts = awaitStable("SELECT count() FROM salespulse.alerts FINAL", expected, job);
            String fingerprint = stack.query("SELECT concat(toString(count()), ':', toString(sum(cityHash64(alert_id))))"
                    + " FROM salespulse.alerts FINAL").get(0);
            if (alerts != expected) {
                Bench.log("%s: %,d alerts where %,d contact alerts were expected; by type and stage: %s", run, alerts,
                        expected, stack.query("SELECT concat(type, '/', stage, '/', origin, '=', toString(count()))"
                                + " FROM salespulse.alerts FINAL GROUP BY type, stage, origin ORDER BY type, stage"));
            }
            return new RunResult(rate, alerts, fingerprint);
        } finally {
            stack.cancel(job);
        }
    }

    /** Waits until {@code sql} returns {@code expected}, or the value stops changing for 15 s. */
    private long awaitStable(String sql, long expected, JobID job) throws Exception {
        long value = -1;
        long changedAt = System.nanoTime();
        while (true) {
            long v = stack.count(sql);
            if (v != value) {
                value = v;
                changedAt = System.nanoTime();
            }
            if (v == expected || System.nanoTime() - changedAt > Duration.ofSeconds(15).toNanos()) {
                return v;
            }
            stack.failIfStopped(job);
            Thread.sleep(200);
        }
    }

    /** A plain consumer per partition, parsing with the pipeline's deserializer; events/s over all of them. */
    double baseline() throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            for (String t : List.of(MonitorJobs.Topics.stages(PHASE), MonitorJobs.Topics.visits(PHASE))) {
                for (PartitionInfo p : c.partitionsFor(t)) {
                    partitions.add(new TopicPartition(t, p.partition()));
                }
            }
        }
        ContractDeserializer parser = new ContractDeserializer(MonitorJobs.Topics.stages(PHASE),
                MonitorJobs.Topics.visits(PHASE), MonitorJobs.Topics.acks(PHASE), Duration.ofHours(1));
        AtomicLong parsed = new AtomicLong();
        AtomicLong invalid = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (TopicPartition tp : partitions) {
            Thread t = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer()) {
                    c.assign(List.of(tp));
                    c.seekToBeginning(List.of(tp));
                    long end = c.endOffsets(List.of(tp)).get(tp);
                    long n = 0;
                    long bad = 0;
                    while (c.position(tp) < end) {
                        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            InputRecord in = parser.parse(r.topic(), r.partition(), r.offset(), r.key(), r.value(),
                                    r.timestamp());
                            if (in.deadLetter != null) {
                                bad++;
                            }
                            n++;
                        }
                    }
                    parsed.addAndGet(n);
                    invalid.addAndGet(bad);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "baseline-" + tp);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("baseline consumer failed", failures.get(0));
        }
        if (parsed.get() != events || invalid.get() != 0) {
            throw new IllegalStateException("baseline read " + parsed.get() + " records (" + invalid.get()
                    + " invalid), expected " + events + " valid ones");
        }
        return parsed.get() / seconds;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}

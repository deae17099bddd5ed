package io.salespulse.bench;

import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.clickhouse.ClickHouseSinkOptions;
import io.salespulse.pipeline.clickhouse.ContractTables;
import io.salespulse.pipeline.clickhouse.RowBinaryInserter;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.producers.simulator.LoadGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
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
 * 1. Throughput: the raw load pre-loaded into Kafka, then (a) the parse-only baseline, a plain KafkaConsumer per
 * partition parsing every record with the pipeline's own {@link ContractDeserializer}, (b) the ingest baseline, the
 * same plus the raw rows written to ClickHouse as the sink writes them (the irreducible work), and (c) the full
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
        Bench.log("warm-up baseline: %,.0f events/s", baseline().eventsPerSecond);
        Bench.log("warm-up ingest baseline: %,.0f events/s", ingestBaseline().eventsPerSecond);
        RunResult warm = jobRun("warmup", null);
        Bench.log("warm-up job run: %,.0f events/s, %,d alerts (not counted)", warm.eventsPerSecond, warm.alerts);

        double[] baseline = new double[runs];
        double[] ingest = new double[runs];
        double[] job = new double[runs];
        List<BenchStack.Cpu> baselineCpu = new ArrayList<>();
        List<BenchStack.Cpu> ingestCpu = new ArrayList<>();
        List<BenchStack.Cpu> jobCpu = new ArrayList<>();
        String firstFingerprint = warm.fingerprint; // the warm-up must fire the same alerts too
        boolean sameAlerts = true;
        long alerts = 0;
        for (int r = 0; r < runs; r++) {
            Measured b = baseline();
            baseline[r] = b.eventsPerSecond;
            baselineCpu.add(b.cpu);
            Bench.log("baseline run %d: %,.0f events/s, %s", r + 1, baseline[r], describe(b.cpu));
            Measured in = ingestBaseline();
            ingest[r] = in.eventsPerSecond;
            ingestCpu.add(in.cpu);
            Bench.log("ingest baseline run %d: %,.0f events/s, %s", r + 1, ingest[r], describe(in.cpu));
            RunResult jr = jobRun("run" + (r + 1), null);
            job[r] = jr.eventsPerSecond;
            jobCpu.add(jr.cpu);
            alerts = jr.alerts;
            Bench.log("job run %d: %,.0f events/s, %,d alerts (%s), %s", r + 1, job[r], jr.alerts, jr.fingerprint,
                    describe(jr.cpu));
            if (firstFingerprint == null) {
                firstFingerprint = jr.fingerprint;
            } else if (!firstFingerprint.equals(jr.fingerprint)) {
                sameAlerts = false;
            }
        }
        peer(median(ingest), ingestCpu, jobCpu);
        if (profiler != null) {
            profiler.profile("throughput", () -> jobRun("profiled", null));
        }
        double b = median(baseline);
        double i = median(ingest);
        double j = median(job);
        String s = "throughput";
        results.add(s, "throughput.events", "events (over customers " + customers + ")", events, "events");
        results.add(s, "throughput.load_events_per_s", "pre-load into Kafka", events / loadSeconds, "events/s");
        results.add(s, "throughput.baseline_events_per_s", "baseline: consumer per partition + parser (median)", b,
                "events/s");
        results.add(s, "throughput.ingest_events_per_s",
                "ingest baseline: consumer per partition + parser + RowBinary inserts of the raw rows (median)", i,
                "events/s");
        results.add(s, "throughput.job_events_per_s", "monitor job, RocksDB, ClickHouse (median of " + runs + ")", j,
                "events/s", ">= 50,000");
        results.add(s, "throughput.ratio", "job / parse-only baseline", j / b, "", ">= 0.25");
        results.add(s, "throughput.ingest_ratio", "job / ingest baseline (the irreducible work)", j / i, "", ">= 0.5");
        results.add(s, "throughput.alerts", "alerts per run", alerts, "alerts", "= customers");
        results.add(s, "throughput.same_alerts", "same alert ids in every run (1 = yes)", sameAlerts ? 1 : 0, "", "1");
        cpuFigures(s, "baseline", "parse-only baseline", baselineCpu);
        cpuFigures(s, "ingest", "ingest baseline", ingestCpu);
        cpuFigures(s, "job", "monitor job", jobCpu);
        results.about("throughput runs (events/s)", "baseline " + Arrays.toString(round(baseline)) + ", ingest "
                + Arrays.toString(round(ingest)) + ", job " + Arrays.toString(round(job)));
    }

    record RunResult(double eventsPerSecond, long alerts, String fingerprint, BenchStack.Cpu cpu) {}

    /** A 1,000-rep year (the import benchmark's full size): 4,081,527 events, 466 an hour on average. */
    static final double TENANT_EVENTS_PER_HOUR = 4_081_527.0 / (52 * 7 * 24);

    /**
     * The scheduled-scan peer on the rows and alerts the last job run left in the engine: the scan's alerts against
     * the job's, one scan's cost at this table size (median of 3), and both ways' CPU per hour of a 1,000-rep
     * tenant's traffic. A scan every P minutes finds a gap between 0 and P after its due time (uniform over the
     * scan's phase) plus the scan's own duration: p50 P/2, p99 0.99 P, max P.
     */
    private void peer(double ingestRate, List<BenchStack.Cpu> ingestCpu, List<BenchStack.Cpu> jobCpu) throws Exception {
        long gap = customers;
        Duration later = Duration.ofSeconds(gap * 2);
        List<Duration> slas = List.of(Duration.ofSeconds(gap / 2), later, later, later, later);
        Set<String> job = new HashSet<>(stack.query(
                "SELECT alert_id FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'"));
        double[] wall = new double[3];
        double[] cpu = new double[3];
        Set<String> found = Set.of();
        Instant now = Instant.now();
        for (int r = 0; r < 3; r++) {
            ScheduledScan.Result scan = ScheduledScan.run(stack, stack.clickHouseUrl(), now, slas);
            wall[r] = scan.wallSeconds();
            cpu[r] = scan.engineCpuSeconds();
            found = scan.alertIds();
        }
        Set<String> missing = new HashSet<>(job);
        missing.removeAll(found);
        Set<String> extra = new HashSet<>(found);
        extra.removeAll(job);
        double scanWall = median(wall);
        double scanCpu = median(cpu);
        Bench.log("scheduled scan over %,d events: %,d alerts (job: %,d; missing %,d, extra %,d), %.2f s, engine CPU %.2f s",
                events, found.size(), job.size(), missing.size(), extra.size(), scanWall, scanCpu);
        String s = "peer";
        results.add(s, "peer.scan_alerts", "scheduled SQL scan: alerts found (job: " + job.size() + ")", found.size(),
                "alerts");
        results.add(s, "peer.same_alert_ids", "the scan's alert ids = the job's (1 = yes)",
                missing.isEmpty() && extra.isEmpty() ? 1 : 0, "", "1");
        results.add(s, "peer.scan_wall_s", "one scan over " + events + " events, wall time (median of 3)", scanWall, "s");
        results.add(s, "peer.scan_engine_cpu_s", "one scan, ClickHouse engine CPU (median of 3)", scanCpu, "s");
        double ingestPerEvent = cpuPerEvent(ingestCpu);
        double jobPerEvent = cpuPerEvent(jobCpu);
        results.add(s, "peer.job_cpu_s_per_h", "monitor job: CPU seconds per hour of a 1,000-rep tenant's traffic",
                jobPerEvent * TENANT_EVENTS_PER_HOUR, "s");
        for (int minutes : new int[] {1, 5, 60}) {
            double scansPerHour = 60.0 / minutes;
            double perHour = ingestPerEvent * TENANT_EVENTS_PER_HOUR + scansPerHour * scanCpu;
            results.add(s, "peer.scan_" + minutes + "m.cpu_s_per_h", "scan every " + minutes
                    + " min: CPU seconds per hour (ingest + scans)", perHour, "s");
            results.add(s, "peer.scan_" + minutes + "m.delay_p99_s", "scan every " + minutes
                    + " min: alert delay after due, p99 (0.99 x interval + one scan)", 0.99 * minutes * 60 + scanWall, "s");
            results.add(s, "peer.scan_" + minutes + "m.delay_max_s", "scan every " + minutes
                    + " min: alert delay after due, max", minutes * 60 + scanWall, "s");
        }
        results.about("peer: ingest baseline (events/s)", String.format("%,.0f", ingestRate));
    }

    private double cpuPerEvent(List<BenchStack.Cpu> cpus) {
        double total = 0;
        for (BenchStack.Cpu c : cpus) {
            total += c.total();
        }
        return total / Math.max(1, cpus.size()) / events;
    }

    /** A baseline run: its rate, and the CPU each part of the stack used while it ran. */
    record Measured(double eventsPerSecond, BenchStack.Cpu cpu) {}

    /** CPU seconds per million events, per part of the stack, the mean over the runs. */
    private void cpuFigures(String section, String key, String label, List<BenchStack.Cpu> cpus) {
        double jvm = 0;
        double jit = 0;
        double gc = 0;
        double broker = 0;
        double engine = 0;
        for (BenchStack.Cpu c : cpus) {
            jvm += c.jvm();
            jit += c.jit();
            gc += c.gc();
            broker += c.broker();
            engine += c.clickHouse();
        }
        double perMillion = 1e6 / events / Math.max(1, cpus.size());
        results.add(section, "throughput.cpu." + key + ".total_s_per_m", label + ": CPU seconds per million events",
                (jvm + broker + engine) * perMillion, "s");
        results.add(section, "throughput.cpu." + key + ".jvm_s_per_m", label + ": of which the JVM (job or consumers)",
                jvm * perMillion, "s");
        results.add(section, "throughput.cpu." + key + ".jit_s_per_m", label + ": of which the JVM's JIT compiler",
                jit * perMillion, "s");
        results.add(section, "throughput.cpu." + key + ".gc_s_per_m", label + ": of which the JVM's garbage collector",
                gc * perMillion, "s");
        results.add(section, "throughput.cpu." + key + ".broker_s_per_m", label + ": of which the Kafka broker",
                broker * perMillion, "s");
        results.add(section, "throughput.cpu." + key + ".clickhouse_s_per_m", label + ": of which the ClickHouse engine",
                engine * perMillion, "s");
    }

    private String describe(BenchStack.Cpu cpu) {
        return String.format("CPU %.1f s (JVM %.1f of which JIT %.1f and GC %.1f, broker %.1f, ClickHouse %.1f)",
                cpu.total(), cpu.jvm(), cpu.jit(), cpu.gc(), cpu.broker(), cpu.clickHouse());
    }

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
        BenchStack.Cpu cpuBefore = stack.cpu();
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
            BenchStack.Cpu cpu = stack.cpu().minus(cpuBefore); // submission to the last raw row
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
            return new RunResult(rate, alerts, fingerprint, cpu);
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
    Measured baseline() throws Exception {
        return consumeAll(tp -> (record, last) -> { });
    }

    /**
     * The irreducible work of the job: a consumer per partition parses every record and writes the raw rows
     * (stage cards and visits) to a fresh ClickHouse as RowBinary batches of the sink's size, with the sink's
     * encoding and client; timed until the last batch is in. No state, no alerts, no exactly-once.
     */
    Measured ingestBaseline() throws Exception {
        String url = stack.freshClickHouse();
        int batch = ClickHouseSinkOptions.DEFAULT_BATCH_SIZE;
        Measured measured = consumeAll(tp -> {
            RowBinaryInserter<StageEvent> cards = RowBinaryInserter.open(url, "default", "", ContractTables.STAGE_EVENTS);
            RowBinaryInserter<VisitEvent> visits = RowBinaryInserter.open(url, "default", "", ContractTables.VISITS);
            return (in, last) -> {
                if (in != null && in.stage != null) {
                    cards.add(in.stage);
                } else if (in != null && in.visit != null) {
                    visits.add(in.visit);
                }
                if (last || cards.pending() >= batch) {
                    cards.insert();
                }
                if (last || visits.pending() >= batch) {
                    visits.insert();
                }
                if (last) {
                    cards.close();
                    visits.close();
                }
            };
        });
        long rows = stack.count("SELECT (SELECT count() FROM salespulse.stage_events) + (SELECT count() FROM salespulse.visits)");
        if (rows != events) {
            throw new IllegalStateException("the ingest baseline wrote " + rows + " rows, expected " + events);
        }
        return measured;
    }

    /** What one partition's consumer does with each parsed record; called once more with null and last = true. */
    interface PartitionWork {
        void accept(InputRecord record, boolean last) throws Exception;
    }

    interface PartitionWorkFactory {
        PartitionWork open(TopicPartition tp) throws Exception;
    }

    /** Reads every partition of the load from the beginning, a thread each; events/s over all of them. */
    private Measured consumeAll(PartitionWorkFactory work) throws Exception {
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
        BenchStack.Cpu cpuBefore = stack.cpu();
        long start = System.nanoTime();
        for (TopicPartition tp : partitions) {
            Thread t = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer()) {
                    PartitionWork w = work.open(tp);
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
                            w.accept(in, false);
                            n++;
                        }
                    }
                    w.accept(null, true);
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
        BenchStack.Cpu cpu = stack.cpu().minus(cpuBefore);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("baseline consumer failed", failures.get(0));
        }
        if (parsed.get() != events || invalid.get() != 0) {
            throw new IllegalStateException("baseline read " + parsed.get() + " records (" + invalid.get()
                    + " invalid), expected " + events + " valid ones");
        }
        return new Measured(parsed.get() / seconds, cpu);
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

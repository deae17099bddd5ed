package io.salespulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * 2. Alert latency in live mode. A steady stream (contact card on check-in, a visit 5 s later, a needs
 * card 10 s later for 9 of 10 customers) with a short contact SLA, so the 10th customer's due time falls
 * during the run; then an idle stretch with no input at all, a second active stretch, and a quiet tail.
 * For every alert: emitted_at - due_at (the job) and visible - due_at (received by a read_committed
 * consumer of the alerts topic, so it includes the wait for the exactly-once sink's checkpoint).
 */
final class Latency {
    static final String PHASE_PREFIX = "latency";

    /** One way of running the job: a name and its settings. */
    record Variant(String name, Map<Setting, String> settings) {}

    private final BenchStack stack;
    private final int rate;
    private final Duration active1;
    private final Duration idle;
    private final Duration active2;
    private final Duration sla;
    private final Results results;

    Latency(BenchStack stack, int rate, Duration active1, Duration idle, Duration active2, Duration sla, Results results) {
        this.stack = stack;
        this.rate = rate;
        this.active1 = active1;
        this.idle = idle;
        this.active2 = active2;
        this.sla = sla;
        this.results = results;
    }

    void run(Variant v) throws Exception {
        String phase = PHASE_PREFIX + "-" + v.name();
        stack.createTopics(2, MonitorJobs.Topics.all(phase));
        String url = stack.freshClickHouse();
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.SLA_CONTACT, sla.toMillis() + "ms");
        s.putAll(v.settings());
        PipelineConfig config = MonitorJobs.config(stack, phase, "live", url, s);
        JobID job = stack.submit(MonitorJobs.jobGraph(config, false, null));
        Map<String, long[]> received = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> read(MonitorJobs.Topics.alerts(phase), received, stop, readerFailure),
                "latency-alert-reader");
        reader.start();
        try {
            awaitRunning(job);
            primeInputs(phase);
            Stream st = produce(phase, job);
            // The quiet tail: nothing is sent; the last due times pass, their alerts must still come.
            long tailEnd = System.currentTimeMillis() + sla.toMillis() + 8_000;
            while (System.currentTimeMillis() < tailEnd && received.size() < st.expectedAlerts) {
                stack.failIfStopped(job);
                Thread.sleep(200);
            }
            Thread.sleep(500);
            stop.set(true);
            reader.join();
            if (readerFailure.get() != null) {
                throw new IllegalStateException("alert reader failed", readerFailure.get());
            }
            report(v, st, received);
        } finally {
            stop.set(true);
            stack.cancel(job);
        }
    }

    private void awaitRunning(JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!stack.allTasksRunning(job)) {
            stack.failIfStopped(job);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the latency job did not start within 60 s");
            }
            Thread.sleep(100);
        }
        Thread.sleep(1000);
    }

    /**
     * One record in every visits and acks partition before the stream starts, as in a running deployment, so the
     * figures measure the steady stream and not the first drain check of an empty partition (a start with empty
     * topics is measured by the faults module's RestartLatencyTest).
     */
    private void primeInputs(String phase) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Loader.producer(stack.bootstrap)) {
            for (String topic : List.of(MonitorJobs.Topics.visits(phase), MonitorJobs.Topics.acks(phase))) {
                int partitions = producer.partitionsFor(topic).size();
                for (int p = 0; p < partitions; p++) {
                    long now = System.currentTimeMillis();
                    byte[] value;
                    if (topic.endsWith(".visits")) {
                        value = visit(-1 - p, now).value; // a customer with no open opportunity: no state
                    } else {
                        ObjectNode n = Json.MAPPER.createObjectNode();
                        n.put("event_id", "lat-ack-" + p);
                        n.put("tenant", "bench");
                        n.put("occurred_at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC).toString());
                        n.put("alert_id", "stage_overdue:bench:warm-up:" + p);
                        n.put("responder", "bench");
                        n.put("action", "ack");
                        value = Json.bytes(n);
                    }
                    producer.send(new ProducerRecord<>(topic, p, now, null, value));
                }
            }
            producer.flush();
        }
        Thread.sleep(idle.toMillis() < 2_000 ? 1_000 : 2_000);
    }

    /** What was sent: the idle stretch's wall-clock bounds and how many customers must alert. */
    record Stream(long idleStart, long idleEnd, long activeEnd, long customers, long events, long expectedAlerts) {}

    private Stream produce(String phase, JobID job) throws Exception {
        final int slotMs = 100;
        double customersPerSecond = rate / 2.9;
        long start = System.currentTimeMillis();
        long idleStart = start + active1.toMillis();
        long idleEnd = idleStart + idle.toMillis();
        long activeEnd = idleEnd + active2.toMillis();
        int slots = (int) ((activeEnd - start) / slotMs);
        // customers of each slot: [first, first + count); needs sent or not per customer
        long[] first = new long[slots];
        int[] count = new int[slots];
        boolean[][] needsSent = new boolean[slots][];
        long next = 0;
        long events = 0;
        double carry = 0;
        try (KafkaProducer<byte[], byte[]> producer = Loader.producer(stack.bootstrap)) {
            for (int slot = 0; slot < slots; slot++) {
                long slotAt = start + (long) slot * slotMs;
                long wait = slotAt - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                boolean active = slotAt < idleStart || slotAt >= idleEnd;
                carry += customersPerSecond * slotMs / 1000.0;
                int n = active ? (int) carry : 0;
                carry -= (int) carry;
                first[slot] = next;
                count[slot] = n;
                needsSent[slot] = new boolean[n];
                next += n;
                if (!active) {
                    continue;
                }
                long now = System.currentTimeMillis();
                for (int i = 0; i < n; i++) {
                    send(producer, phase, card(first[slot] + i, "contact", now));
                    events++;
                }
                int visitSlot = slot - 5_000 / slotMs;
                if (visitSlot >= 0) {
                    for (int i = 0; i < count[visitSlot]; i++) {
                        send(producer, phase, visit(first[visitSlot] + i, now));
                        events++;
                    }
                }
                int needsSlot = slot - 10_000 / slotMs;
                if (needsSlot >= 0 && 10_000 < sla.toMillis()) {
                    for (int i = 0; i < count[needsSlot]; i++) {
                        long c = first[needsSlot] + i;
                        if (c % 10 != 0) {
                            send(producer, phase, card(c, "needs", now));
                            needsSent[needsSlot][i] = true;
                            events++;
                        }
                    }
                }
                producer.flush();
                if (slot % 10 == 0) {
                    stack.failIfStopped(job);
                }
            }
        }
        long expected = 0;
        for (boolean[] slot : needsSent) {
            for (boolean sent : slot) {
                if (!sent) {
                    expected++;
                }
            }
        }
        return new Stream(idleStart, idleEnd, activeEnd, next, events, expected);
    }

    private record Out(String topic, String key, byte[] value, long at) {}

    private static void send(KafkaProducer<byte[], byte[]> p, String phase, Out o) {
        p.send(new ProducerRecord<>(MonitorJobs.Topics.of(phase, o.topic), null, o.at,
                o.key.getBytes(StandardCharsets.UTF_8), o.value));
    }

    private static Out card(long c, String stage, long at) {
        String customer = String.format("lc-%07d", c);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "lat-" + stage + "-" + c);
        n.put("tenant", "bench");
        n.put("occurred_at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.ofHours(8)).toString());
        n.put("customer_id", customer);
        n.put("rep_id", String.format("r-%03d", c % 37 + 1));
        n.put("region", "hz-west");
        n.put("team", "t-" + (c % 8 + 1));
        n.put("stage", stage);
        if (stage.equals("needs")) {
            n.put("need", "shelf-space");
        }
        n.put("high_potential", c % 5 == 0);
        return new Out(io.salespulse.contract.Topics.STAGES, customer, Json.bytes(n), at);
    }

    private static Out visit(long c, long at) {
        String customer = String.format("lc-%07d", c);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "lat-visit-" + c);
        n.put("tenant", "bench");
        n.put("occurred_at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.ofHours(8)).toString());
        n.put("rep_id", String.format("r-%03d", c % 37 + 1));
        n.put("customer_id", customer);
        n.put("region", "hz-west");
        n.put("team", "t-" + (c % 8 + 1));
        n.put("channel", "store_scan");
        return new Out(io.salespulse.contract.Topics.VISITS, customer, Json.bytes(n), at);
    }

    /** alert id -> {due_at, emitted_at, received (wall clock)} */
    private void read(String topic, Map<String, long[]> received, AtomicBoolean stop, AtomicReference<Throwable> failure) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            while (!stop.get()) {
                var records = c.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    JsonNode n = Json.MAPPER.readTree(r.value());
                    received.putIfAbsent(n.get("alert_id").textValue(), new long[] {
                        Instant.parse(n.get("due_at").textValue()).toEpochMilli(),
                        Instant.parse(n.get("emitted_at").textValue()).toEpochMilli(), now});
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    private void report(Variant v, Stream st, Map<String, long[]> received) {
        List<long[]> all = new ArrayList<>(received.values());
        List<long[]> quiet = all.stream().filter(a -> a[0] >= st.idleStart && a[0] < st.idleEnd || a[0] >= st.activeEnd)
                .toList();
        String s = "latency:" + v.name();
        String k = "latency." + v.name() + ".";
        results.add(s, k + "events_per_s", "input rate while active", rate, "events/s");
        results.add(s, k + "customers", "customers", st.customers, "customers");
        results.add(s, k + "alerts_expected", "alerts expected", st.expectedAlerts, "alerts");
        results.add(s, k + "alerts_received", "alerts received (read_committed)", all.size(), "alerts", "= expected");
        stats(s, k + "emitted", "emitted_at - due_at", all, 1, null);
        stats(s, k + "visible", "visible - due_at", all, 2, "p99 <= 2,000");
        stats(s, k + "quiet_visible", "visible - due_at, due in idle stretch/tail (" + quiet.size() + ")", quiet, 2,
                "p99 <= 2,000");
        results.about("latency " + v.name() + " settings", v.settings().isEmpty() ? "defaults"
                : v.settings().entrySet().stream().map(e -> e.getKey().key() + "=" + e.getValue()).toList().toString());
    }

    private void stats(String section, String key, String label, List<long[]> alerts, int column, String target) {
        long[] d = alerts.stream().mapToLong(a -> a[column] - a[0]).sorted().toArray();
        if (d.length == 0) {
            d = new long[] {-1};
        }
        results.add(section, key + "_p50_ms", label + " p50", percentile(d, 50), "ms");
        results.add(section, key + "_p99_ms", label + " p99", percentile(d, 99), "ms", target);
        results.add(section, key + "_max_ms", label + " max", d[d.length - 1], "ms");
    }

    static long percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

}

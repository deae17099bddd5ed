package io.salespulse.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.WeComNotifier;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.wecom.WeComStub;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;

/**
 * 7. Alert latency where people see it: from an alert's due time to the moment the WeCom stand-in received the
 * message, through the production monitor job, the exactly-once alerts topic and the notifier (its routing, ledger
 * in ClickHouse and rate limit). The cards come the way the field app sends them: posted to the ingest gateway (in
 * this JVM, with a tenant token), which writes them to Kafka. A new customer's contact card every few seconds
 * (below WeCom's 20 messages a minute per robot, so nothing waits for the rate limit) with a short contact SLA:
 * every customer goes overdue.
 * Measured in steady traffic, then across a restart of the job (a checkpoint, cancel, restore from it) for the
 * alerts due in the minute after the restored job runs again; alerts due from the checkpoint's start until the restored
 * job runs are counted apart.
 */
final class FeltLatency {
    private final String phase;
    /** {@code default}, or the name of the pipeline settings this run changes (its figures are named after it). */
    private final String variant;
    private final Map<Setting, String> settings;
    private static final String KEY = "bench-felt-robot-key";
    private static final String TENANT = "bench";
    private static final Pattern CUSTOMER = Pattern.compile("fc-(\\d{6})");

    private final BenchStack stack;
    private final Duration steady;
    private final Duration afterRestart;
    private final Duration every;
    private final Duration sla;
    private final Results results;

    FeltLatency(BenchStack stack, Duration steady, Duration afterRestart, Duration every, Duration sla,
            Results results) {
        this(stack, steady, afterRestart, every, sla, results, "default", Map.of());
    }

    /** A run with {@code settings} changed in the monitor job, its figures named {@code felt.<variant>_...}. */
    FeltLatency(BenchStack stack, Duration steady, Duration afterRestart, Duration every, Duration sla,
            Results results, String variant, Map<Setting, String> settings) {
        this.variant = variant;
        this.settings = Map.copyOf(settings);
        this.phase = variant.equals("default") ? "felt" : "felt-" + variant;
        this.stack = stack;
        this.steady = steady;
        this.afterRestart = afterRestart;
        this.every = every;
        this.sla = sla;
        this.results = results;
    }

    void run() throws Exception {
        stack.createTopics(2, MonitorJobs.Topics.all(phase));
        String url = stack.freshClickHouse();
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.putAll(settings);
        s.put(Setting.SLA_CONTACT, sla.toMillis() + "ms");
        PipelineConfig config = MonitorJobs.config(stack, phase, "live", url, s);
        Map<Long, Long> due = new ConcurrentHashMap<>();
        String token = TenantTokens.generateToken();
        try (WeComStub wecom = WeComStub.start("127.0.0.1", 0, Set.of(KEY), NotifierTime.SYSTEM);
                WeComNotifier notifier = startNotifier(url, wecom);
                IngestGateway gateway = MonitorJobs.gateway(stack, phase, stack.dir, TENANT, token)) {
            JobID job = stack.submit(MonitorJobs.jobGraph(config, false, null));
            awaitRunning(job);
            Phone phone = new Phone(gateway.url(), token);
            long[] next = {0};
            feed(phone, steady, due, next, job);
            long steadyEnd = System.currentTimeMillis();
            // The steady alerts are told before the restart begins: one due just before the checkpoint that the
            // restart takes would wait for it, and measure the restart, not the steady state.
            awaitReceived(wecom, dueBefore(due, steadyEnd), Duration.ofSeconds(30));
            String checkpoint = stack.flink.triggerCheckpoint(job).get(5, TimeUnit.MINUTES);
            long downFrom = System.currentTimeMillis();
            stack.cancel(job);
            job = stack.submit(MonitorJobs.jobGraph(config, false, checkpoint));
            awaitRunning(job);
            long restoredAt = System.currentTimeMillis();
            Bench.log("felt: job restored from %s in %.1f s", checkpoint, (restoredAt - downFrom) / 1e3);
            feed(phone, afterRestart, due, next, job);
            // The last customers fall due after the feed: wait for them, then for the notifier.
            awaitReceived(wecom, due, sla.plusSeconds(30));
            stack.cancel(job);
            Map<Long, Long> got = received(wecom, due);
            List<Long> steadyLate = new ArrayList<>();
            List<Long> restartLate = new ArrayList<>();
            int whileDown = 0;
            for (Map.Entry<Long, Long> e : got.entrySet()) {
                long dueAt = due.get(e.getKey());
                long late = e.getValue() - dueAt;
                if (dueAt < steadyEnd) {
                    steadyLate.add(late);
                } else if (dueAt < restoredAt) {
                    whileDown++;
                } else if (dueAt < restoredAt + 60_000) {
                    restartLate.add(late);
                }
            }
            Bench.log("felt: %d customers, %d messages received; due in steady traffic %d, while the job was checkpointed,"
                    + " cancelled and restored %d, in the minute after the restore %d", due.size(), got.size(),
                    steadyLate.size(), whileDown,
                    restartLate.size());
            String sec = "felt";
            results.add(sec, key("felt.alerts_expected"), label("alerts (one per customer)"), due.size(), "alerts");
            results.add(sec, key("felt.messages_received"), label("messages the WeCom stand-in received for them"), got.size(),
                    "messages", "= alerts");
            percentiles(sec, "felt.steady", "steady traffic: due -> WeCom received", steadyLate, "p99 <= 1,000 ms");
            percentiles(sec, "felt.restart", "due in the minute after a restore: due -> WeCom received", restartLate,
                    "");
            results.add(sec, key("felt.restore_s"), label("checkpoint, cancel and restore until every task runs"),
                    (restoredAt - downFrom) / 1e3, "s");
            breakdown(got, steadyEnd);
        }
    }

    /**
     * Where the steady alerts' time goes, from the rows the job and the notifier wrote: due -> the job emitted it
     * ({@code emitted_at}, when its timer fired), -> the job's Kafka sink wrote it ({@code received_at}, the record's
     * timestamp), -> the notifier's first post attempt began ({@code first_attempt_at}: the exactly-once commit at the
     * next checkpoint, the poll, the ledger's lookups, routing), -> the stand-in received it (the ledger's "sending"
     * row in ClickHouse, then the HTTP post).
     */
    private void breakdown(Map<Long, Long> got, long steadyEnd) throws Exception {
        List<String> rows = stack.query("SELECT concat(a.customer_id, ',', toString(toUnixTimestamp64Milli(a.due_at)),"
                + " ',', toString(toUnixTimestamp64Milli(a.emitted_at)), ',', toString(toUnixTimestamp64Milli(d.received_at)),"
                + " ',', toString(ifNull(toUnixTimestamp64Milli(d.first_attempt_at), 0)))"
                + " FROM (SELECT alert_id, customer_id, due_at, emitted_at FROM salespulse.alerts FINAL"
                + " WHERE tenant = 'bench' AND type = 'stage_overdue') AS a"
                + " INNER JOIN (SELECT alert_id, received_at, first_attempt_at FROM salespulse.alert_deliveries FINAL) AS d"
                + " ON d.alert_id = a.alert_id");
        List<Long> job = new ArrayList<>();
        List<Long> sink = new ArrayList<>();
        List<Long> notifier = new ArrayList<>();
        List<Long> post = new ArrayList<>();
        for (String row : rows) {
            String[] f = row.split(",");
            Matcher m = CUSTOMER.matcher(f[0]);
            long due = Long.parseLong(f[1]);
            long firstAttempt = Long.parseLong(f[4]);
            if (!m.matches() || due >= steadyEnd || firstAttempt == 0) {
                continue;
            }
            Long shown = got.get(Long.parseLong(m.group(1)));
            if (shown == null) {
                continue;
            }
            long emitted = Long.parseLong(f[2]);
            long read = Long.parseLong(f[3]);
            job.add(emitted - due);
            sink.add(read - emitted);
            notifier.add(firstAttempt - read);
            post.add(shown - firstAttempt);
        }
        String sec = "felt";
        percentiles(sec, "felt.steady_job", "steady, where the time goes: due -> the job emitted", job, "");
        percentiles(sec, "felt.steady_sink", "steady, where the time goes: emitted -> written to Kafka", sink, "");
        percentiles(sec, "felt.steady_notifier", "steady, where the time goes: written -> first post attempt"
                + " (commit at the checkpoint, poll, ledger lookups)", notifier, "");
        percentiles(sec, "felt.steady_post", "steady, where the time goes: first attempt -> stand-in received"
                + " (ledger row, HTTP)", post, "");
    }

    /** The figure's key: {@code felt.x} for the default run, {@code felt.<variant>_x} for another. */
    private String key(String key) {
        return variant.equals("default") ? key : key.replaceFirst("^felt\\.", "felt." + variant + "_");
    }

    private String label(String label) {
        return variant.equals("default") ? label : variant + " settings: " + label;
    }

    private void percentiles(String section, String rawKey, String rawLabel, List<Long> late, String target) {
        String key = key(rawKey);
        String label = label(rawLabel);
        late.sort(null);
        if (late.isEmpty()) {
            results.add(section, key + "_count", label + ": alerts", 0, "alerts");
            return;
        }
        results.add(section, key + "_count", label + ": alerts", late.size(), "alerts");
        results.add(section, key + "_p50_ms", label + " p50", late.get(late.size() / 2), "ms");
        results.add(section, key + "_p99_ms", label + " p99", late.get((int) Math.ceil(late.size() * 0.99) - 1), "ms",
                target);
        results.add(section, key + "_max_ms", label + " max", late.get(late.size() - 1), "ms");
    }

    /** Customer number -> when the stand-in received its message (the first one, should there be more). */
    private static Map<Long, Long> received(WeComStub wecom, Map<Long, Long> due) {
        Map<Long, Long> out = new java.util.HashMap<>();
        for (WeComStub.Received r : wecom.received(KEY)) {
            Matcher m = CUSTOMER.matcher(r.content());
            while (m.find()) {
                long c = Long.parseLong(m.group(1));
                if (due.containsKey(c)) {
                    out.merge(c, r.at().toEpochMilli(), Math::min);
                }
            }
        }
        return out;
    }

    private static Map<Long, Long> dueBefore(Map<Long, Long> due, long before) {
        Map<Long, Long> out = new java.util.HashMap<>();
        due.forEach((c, at) -> {
            if (at < before) {
                out.put(c, at);
            }
        });
        return out;
    }

    private static void awaitReceived(WeComStub wecom, Map<Long, Long> due, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline && received(wecom, due).size() < due.size()) {
            Thread.sleep(50);
        }
    }

    /** A new customer's contact card every {@code every}, for {@code length}, each posted to the gateway. */
    private void feed(Phone phone, Duration length, Map<Long, Long> due, long[] next, JobID job) throws Exception {
        long end = System.currentTimeMillis() + length.toMillis();
        while (System.currentTimeMillis() < end) {
            long c = next[0]++;
            long at = System.currentTimeMillis();
            String customer = String.format("fc-%06d", c);
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("event_id", "felt-contact-" + c);
            n.put("tenant", TENANT);
            n.put("occurred_at", OffsetDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneOffset.ofHours(8)).toString());
            n.put("customer_id", customer);
            n.put("rep_id", "r-001");
            n.put("region", "hz-west");
            n.put("team", "t-1");
            n.put("stage", "contact");
            phone.post(Json.bytes(n));
            due.put(c, at + sla.toMillis());
            stack.failIfStopped(job);
            Thread.sleep(every.toMillis());
        }
    }

    private void awaitRunning(JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!stack.allTasksRunning(job)) {
            stack.failIfStopped(job);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job was not running after 5 minutes");
            }
            Thread.sleep(100);
        }
    }

    /** The field app: posts a stage card and waits for the gateway's answer (given once Kafka has the card). */
    private static final class Phone {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI stages;
        private final String token;

        Phone(String gatewayUrl, String token) {
            this.stages = URI.create(gatewayUrl + "/v1/stages");
            this.token = token;
        }

        void post(byte[] card) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(stages).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(card)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("the gateway answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    /** The notifier as deployed: every alert to one robot, its ledger in the run's ClickHouse. */
    private WeComNotifier startNotifier(String clickHouseUrl, WeComStub wecom) throws Exception {
        Path routes = stack.dir.resolve("felt-routes.yaml");
        Files.writeString(routes, "default_route: team\nroutes:\n  team: {}\n", StandardCharsets.UTF_8);
        Map<NotifierSetting, String> n = new EnumMap<>(NotifierSetting.class);
        n.put(NotifierSetting.KAFKA_BOOTSTRAP, stack.bootstrap);
        n.put(NotifierSetting.TOPIC_ALERTS, MonitorJobs.Topics.alerts(phase));
        n.put(NotifierSetting.TOPIC_ACKS, MonitorJobs.Topics.acks(phase));
        n.put(NotifierSetting.TOPIC_POLICIES, MonitorJobs.Topics.policies(phase));
        n.put(NotifierSetting.CLICKHOUSE_URL, clickHouseUrl);
        n.put(NotifierSetting.GROUP_ID, "bench-" + phase + "-notifier");
        n.put(NotifierSetting.ROUTES, routes.toString());
        n.put(NotifierSetting.WECOM_URL, wecom.url().toString());
        n.put(NotifierSetting.ACK_PORT, "0");
        n.put(NotifierSetting.LINK_SECRET, "bench-felt-link-secret-0123456789abcdef");
        NotifierConfig config = NotifierConfig.load(n, Map.of());
        RoutingFile routing = RoutingFile.load(routes, null, Map.of("SALESPULSE_WECOM_KEY_TEAM", KEY));
        return WeComNotifier.start(config, routing, NotifierTime.SYSTEM, RobotDispatcher.PostObserver.NONE);
    }
}

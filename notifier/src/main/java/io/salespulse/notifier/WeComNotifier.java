package io.salespulse.notifier;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.metrics.MetricsText;
import io.salespulse.contract.policy.PolicyParser;
import io.salespulse.notifier.ack.AckServer;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierConfigException;
import io.salespulse.notifier.delivery.Delivery;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.escalation.Escalator;
import io.salespulse.notifier.escalation.Instructions;
import io.salespulse.notifier.followup.FollowUpVerifier;
import io.salespulse.notifier.hold.PolicySilences;
import io.salespulse.notifier.hold.PostingGate;
import io.salespulse.notifier.ops.NotifierHealth;
import io.salespulse.notifier.ops.NotifierMetrics;
import io.salespulse.notifier.ops.OpsAlertWebhook;
import io.salespulse.notifier.ops.OpsEndpoints;
import io.salespulse.notifier.page.AlertLinks;
import io.salespulse.notifier.page.AlertPage;
import io.salespulse.notifier.page.AlertPageStore;
import io.salespulse.notifier.policy.PolicyFollower;
import io.salespulse.notifier.retraction.Retractions;
import io.salespulse.notifier.routing.Route;
import io.salespulse.notifier.routing.RoutingFile;
import io.salespulse.notifier.routing.RoutingRules;
import io.salespulse.notifier.wecom.RobotRateLimiter;
import io.salespulse.notifier.wecom.WeComClient;
import io.salespulse.notifier.wecom.WeComMessages;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier service: reads {@code sales.alerts} and {@code sales.acks} (read_committed, manual
 * commits), delivers alerts to their WeCom robots, records acks, raises escalations, and serves the ack
 * link. One thread does the reading, delivering and escalating, in rounds:
 *
 * <ol>
 *   <li>read up to {@code notifier.max-batch} records (whatever is waiting, without lingering);</li>
 *   <li>record acks in ClickHouse; drop alerts the ledger already has for a route (replays, restarts); record
 *       an imported history's alerts as skipped; add the rest to their robots' backlogs; apply retractions
 *       ({@link Retractions}: withdraw what still waits, queue the withdrawal where the alert was posted);</li>
 *   <li>per robot: post what its rate budget allows now ({@link RobotDispatcher}: singles or one digest); what
 *       cannot go yet keeps waiting while the next rounds read on, so a retraction can still withdraw it;</li>
 *   <li>commit the offsets up to the first record that still waits, now that the ledger holds every other
 *       outcome;</li>
 *   <li>reload routing if its file changed; apply new run-time policies; raise due escalations.</li>
 * </ol>
 *
 * Run-time policies ({@code sales.policies}) are read from the beginning at start; escalation waits until they
 * are current, then follows them.
 *
 * <p>When a ClickHouse call of the ledger fails during a round, the round's work is dropped as a crash would drop it:
 * the backlogs are forgotten, the consumer leaves the group, and once ClickHouse answers again, deliveries left
 * {@code sending} are marked uncertain and reading starts over from the committed offsets (what was settled is found
 * in the ledger and skipped). Meanwhile the ack endpoint, {@code /healthz} (degraded, naming the error) and
 * {@code /metrics} keep answering. A ClickHouse failure at start, and any other failure, stops the notifier.
 *
 * Run one instance per consumer group: the rate limit is counted in this process.
 */
public final class WeComNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WeComNotifier.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** While robots have a backlog: short polls, and waits of at most WAIT_STEP, so reading goes on meanwhile. */
    private static final Duration POLL_WHILE_WAITING = Duration.ofMillis(20);
    private static final Duration WAIT_STEP = Duration.ofSeconds(1);
    /** Waits between ClickHouse probes after a failed call: doubling from the first to the last. */
    private static final long LEDGER_RETRY_FIRST_MS = 500;
    private static final long LEDGER_RETRY_MAX_MS = 10_000;

    private final NotifierConfig config;
    private final RoutingFile routing;
    private final NotifierTime time;
    private final DeliveryLedger ledger;
    private final DeliveryLedger ackLedger;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final RobotDispatcher dispatcher;
    private final RobotRateLimiter limiter;
    private final Retractions retractions;
    private final PostingGate gate;
    private final PolicyFollower policies;
    private final Escalator escalator;
    private final FollowUpVerifier followUps;
    private final AckServer ackServer;
    private final AlertPageStore pageStore;
    private final NotifierMetrics metrics;
    private final EventParser ackParser = new EventParser(Duration.ofDays(3650));
    private final Thread thread;
    /** Per partition: the offset after the last record read, and the offset last committed. */
    private final Map<TopicPartition, Long> readTo = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile int uncertainAtStart = -1;
    private volatile int waitingDeliveries;
    /** The notifier's time of the last check for ended holds, escalations and follow-ups (null before the first). */
    private volatile Instant lastCheck;
    private volatile boolean closed;
    /** Policy records read when the policies' silences were last written to alert_silences (-1: never). */
    private long policyRecordsSynced = -1;
    /** The consumer's last-heartbeat-seconds-ago metric, once found. */
    private Metric heartbeatAge;

    private WeComNotifier(NotifierConfig config, RoutingFile routing, NotifierTime time,
            RobotDispatcher.PostObserver observer) throws Exception {
        // Checked before anything is opened: a bad setting stops start-up naming its key.
        if (!config.opsRoute.isEmpty()
                && routing.current().rules().routes().stream().noneMatch(r -> r.name().equals(config.opsRoute))) {
            throw new NotifierConfigException("notifier.ops-route: no route '" + config.opsRoute + "' in "
                    + config.routesFile + " (routes: " + routing.current().rules().routes().stream().map(Route::name)
                            .toList() + ")");
        }
        this.config = config;
        this.routing = routing;
        this.time = time;
        this.metrics = new NotifierMetrics(time);
        this.ledger = new DeliveryLedger(config.clickhouseUrl, config.clickhouseUser, config.clickhousePassword, time,
                metrics.ledgerFailures());
        this.ackLedger = new DeliveryLedger(config.clickhouseUrl, config.clickhouseUser, config.clickhousePassword, time,
                metrics.ledgerFailures());
        this.consumer = new KafkaConsumer<>(consumerProperties(config));
        this.producer = new KafkaProducer<>(producerProperties(config));
        AlertLinks links = new AlertLinks(config.linkSecret, config.ackBaseUrl, config.linkTtl);
        WeComMessages messages = new WeComMessages(config.timeZone, links, config.workQueueUrl);
        this.limiter = new RobotRateLimiter(config.ratePerMinute, config.rateMargin, time);
        this.policies = new PolicyFollower(config.kafkaBootstrap, config.topicPolicies,
                new PolicyParser(config.stateTtl, config.timeZone));
        this.dispatcher = new RobotDispatcher(ledger, new WeComClient(config.wecomUrl, config.requestTimeout),
                limiter, messages, routing, time,
                config.maxAttempts, config.retryBase, config.retryMax, observer, metrics);
        this.gate = new PostingGate(policies.book());
        Instructions instructions = new Instructions(policies.book());
        dispatcher.deadlines(instructions::deadline);
        // Quiet hours may have begun while a message waited for its robot: looked at again right before posting.
        dispatcher.lastLook(d -> gate.holdOf(d.alert, d.route, time.now(), routing.current().rules(), List.of(),
                List.of()).map(h -> d.hold(h.status(), h.reason(), h.until(), h.detail())));
        this.retractions = new Retractions(ledger, dispatcher, post -> gate.holdOf(post.alert, post.route, time.now(),
                routing.current().rules(), List.of(), List.of()).map(h -> post.hold(h.status(), h.reason(), h.until(),
                h.detail())));
        this.followUps = new FollowUpVerifier(ledger, producer, config.topicAlerts, time, policies.book(), metrics,
                config.timeZone);
        this.escalator = new Escalator(ledger, routing, producer, config.topicAlerts, time, policies.book(),
                dispatcher::retractionWaiting, metrics, config.timeZone);
        this.pageStore = new AlertPageStore(config.clickhouseUrl, config.clickhouseUser, config.clickhousePassword,
                metrics.ledgerFailures());
        AlertPage page = new AlertPage(links, pageStore, ackLedger, producer, config.topicAcks, time, config.timeZone,
                metrics, config.ackBaseUrl);
        this.ackServer = new AckServer(config.ackHost, config.ackPort, page, metrics);
        NotifierHealth health = new NotifierHealth(metrics, config.healthStall, config.healthFailedPosts,
                config.topicAlerts, () -> routing.current().rules().routes().stream().map(Route::name)
                        .collect(Collectors.toSet()));
        OpsEndpoints ops = new OpsEndpoints(metrics, health);
        ackServer.serve("/healthz", ops::healthz);
        ackServer.serve("/metrics", ops::metrics);
        OpsAlertWebhook opsAlerts = new OpsAlertWebhook(new WeComClient(config.wecomUrl, config.requestTimeout),
                () -> routing.current(), config.opsRoute, config.timeZone, metrics);
        ackServer.serve("/ops/alertmanager", opsAlerts::handle);
        this.thread = new Thread(this::run, "wecom-notifier");
    }

    /** Starts the service; {@code observer} sees every post (tests simulate crashes with it). */
    public static WeComNotifier start(NotifierConfig config, RoutingFile routing, NotifierTime time,
            RobotDispatcher.PostObserver observer) throws Exception {
        WeComNotifier n = new WeComNotifier(config, routing, time, observer);
        n.thread.start();
        return n;
    }

    /** The port of the ack endpoint, /healthz and /metrics. */
    public int ackPort() {
        return ackServer.port();
    }

    /** How many in-flight deliveries a previous run left and this one marked uncertain (-1 until known). */
    public int uncertainAtStart() {
        return uncertainAtStart;
    }

    /** The reason the delivery thread stopped on its own, if it did. */
    public Throwable failure() {
        return failure;
    }

    /** Records of the policies topic read so far (tests wait on it). */
    public long policyRecordsRead() {
        return policies.recordsRead();
    }

    /** Deliveries read but not posted yet, waiting for their robot (tests wait on it). */
    public int waitingDeliveries() {
        return waitingDeliveries;
    }

    /** The notifier's time of its last check for ended holds, escalations and follow-ups (tests wait on it). */
    public Instant lastCheck() {
        return lastCheck;
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void run() {
        try {
            List<Delivery> uncertain = ledger.markUncertain();
            uncertainAtStart = uncertain.size();
            countUncertain(uncertain, "the previous run stopped");
            restoreRateBudgets();
            consumer.subscribe(List.of(config.topicAlerts, config.topicAcks));
            policies.catchUp(Duration.ofSeconds(30));
            Instant nextReload = Instant.now().plus(config.routesReloadInterval);
            Instant nextEscalation = time.now();
            Instant escalationRecheck = null;
            while (running) {
                try {
                    List<ConsumerRecord<String, byte[]>> batch =
                            pollBatch(dispatcher.waiting().isEmpty() ? POLL : POLL_WHILE_WAITING);
                    if (!batch.isEmpty()) {
                        handle(batch);
                    }
                    dispatcher.sendReady();
                    waitingDeliveries = dispatcher.waiting().size();
                    metrics.robots(dispatcher.states());
                    commitSettled();
                    pauseWhileBacklogIsFull();
                    if (!Instant.now().isBefore(nextReload)) {
                        reloadRouting();
                        policies.discover();
                        nextReload = Instant.now().plus(config.routesReloadInterval);
                    }
                    policies.poll();
                    metrics.policiesCurrent(policies.current());
                    if (policies.current() && policies.recordsRead() != policyRecordsSynced) {
                        policyRecordsSynced = policies.recordsRead();
                        PolicySilences.sync(policies.book().all(), ledger, time.now());
                    }
                    Instant now = time.now();
                    boolean recheck = escalationRecheck != null && !Instant.now().isBefore(escalationRecheck);
                    if (policies.current() && (!now.isBefore(nextEscalation) || recheck)) {
                        releaseDueHolds();
                        escalator.escalateDue();
                        followUps.remindDue(routing.current().rules().escalationMaxAge());
                        waitingDeliveries = dispatcher.waiting().size();
                        lastCheck = now;
                        // From the check's start: time that passed during the check counts towards the next one.
                        nextEscalation = now.plus(config.escalationInterval);
                        // A group being told right now: its wait starts with the ledger's delivered_at, look again in 1 s.
                        escalationRecheck = escalator.waitedForDelivery() ? Instant.now().plusSeconds(1) : null;
                    }
                    if (batch.isEmpty()) {
                        waitForRobots();
                    }
                } catch (SQLException e) {
                    if (!running) {
                        break;
                    }
                    startOverWhenClickHouseAnswers(e);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
            if (running) {
                metrics.stopped(describe(e));
                LOG.error("The notifier stopped: {}", e.toString());
            }
        } finally {
            // No commit here: whatever was not committed is read again and deduplicated by the ledger.
            // Leaving the group lets a restarted notifier take over at once, not after the session timeout.
            consumer.close(Duration.ofSeconds(5));
            policies.close();
            stopped.countDown();
        }
    }

    /**
     * The per-robot budget survives a restart: the posts of the last window, from the ledger, are spent tokens, so a
     * notifier restarted within a minute of a burst waits instead of drawing 45009.
     */
    private void restoreRateBudgets() throws SQLException {
        Instant now = time.now();
        Map<String, List<Instant>> posts = ledger.postsBetween(now.minus(limiter.window()), now);
        posts.forEach(limiter::spentBefore);
        if (!posts.isEmpty()) {
            LOG.info("Rate budgets from the ledger: {}", posts.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue().size() + " post(s) in the last minute").toList());
        }
    }

    private List<ConsumerRecord<String, byte[]>> pollBatch(Duration timeout) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        ConsumerRecords<String, byte[]> records = consumer.poll(timeout);
        while (!records.isEmpty()) {
            records.forEach(batch::add);
            if (batch.size() >= config.maxBatch) {
                break;
            }
            // Take what is already waiting, so a burst becomes one round (and one digest), not many.
            records = consumer.poll(Duration.ofMillis(20));
        }
        publishPollState();
        return batch;
    }

    /** What /healthz and /metrics know of Kafka: assignment, lag (as of the last fetch), heartbeat age. */
    private void publishPollState() {
        int alertPartitions = 0;
        Map<String, Long> lag = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (tp.topic().equals(config.topicAlerts)) {
                alertPartitions++;
            }
            OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag.put(MetricsText.labels("topic", tp.topic(), "partition", Integer.toString(tp.partition())),
                        l.getAsLong());
            }
        }
        metrics.polled(new NotifierMetrics.PollState(System.currentTimeMillis(), System.nanoTime(), alertPartitions,
                heartbeatSecondsAgo(), Map.copyOf(lag)));
    }

    /** The consumer's own metric: seconds since it last sent the group coordinator a heartbeat (-1: none yet). */
    private double heartbeatSecondsAgo() {
        if (heartbeatAge == null) {
            for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
                if (e.getKey().name().equals("last-heartbeat-seconds-ago")
                        && e.getKey().group().equals("consumer-coordinator-metrics")) {
                    heartbeatAge = e.getValue();
                }
            }
            if (heartbeatAge == null) {
                return -1;
            }
        }
        return heartbeatAge.metricValue() instanceof Number n ? n.doubleValue() : -1;
    }

    /**
     * A ClickHouse call failed mid-round. Drops what the round holds in memory, as a crash would (nothing of it was
     * committed), leaves the group, and probes ClickHouse with growing waits (real time: the notifier's clock may be a
     * test's) by marking what was left {@code sending} uncertain; once that works, joins again and reads from the
     * committed offsets. The ack endpoint, /healthz and /metrics answer throughout.
     */
    private void startOverWhenClickHouseAnswers(SQLException first) throws InterruptedException {
        metrics.ledgerFailing(describe(first));
        LOG.error("A ClickHouse call of the delivery ledger failed: {}. Dropping the backlog ({} waiting) and waiting"
                + " for ClickHouse; then reading again from the committed offsets", describe(first),
                dispatcher.waiting().size());
        dispatcher.reset();
        readTo.clear();
        committed.clear();
        waitingDeliveries = 0;
        metrics.robots(List.of());
        consumer.unsubscribe();
        long wait = LEDGER_RETRY_FIRST_MS;
        while (running) {
            long until = System.nanoTime() + wait * 1_000_000;
            while (running && System.nanoTime() < until) {
                Thread.sleep(Math.min(100, wait));
            }
            if (!running) {
                return;
            }
            try {
                countUncertain(ledger.markUncertain(), "ClickHouse failed");
                break;
            } catch (SQLException again) {
                metrics.ledgerFailing(describe(again));
                LOG.warn("ClickHouse still fails: {}; next try in {} ms", describe(again),
                        Math.min(wait * 2, LEDGER_RETRY_MAX_MS));
                wait = Math.min(wait * 2, LEDGER_RETRY_MAX_MS);
            }
        }
        if (!running) {
            return;
        }
        metrics.ledgerRecovered();
        metrics.rejoining();
        consumer.subscribe(List.of(config.topicAlerts, config.topicAcks));
        LOG.info("ClickHouse answers again: reading {} and {} from the committed offsets", config.topicAlerts,
                config.topicAcks);
    }

    private void countUncertain(List<Delivery> uncertain, String why) {
        if (uncertain.isEmpty()) {
            return;
        }
        uncertain.forEach(d -> metrics.decided(d.route, d.status.code()));
        LOG.warn("{} delivery(ies) were in flight when {}: marked uncertain, not resent", uncertain.size(), why);
    }

    /** Reloads the routing file if it changed; a route whose key changed starts a fresh run of posts (/healthz). */
    private void reloadRouting() {
        RoutingFile.Routing before = routing.current();
        if (routing.reloadIfChanged()) {
            for (Route r : routing.current().rules().routes()) {
                if (!routing.current().keys().sameKey(r.name(), before.keys())) {
                    metrics.keyChanged(r.name());
                }
            }
        }
    }

    /** An exception's message and, if it says more, its root cause's: one line, at most 300 characters. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += ": " + root.getMessage();
        }
        text = text.replace('\n', ' ');
        return text.length() > 300 ? text.substring(0, 297) + "..." : text;
    }

    private void handle(List<ConsumerRecord<String, byte[]>> batch) throws Exception {
        List<AckEvent> acks = new ArrayList<>();
        // Each alert id once per round, as read (its record, no route yet).
        Map<String, Delivery> alerts = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            readTo.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
            if (r.topic().equals(config.topicAcks)) {
                try {
                    acks.add(ackParser.parseAck(r.value(), r.timestamp()));
                } catch (InvalidEventException e) {
                    // The monitor job dead-letters malformed acks; nothing for the notifier to add.
                    LOG.debug("Skipping a malformed ack at {}-{}@{}", r.topic(), r.partition(), r.offset());
                }
                continue;
            }
            try {
                NotifierAlert a = NotifierAlert.parse(r.value());
                metrics.alertConsumed(a);
                alerts.putIfAbsent(a.alertId(), new Delivery(a, "", r.topic(), r.partition(), r.offset(),
                        Instant.ofEpochMilli(r.timestamp()), r.value()));
            } catch (InvalidEventException e) {
                ledger.deadLetter(r.topic(), r.partition(), r.offset(), r.key(), r.value(), e.code(), e.getMessage(),
                        null, Instant.ofEpochMilli(r.timestamp()));
                metrics.alertInvalid();
            }
        }
        ledger.writeAcks(acks);
        metrics.acksConsumed(acks.size());
        if (alerts.isEmpty()) {
            return;
        }
        Map<String, Map<String, Delivery.Status>> known =
                ledger.lookup(Retractions.lookupIds(alerts.values().stream().map(d -> d.alert).toList()));
        RoutingRules rules = routing.current().rules();
        Instant now = time.now();
        List<DeliveryLedger.Silence> silences = ledger.activeSilences(now);
        List<NotifierAlert> sources = openInhibitionSources(rules, now);
        List<Delivery> decided = new ArrayList<>();
        List<Delivery> liveRetractions = new ArrayList<>();
        int duplicates = 0;
        for (Delivery read : alerts.values()) {
            NotifierAlert a = read.alert;
            if (a.isRetraction() && !a.isHistory()) {
                liveRetractions.add(read);
                continue;
            }
            if (a.isRetraction()) {
                decided.addAll(retractions.withdrawWaiting(a));
            }
            boolean withdrawn = retractions.withdrawn(a, known);
            Map<String, Delivery.Status> seen = known.getOrDefault(a.alertId(), Map.of());
            Set<String> routes = new LinkedHashSet<>();
            for (Route route : rules.routesFor(a.facts())) {
                routes.add(route.name());
            }
            for (String route : routes) {
                if (seen.containsKey(route)) {
                    duplicates++;
                } else if (a.isHistory()) {
                    decided.add(read.onRoute(route).decide(Delivery.Status.SKIPPED_HISTORY, "history",
                            "an imported history's alert about the past: recorded, not posted"));
                } else if (withdrawn) {
                    decided.add(read.onRoute(route).decide(Delivery.Status.RETRACTED_BEFORE_DELIVERY, "retracted",
                            "withdrawn by " + Alert.retractionId(a.originAlertId()) + " before it was posted"));
                } else {
                    Optional<PostingGate.Hold> hold = gate.holdOf(a, route, now, rules, silences, sources);
                    if (hold.isPresent()) {
                        PostingGate.Hold h = hold.get();
                        decided.add(read.onRoute(route).hold(h.status(), h.reason(), h.until(), h.detail()));
                    } else {
                        dispatcher.enqueue(read.onRoute(route));
                    }
                }
            }
        }
        decided.addAll(retractions.apply(liveRetractions, known));
        ledger.write(decided);
        decided.forEach(d -> metrics.decided(d.route, d.status.code()));
        metrics.duplicatesSkipped(duplicates);
        if (duplicates > 0) {
            LOG.info("Skipped {} delivery(ies) already in the ledger (replay or restart)", duplicates);
        }
    }

    /** The open alerts the routing file's inhibition rules may name as sources (none without rules). */
    private List<NotifierAlert> openInhibitionSources(RoutingRules rules, Instant now) throws SQLException {
        if (rules.inhibitions().isEmpty()) {
            return List.of();
        }
        Set<String> types = new LinkedHashSet<>();
        Set<String> endedBy = new LinkedHashSet<>();
        for (RoutingRules.Inhibition r : rules.inhibitions()) {
            types.addAll(r.source().getOrDefault("type", Set.of()));
            if (!r.endedBy().isEmpty()) {
                endedBy.add(r.endedBy());
            }
        }
        return ledger.openAlerts(types, endedBy, now.minus(rules.escalationMaxAge()));
    }

    /**
     * Posts what was held and whose hold has ended, if still open ({@link DeliveryLedger#dueHolds}): the gate is asked
     * again without inhibition sources (a message is grouped once), so a silence extended meanwhile, or a release that
     * falls outside working hours, holds it again until then.
     */
    private void releaseDueHolds() throws SQLException {
        Instant now = time.now();
        RoutingRules rules = routing.current().rules();
        List<Delivery> due = ledger.dueHolds(now, rules.escalationMaxAge());
        if (due.isEmpty()) {
            return;
        }
        Set<String> routes = rules.routes().stream().map(Route::name).collect(Collectors.toSet());
        List<DeliveryLedger.Silence> silences = ledger.activeSilences(now);
        List<Delivery> heldAgain = new ArrayList<>();
        int released = 0;
        for (Delivery d : due) {
            if (dispatcher.isWaiting(d.alert.alertId(), d.route)) {
                continue;
            }
            if (!routes.contains(d.route)) {
                LOG.warn("Held {} for route {}, which the routing file no longer has: left held", d.alert.alertId(),
                        d.route);
                continue;
            }
            Optional<PostingGate.Hold> hold = gate.holdOf(d.alert, d.route, now, rules, silences, List.of());
            if (hold.isPresent() && hold.get().until().isAfter(now)) {
                PostingGate.Hold h = hold.get();
                if (!h.until().equals(d.heldUntil) || !h.reason().equals(d.heldReason)) {
                    heldAgain.add(d.hold(h.status(), h.reason(), h.until(), h.detail()));
                }
            } else {
                dispatcher.enqueue(d);
                released++;
            }
        }
        ledger.write(heldAgain);
        if (released > 0 || !heldAgain.isEmpty()) {
            LOG.info("Posting {} held message(s) whose hold ended ({} held again)", released, heldAgain.size());
        }
    }

    /**
     * Commits, per partition, up to the first record with a delivery still waiting (a restart reads it again; the
     * ledger skips what was settled), or past the last record read.
     */
    private void commitSettled() {
        Map<TopicPartition, Long> upTo = new HashMap<>(readTo);
        for (Delivery d : dispatcher.waiting()) {
            if (!d.released) { // a released hold is in the ledger, not behind an uncommitted record
                upTo.merge(new TopicPartition(d.topic, d.partition), d.offset, Math::min);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        upTo.forEach((tp, offset) -> {
            if (!offset.equals(committed.get(tp))) {
                out.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (!out.isEmpty()) {
            consumer.commitSync(out);
            out.forEach((tp, o) -> committed.put(tp, o.offset()));
        }
    }

    /** A backlog of notifier.max-batch deliveries stops reading alerts (acks still flow) until robots catch up. */
    private void pauseWhileBacklogIsFull() {
        if (dispatcher.waiting().size() >= config.maxBatch) {
            consumer.pause(consumer.assignment().stream().filter(tp -> tp.topic().equals(config.topicAlerts)).toList());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** Nothing new was read and robots wait: let time run towards the next possible post, in short steps. */
    private void waitForRobots() throws InterruptedException {
        Optional<Duration> next = dispatcher.nextSendIn();
        if (next.isPresent() && next.get().compareTo(Duration.ZERO) > 0) {
            time.sleep(next.get().compareTo(WAIT_STEP) < 0 ? next.get() : WAIT_STEP);
        }
    }

    private static Properties consumerProperties(NotifierConfig c) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafkaBootstrap);
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, c.groupId);
        // Only alerts of committed transactions (the monitor writes sales.alerts exactly once).
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(c.maxBatch));
        // A round may wait for rate tokens and retries: allow it before the group evicts us.
        p.setProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "1800000");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Properties producerProperties(NotifierConfig c) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafkaBootstrap);
        // Idempotent: a retried send never duplicates; escalation and ack ids make app-level repeats harmless.
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Stops reading (nothing uncommitted is lost: it is read again), then the ack endpoint. */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        consumer.wakeup();
        thread.join(30_000);
        ackServer.close();
        producer.close(Duration.ofSeconds(5));
        ledger.close();
        ackLedger.close();
        pageStore.close();
    }
}

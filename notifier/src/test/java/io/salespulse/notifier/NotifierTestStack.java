package io.salespulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.routing.RoutingFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka broker + ClickHouse engine with the migrations, and helpers to run the notifier against them. */
final class NotifierTestStack implements AutoCloseable {
    /** The tests' notifier.link-secret. */
    static final String LINK_SECRET = "test-link-secret-0123456789-abcdefghij";

    final Path dir;
    /** Replaced by {@link #startKafkaAgain()} after {@link #stopKafka()}: same log directory, same port. */
    LocalKafka kafka;
    /** Replaced by {@link #startClickHouseAgain()} after {@link #stopClickHouse()}: same data, same port. */
    LocalClickHouse clickHouse;

    private NotifierTestStack(Path dir, LocalKafka kafka, LocalClickHouse clickHouse) {
        this.dir = dir;
        this.kafka = kafka;
        this.clickHouse = clickHouse;
    }

    static NotifierTestStack start(Path dir) throws Exception {
        LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
        LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
        NotifierTestStack stack = new NotifierTestStack(dir, kafka, clickHouse);
        stack.migrate();
        return stack;
    }

    /**
     * Settings for one test: its own topics and consumer group, the stub as WeCom, fast retries. The policies
     * topic is the test's own and is not created here: without it the notifier runs with no policies.
     */
    NotifierConfig config(String run, java.net.URI wecomUrl, Path routes, Map<NotifierSetting, String> overrides)
            throws Exception {
        kafka.createTopics(1, "alerts-" + run, "acks-" + run);
        Map<NotifierSetting, String> s = new EnumMap<>(NotifierSetting.class);
        s.put(NotifierSetting.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        s.put(NotifierSetting.TOPIC_ALERTS, "alerts-" + run);
        s.put(NotifierSetting.TOPIC_ACKS, "acks-" + run);
        s.put(NotifierSetting.TOPIC_POLICIES, "policies-" + run);
        s.put(NotifierSetting.CLICKHOUSE_URL, clickHouse.jdbcUrl());
        s.put(NotifierSetting.GROUP_ID, "notifier-" + run);
        s.put(NotifierSetting.ROUTES, routes.toString());
        s.put(NotifierSetting.WECOM_URL, wecomUrl.toString());
        // The alert page accepts POSTs from its base URL's origin only: listen where the links point.
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        s.put(NotifierSetting.ACK_PORT, Integer.toString(port));
        s.put(NotifierSetting.ACK_BASE_URL, "http://127.0.0.1:" + port);
        s.put(NotifierSetting.LINK_SECRET, LINK_SECRET);
        s.put(NotifierSetting.RETRY_BASE, "100ms");
        s.put(NotifierSetting.RETRY_MAX, "2s");
        s.put(NotifierSetting.REQUEST_TIMEOUT, "2s");
        s.putAll(overrides);
        return NotifierConfig.load(s, Map.of());
    }

    /**
     * Applies the repository's sql/ files in order (one statement each, comments stripped). The
     * pipeline's Migrator does the same with a ledger; this module does not depend on the Flink job.
     */
    private void migrate() throws Exception {
        Path sql = Path.of(NotifierTestStack.class.getResource("/sql/001_create_database.sql").toURI()).getParent();
        List<Path> files;
        try (var list = Files.list(sql)) {
            files = list.filter(f -> f.getFileName().toString().matches("\\d{3}_.*\\.sql")).sorted().toList();
        }
        for (Path f : files) {
            StringBuilder statement = new StringBuilder();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.strip().startsWith("--")) {
                    statement.append(line).append('\n');
                }
            }
            execute(statement.toString().strip().replaceAll(";$", ""));
        }
    }

    Path writeRoutes(String name, String yaml) throws Exception {
        Path p = dir.resolve(name + "-routes.yaml");
        Files.writeString(p, yaml, StandardCharsets.UTF_8);
        return p;
    }

    static RoutingFile routing(Path routes, Map<String, String> env) {
        return RoutingFile.load(routes, null, env);
    }

    static NotifierAlert alert(String id, String severity, String region, String team, Instant firedAt) {
        return new NotifierAlert(id, "stage_overdue", severity, "weijiang", region, team, "r-007", "c-" + id.hashCode(),
                "needs", firedAt, firedAt, "【客户待激活】客户 " + id + " 「需求确认」后超时未推进",
                "销售 r-007 负责的客户提交了「需求确认」卡，已超时未提交「方案呈现」卡。", "建议今天再次拜访。", 0, id);
    }

    void produce(String topic, List<NotifierAlert> alerts, Instant emittedAt) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        // Not idempotent: on a busy machine a first produce can meet a metadata error, and the idempotent
        // producer's sequence check then retried forever. A resent alert is what the notifier de-duplicates anyway.
        p.setProperty("enable.idempotence", "false");
        p.setProperty("max.in.flight.requests.per.connection", "1");
        p.setProperty("acks", "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (NotifierAlert a : alerts) {
                producer.send(new ProducerRecord<>(topic, a.alertId(), a.toJson(emittedAt)));
            }
            producer.flush();
        }
    }

    /** Publishes a policy document ({@code json} null: a tombstone) keyed by its scope. */
    void publishPolicy(String topic, String scope, String json) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, scope, json == null ? null : json.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    List<String> query(String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection(clickHouse.jdbcUrl(), p);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= cols; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
            return out;
        }
    }

    void execute(String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection(clickHouse.jdbcUrl(), p); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                assertThat(done.getAsBoolean()).as(what + " within " + timeout.toSeconds() + " s").isTrue();
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the ledger holds the alert as delivered: escalation counts from delivered_at, so a test with a
     * manual clock must not move the clock before the notifier wrote it.
     */
    void awaitDelivered(String alertId) throws InterruptedException {
        await(alertId + " delivered in the ledger", Duration.ofSeconds(30), () -> count("SELECT count() FROM"
                + " salespulse.alert_deliveries FINAL WHERE alert_id = '" + alertId + "' AND status = 'delivered'") > 0);
    }

    long count(String sql) {
        try {
            return Long.parseLong(query(sql).get(0));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the broker (an outage); {@link #startKafkaAgain()} brings it back with its topics and offsets. */
    void stopKafka() {
        kafka.close();
    }

    void startKafkaAgain() throws Exception {
        int port = Integer.parseInt(kafka.bootstrapServers().replaceAll(".*:", ""));
        kafka = LocalKafka.start(kafka.logDir(), port);
    }

    /** Stops the ClickHouse engine (an outage); {@link #startClickHouseAgain()} brings it back with its data. */
    void stopClickHouse() {
        clickHouse.close();
    }

    void startClickHouseAgain() throws Exception {
        clickHouse = LocalClickHouse.start(clickHouse.dataDir(), clickHouse.port());
    }

    /** A GET on the notifier's ack port: status and body. */
    static java.net.http.HttpResponse<String> get(int port, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** A link to the alert page on {@code port}, signed with the tests' secret, as a message would carry it. */
    static String pageLink(int port, String alertId, String recipient, Instant now) {
        return new io.salespulse.notifier.page.AlertLinks(LINK_SECRET, "http://127.0.0.1:" + port, Duration.ofDays(7))
                .url(alertId, recipient, now).replaceFirst("^http://127\\.0\\.0\\.1:\\d+", "");
    }

    /**
     * What a person does on the alert page, over plain HTTP: GET the signed link (keeping the cookie), then POST the
     * page's form with {@code action} from the page's origin. Returns the POST's answer (JSON).
     */
    static java.net.http.HttpResponse<String> actOnPage(int port, String alertId, String recipient, String action)
            throws Exception {
        return actOnPage(port, alertId, recipient, action, Instant.now());
    }

    /** As above, the link signed at {@code now} (the notifier's clock in tests with a manual clock). */
    static java.net.http.HttpResponse<String> actOnPage(int port, String alertId, String recipient, String action,
            Instant now) throws Exception {
        java.net.CookieManager cookies = new java.net.CookieManager();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().cookieHandler(cookies).build();
        String origin = "http://127.0.0.1:" + port;
        java.net.http.HttpResponse<String> page = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(origin + pageLink(port, alertId, recipient, now))).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200) {
            return page;
        }
        StringBuilder form = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<input type=\"hidden\" name=\"([a-z]+)\" value=\"([^\"]*)\">")
                .matcher(page.body());
        while (m.find()) {
            form.append(m.group(1)).append('=').append(java.net.URLEncoder.encode(
                    m.group(2).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
                            .replace("&amp;", "&"), StandardCharsets.UTF_8)).append('&');
        }
        form.append("action=").append(action).append("&snooze_for=4h");
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin + "/alert"))
                .timeout(Duration.ofSeconds(10)).header("Origin", origin).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        clickHouse.close();
        kafka.close();
    }
}

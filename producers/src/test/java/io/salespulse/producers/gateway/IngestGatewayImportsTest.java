package io.salespulse.producers.gateway;

import static io.salespulse.producers.gateway.GatewayClient.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayClient.Reply;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History-import sessions through the gateway and a real broker: what lands on sales.imports, and what does not. */
class IngestGatewayImportsTest {
    private static final String TOKEN = "tok-weijiang-imports-5e1d";
    private static final String OTHER_TOKEN = "tok-other-imports-c0a9";
    private static final Duration TIMEOUT = Duration.ofMinutes(6);

    @TempDir
    static Path tmp;

    private static LocalKafka kafka;
    private static IngestGateway gateway;
    private static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.start("gateway-imports-capture");

        kafka = LocalKafka.start(tmp.resolve("kafka"));
        kafka.createTopics(3, Topics.IMPORTS);
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN, "other", OTHER_TOKEN)))
                .importTimeout(TIMEOUT).build();
        gateway = IngestGateway.start(config);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        logs.close();
    }

    @Test
    void openingWithoutAnIdAssignsOneAndWritesAnOpenSession() throws Exception {
        long before = System.currentTimeMillis();
        Reply r = post(gateway, "/v1/imports", TOKEN, "");
        long after = System.currentTimeMillis();

        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("import_id").asText();
        assertThat(id).matches("imp-\\d{8}-\\d{6}-[a-z2-7]{6}");
        long expires = Instant.parse(r.json().get("expires_at").asText()).toEpochMilli();
        long renewBefore = Instant.parse(r.json().get("renew_before").asText()).toEpochMilli();
        assertThat(expires).isBetween(before + TIMEOUT.toMillis(), after + TIMEOUT.toMillis());
        assertThat(expires - renewBefore).isEqualTo(TIMEOUT.toMillis() * 2 / 3);

        List<ImportSession> sessions = sessions("weijiang/" + id);
        assertThat(sessions).hasSize(1);
        ImportSession s = sessions.get(0);
        assertThat(s.status()).isEqualTo(ImportSession.Status.OPEN);
        assertThat(s.tenant()).isEqualTo("weijiang");
        assertThat(s.expiresAt()).isEqualTo(expires);
        assertThat(s.description()).isEmpty();
    }

    @Test
    void postingTheSameIdAgainRenewsTheSession() throws Exception {
        long renewedBefore = metric("salespulse_gateway_imports_total{action=\"renewed\"}");
        String body = "{\"import_id\":\"crm-2026-01\",\"description\":\"CRM export, January\"}";

        Reply first = post(gateway, "/v1/imports", TOKEN, body);
        Reply second = post(gateway, "/v1/imports", TOKEN, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("import_id").asText()).isEqualTo("crm-2026-01");
        List<ImportSession> sessions = sessions("weijiang/crm-2026-01");
        assertThat(sessions).extracting(ImportSession::status).containsExactly(ImportSession.Status.OPEN,
                ImportSession.Status.OPEN);
        assertThat(sessions).extracting(ImportSession::description).containsOnly("CRM export, January");
        assertThat(sessions.get(1).expiresAt()).isGreaterThanOrEqualTo(sessions.get(0).expiresAt())
                .isEqualTo(Instant.parse(second.json().get("expires_at").asText()).toEpochMilli());
        assertThat(metric("salespulse_gateway_imports_total{action=\"renewed\"}")).isEqualTo(renewedBefore + 1);
    }

    @Test
    void completingWritesTheCountsAndEndsTheSession() throws Exception {
        long completedBefore = metric("salespulse_gateway_imports_total{action=\"completed\"}");
        assertThat(post(gateway, "/v1/imports", TOKEN, "{\"import_id\":\"xls.2025\"}").status()).isEqualTo(201);

        long before = System.currentTimeMillis();
        Reply r = post(gateway, "/v1/imports/xls.2025/complete", TOKEN, "{\"cards\":3,\"visits\":2,\"acks\":0}");
        long after = System.currentTimeMillis();

        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().get("import_id").asText()).isEqualTo("xls.2025");
        assertThat(r.json().get("status").asText()).isEqualTo("complete");
        List<ImportSession> sessions = sessions("weijiang/xls.2025");
        assertThat(sessions).hasSize(2);
        ImportSession done = sessions.get(1);
        assertThat(done.status()).isEqualTo(ImportSession.Status.COMPLETE);
        assertThat(List.of(done.cards(), done.visits(), done.acks())).containsExactly(3L, 2L, 0L);
        assertThat(done.expiresAt()).isBetween(before, after);
        assertThat(metric("salespulse_gateway_imports_total{action=\"completed\"}")).isEqualTo(completedBefore + 1);
        assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("event=import_completed").contains("tenant=weijiang")
                .contains("import_id=xls.2025").contains("cards=3"));
    }

    @Test
    void badBodiesAndIdsAre400AndWriteNothing() throws Exception {
        assertError(post(gateway, "/v1/imports", TOKEN, "{not json"), 400, null, "not_json");
        assertError(post(gateway, "/v1/imports", TOKEN, "[\"bad-body\"]"), 400, null, "not_object");
        assertError(post(gateway, "/v1/imports", TOKEN, "{\"import_id\":\"bad id!\"}"), 400, "import_id", "bad_import_id");
        assertError(post(gateway, "/v1/imports", TOKEN, "{\"import_id\":7}"), 400, "import_id", "bad_import_id");
        assertError(post(gateway, "/v1/imports", TOKEN, "{\"import_id\":\"bad-description\",\"description\":42}"), 400,
                "description", "wrong_type");
        assertError(post(gateway, "/v1/imports/bad%20id/complete", TOKEN, "{\"cards\":0,\"visits\":0,\"acks\":0}"), 400,
                "import_id", "bad_import_id");
        assertError(post(gateway, "/v1/imports/bad-counts/complete", TOKEN, ""), 400, null, "not_object");

        Reply counts = post(gateway, "/v1/imports/bad-counts/complete", TOKEN, "{\"cards\":-1,\"visits\":1.5}");
        assertThat(counts.status()).isEqualTo(400);
        JsonNode errors = counts.json().get("errors");
        assertThat(errors).hasSize(3);
        assertThat(List.of(errors.get(0).get("field").asText(), errors.get(0).get("code").asText()))
                .containsExactly("cards", "wrong_type");
        assertThat(List.of(errors.get(1).get("field").asText(), errors.get(1).get("code").asText()))
                .containsExactly("visits", "wrong_type");
        assertThat(List.of(errors.get(2).get("field").asText(), errors.get(2).get("code").asText()))
                .containsExactly("acks", "missing_field");

        assertThat(kafka.readAll(Topics.IMPORTS)).noneSatisfy(rec -> assertThat(key(rec))
                .isIn("weijiang/bad-description", "weijiang/bad-counts"));
    }

    @Test
    void unknownPathsMethodsAndTokens() throws Exception {
        for (String path : List.of("/v1/imports/crm-1", "/v1/imports/crm-1/done", "/v1/imports/crm-1/complete/x",
                "/v1/importsX")) {
            assertError(post(gateway, path, TOKEN, "{}"), 404, null, "not_found");
        }
        assertThat(GatewayClient.get(gateway, "/v1/imports").status()).isEqualTo(405);
        assertError(post(gateway, "/v1/imports", null, "{}"), 401, null, "missing_token");
        assertError(post(gateway, "/v1/imports/crm-1/complete", TOKEN + "x", "{\"cards\":0,\"visits\":0,\"acks\":0}"),
                401, null, "bad_token");
    }

    @Test
    void theSessionBelongsToTheTokensTenant() throws Exception {
        assertThat(post(gateway, "/v1/imports", OTHER_TOKEN, "{\"import_id\":\"shared-name\"}").status()).isEqualTo(201);
        assertThat(post(gateway, "/v1/imports/shared-name/complete", OTHER_TOKEN, "{\"cards\":1,\"visits\":0,\"acks\":0}")
                .status()).isEqualTo(202);

        assertThat(sessions("other/shared-name")).extracting(ImportSession::tenant).containsExactly("other", "other");
        assertThat(sessions("weijiang/shared-name")).isEmpty();
        assertThat(String.join("\n", logs.lines())).contains("event=import_opened tenant=other import_id=shared-name")
                .doesNotContain(TOKEN).doesNotContain(OTHER_TOKEN);
    }

    @Test
    void kafkaDownMeans503WithRetryAfter() throws Exception {
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap("127.0.0.1:" + deadPort)
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN))).publishTimeout(Duration.ofSeconds(1))
                .retryAfter(Duration.ofSeconds(4)).build();
        try (IngestGateway down = IngestGateway.start(config)) {
            Reply open = post(down, "/v1/imports", TOKEN, "{\"import_id\":\"during-outage\"}");
            Reply complete = post(down, "/v1/imports/during-outage/complete", TOKEN, "{\"cards\":0,\"visits\":0,\"acks\":0}");

            for (Reply r : List.of(open, complete)) {
                assertError(r, 503, null, "kafka_unavailable");
                assertThat(r.response().headers().firstValue("Retry-After")).hasValue("4");
            }
            String metrics = GatewayClient.get(down, "/metrics").body();
            assertThat(metrics).doesNotContain("salespulse_gateway_imports_total{")
                    .contains("salespulse_gateway_requests_total{endpoint=\"/v1/imports\",status=\"503\"} 1")
                    .contains("salespulse_gateway_requests_total{endpoint=\"/v1/imports/{id}/complete\",status=\"503\"} 1");
        }
    }

    private static List<ImportSession> sessions(String key) throws Exception {
        return ImportTopic.sessions(kafka, key);
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static long metric(String series) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)$")
                .matcher(GatewayClient.get(gateway, "/metrics").body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void assertError(Reply r, int status, String field, String code) throws Exception {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        JsonNode error = r.json().at("/errors/0");
        assertThat(error.get("code").asText()).as("code of %s", r.body()).isEqualTo(code);
        if (field == null) {
            assertThat(error.get("field").isNull()).as("field of %s", r.body()).isTrue();
        } else {
            assertThat(error.get("field").asText()).as("field of %s", r.body()).isEqualTo(field);
        }
    }
}

package io.salespulse.producers.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.localstack.LocalKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** HTTP calls, test events and a Kafka reader for the gateway tests. */
final class GatewayClient {
    record Reply(int status, String body, HttpResponse<String> response) {
        JsonNode json() throws Exception {
            return Json.MAPPER.readTree(body);
        }
    }

    /**
     * One client per gateway: a client shared by every test kept its pooled connections to a gateway that a test had
     * stopped, and when the next test's gateway got the same port, a request went out on such a dead connection
     * ("HTTP/1.1 header parser received no bytes").
     */
    private static final Map<IngestGateway, HttpClient> CLIENTS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static HttpClient client(IngestGateway g) {
        return CLIENTS.computeIfAbsent(g, k -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    private GatewayClient() {}

    static Path tokensFile(Path dir, Map<String, String> tenantToToken) throws Exception {
        ObjectNode tenants = Json.MAPPER.createObjectNode();
        tenantToToken.forEach((tenant, token) -> tenants.putArray(tenant).add(TenantTokens.hashHex(token)));
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("tenants", tenants);
        Path file = dir.resolve("tokens.json");
        Files.write(file, Json.bytes(root));
        return file;
    }

    static Reply post(IngestGateway g, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = client(g).send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    static Reply get(IngestGateway g, String path) throws Exception {
        HttpResponse<String> r = client(g).send(HttpRequest.newBuilder(URI.create(g.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    /** An hour ago in Hangzhou: valid against any receive time. */
    static String recently() {
        return OffsetDateTime.now(ZoneOffset.ofHours(8)).minusHours(1).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static ObjectNode stageCard(String tenant, String customer) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "s-" + UUID.randomUUID());
        n.put("tenant", tenant);
        n.put("occurred_at", recently());
        n.put("customer_id", customer);
        n.put("rep_id", "r-017");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        n.put("stage", "needs");
        n.put("need", "shelf-space");
        n.put("high_potential", true);
        n.put("deal_value", 12000.0);
        return n;
    }

    static ObjectNode visit(String tenant, String customer) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "v-" + UUID.randomUUID());
        n.put("tenant", tenant);
        n.put("occurred_at", recently());
        n.put("rep_id", "r-017");
        n.put("customer_id", customer);
        n.put("region", "hz-west");
        n.put("team", "t-3");
        n.put("channel", "store_scan");
        n.put("lat", 30.27);
        n.put("lon", 120.15);
        return n;
    }

    static ObjectNode ack(String tenant, String alertId) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "a-" + UUID.randomUUID());
        n.put("tenant", tenant);
        n.put("occurred_at", recently());
        n.put("alert_id", alertId);
        n.put("responder", "u-chen");
        n.put("action", "ack");
        return n;
    }

    static String array(JsonNode... events) {
        return Json.MAPPER.createArrayNode().addAll(List.of(events)).toString();
    }

    /** Every record of the topics by event_id (the latest record of an id wins). */
    static Map<String, ConsumerRecord<byte[], byte[]>> readByEventId(LocalKafka kafka, String... topics) throws Exception {
        Map<String, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topics)) {
            out.put(Json.MAPPER.readTree(r.value()).path("event_id").asText(), r);
        }
        return out;
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}

package io.salespulse.producers.gateway;

import static io.salespulse.producers.gateway.GatewayClient.ack;
import static io.salespulse.producers.gateway.GatewayClient.array;
import static io.salespulse.producers.gateway.GatewayClient.post;
import static io.salespulse.producers.gateway.GatewayClient.stageCard;
import static io.salespulse.producers.gateway.GatewayClient.text;
import static io.salespulse.producers.gateway.GatewayClient.visit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayClient.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway in front of a real broker: what is accepted lands in Kafka keyed; what is not, never does. */
class IngestGatewayTest {
    private static final String TOKEN = "tok-weijiang-" + "9f1c0e7a5b3d";
    private static final String OTHER_TOKEN = "tok-other-" + "77aa01bc";

    @TempDir
    static Path tmp;

    private static LocalKafka kafka;
    private static IngestGateway gateway;
    private static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.start("gateway-test-capture");

        kafka = LocalKafka.start(tmp.resolve("kafka"));
        kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS);
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN, "other", OTHER_TOKEN)))
                .maxBodyBytes(8 * 1024).maxBatchEvents(5).build();
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
    void singleEventsAndBatchesLandInKafkaKeyed() throws Exception {
        ObjectNode card = stageCard("weijiang", "c-00042");
        ObjectNode v1 = visit("weijiang", "c-00007");
        ObjectNode v2 = visit("weijiang", "c-00008");
        ObjectNode a = ack("weijiang", "stage_overdue:weijiang:c-00042:needs:2026-01-14T02:05:00Z");

        Reply single = post(gateway, "/v1/stages", TOKEN, card.toString());
        Reply batch = post(gateway, "/v1/visits", TOKEN, array(v1, v2));
        Reply acked = post(gateway, "/v1/acks", TOKEN, a.toString());

        assertThat(single.status()).isEqualTo(202);
        assertThat(single.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(batch.status()).isEqualTo(202);
        assertThat(batch.json().get("accepted").asInt()).isEqualTo(2);
        assertThat(acked.status()).isEqualTo(202);

        Map<String, ConsumerRecord<byte[], byte[]>> inKafka = GatewayClient.readByEventId(kafka,
                Topics.STAGES, Topics.VISITS, Topics.ACKS);
        assertRecord(inKafka, card, Topics.STAGES, "c-00042");
        assertRecord(inKafka, v1, Topics.VISITS, "c-00007");
        assertRecord(inKafka, v2, Topics.VISITS, "c-00008");
        assertRecord(inKafka, a, Topics.ACKS, "stage_overdue:weijiang:c-00042:needs:2026-01-14T02:05:00Z");
    }

    @Test
    void aRepeatedEventIdIsAcceptedAgain() throws Exception {
        String card = stageCard("weijiang", "c-00100").toString();
        assertThat(post(gateway, "/v1/stages", TOKEN, card).status()).isEqualTo(202);
        assertThat(post(gateway, "/v1/stages", TOKEN, card).status()).isEqualTo(202);
    }

    @Test
    void badEventsGetFieldLevelErrorsAndTheWholeBatchIsRefused() throws Exception {
        ObjectNode good = stageCard("weijiang", "c-00200");
        ObjectNode badTime = stageCard("weijiang", "c-00201").put("occurred_at", "2026-13-45T99:00");
        ObjectNode noCustomer = stageCard("weijiang", "c-00202");
        noCustomer.remove("customer_id");
        ObjectNode objectionWithoutTag = stageCard("weijiang", "c-00203").put("stage", "objection");
        ObjectNode wrongType = stageCard("weijiang", "c-00204").put("high_potential", "yes");

        Reply r = post(gateway, "/v1/stages", TOKEN, array(good, badTime, noCustomer, objectionWithoutTag, wrongType));

        assertThat(r.status()).isEqualTo(400);
        JsonNode errors = r.json().get("errors");
        assertThat(errors).hasSize(4);
        assertError(errors.get(0), 1, "occurred_at", "bad_timestamp");
        assertError(errors.get(1), 2, "customer_id", "missing_field");
        assertError(errors.get(2), 3, "objection_tag", "missing_field");
        assertError(errors.get(3), 4, "high_potential", "wrong_type");
        assertThat(errors.get(0).get("message").asText()).contains("2026-13-45T99:00");
        assertThat(r.json().get("accepted").asInt()).isZero();

        Map<String, ConsumerRecord<byte[], byte[]>> inKafka = GatewayClient.readByEventId(kafka,
                Topics.STAGES);
        assertThat(inKafka).doesNotContainKey(good.get("event_id").asText());
    }

    @Test
    void bodiesThatAreNotEventsAreRefused() throws Exception {
        Reply notJson = post(gateway, "/v1/visits", TOKEN, "<html>502 Bad Gateway</html>");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().at("/errors/0/code").asText()).isEqualTo("not_json");

        Reply scalar = post(gateway, "/v1/visits", TOKEN, "42");
        assertThat(scalar.status()).isEqualTo(400);
        assertThat(scalar.json().at("/errors/0/code").asText()).isEqualTo("not_object");

        Reply unknownChannel = post(gateway, "/v1/visits", TOKEN, visit("weijiang", "c-1").put("channel", "fax").toString());
        assertThat(unknownChannel.status()).isEqualTo(400);
        assertError(unknownChannel.json().at("/errors/0"), 0, "channel", "unknown_value");
    }

    @Test
    void missingOrUnknownTokensAre401() throws Exception {
        String card = stageCard("weijiang", "c-00300").toString();

        Reply none = post(gateway, "/v1/stages", null, card);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Bearer"));
        assertThat(none.json().at("/errors/0/code").asText()).isEqualTo("missing_token");

        Reply wrong = post(gateway, "/v1/stages", TOKEN + "x", card);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().at("/errors/0/code").asText()).isEqualTo("bad_token");
    }

    @Test
    void anEventOfAnotherTenantIs403() throws Exception {
        ObjectNode mine = stageCard("other", "c-00400");
        ObjectNode theirs = stageCard("weijiang", "c-00401");

        Reply r = post(gateway, "/v1/stages", OTHER_TOKEN, array(mine, theirs));

        assertThat(r.status()).isEqualTo(403);
        assertError(r.json().at("/errors/0"), 1, "tenant", "tenant_mismatch");
        assertThat(r.json().at("/errors/0/message").asText()).contains("'weijiang'").contains("'other'");
        Map<String, ConsumerRecord<byte[], byte[]>> inKafka = GatewayClient.readByEventId(kafka,
                Topics.STAGES);
        assertThat(inKafka).doesNotContainKeys(mine.get("event_id").asText(), theirs.get("event_id").asText());
    }

    @Test
    void oversizedBodiesAndBatchesAre413() throws Exception {
        ObjectNode big = stageCard("weijiang", "c-00500").put("need", "x".repeat(1900));
        Reply tooBig = post(gateway, "/v1/stages", TOKEN, array(big, big, big, big, big));
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.json().at("/errors/0/code").asText()).isEqualTo("body_too_large");

        ObjectNode[] six = new ObjectNode[6];
        for (int i = 0; i < six.length; i++) {
            six[i] = visit("weijiang", "c-0060" + i);
        }
        Reply tooMany = post(gateway, "/v1/visits", TOKEN, array(six));
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(tooMany.json().at("/errors/0/code").asText()).isEqualTo("batch_too_large");
        assertThat(tooMany.json().at("/errors/0/message").asText()).contains("at most 5");
    }

    @Test
    void healthAndMetricsAreServedAndTokensNeverReachTheLogs() throws Exception {
        post(gateway, "/v1/stages", TOKEN, stageCard("weijiang", "c-00700").toString());
        post(gateway, "/v1/stages", TOKEN + "-wrong", stageCard("weijiang", "c-00701").toString());
        post(gateway, "/v1/stages", OTHER_TOKEN, stageCard("weijiang", "c-00702").toString());
        post(gateway, "/v1/stages", TOKEN, "{broken");

        Reply health = GatewayClient.get(gateway, "/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");

        Reply metrics = GatewayClient.get(gateway, "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                h -> assertThat(h).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("salespulse_gateway_requests_total{endpoint=\"/v1/stages\",status=\"202\"}")
                .contains("salespulse_gateway_rejects_total{reason=\"bad_token\"}")
                .contains("salespulse_gateway_rejects_total{reason=\"tenant_mismatch\"}")
                .contains("salespulse_gateway_rejects_total{reason=\"not_json\"}")
                .contains("salespulse_gateway_publish_seconds_bucket{le=\"+Inf\"}")
                .contains("salespulse_gateway_publish_seconds_count")
                // Per tenant: the ops alert "no new cards during a tenant's working hours" sums by it.
                .contains("salespulse_gateway_events_accepted_total{endpoint=\"/v1/stages\",tenant=\"weijiang\"}");
        // Every gateway metric the Prometheus alert rules (deploy/prometheus/rules) use is served, under that name.
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("\\b(salespulse_gateway_[a-z0-9_]+)\\{endpoint=\"([^\"]+)\"")
                .matcher(java.nio.file.Files.readString(Path.of("..", "deploy", "prometheus", "rules", "salespulse.yml")));
        int checked = 0;
        while (named.find()) {
            assertThat(metrics.body()).as("rule metric " + named.group(1)).contains(named.group(1) + "{endpoint=\""
                    + named.group(2) + "\",tenant=\"weijiang\"}");
            checked++;
        }
        assertThat(checked).as("gateway metrics the alert rules use").isPositive();

        assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("event=rejected").contains("reason=bad_token"));
        assertThat(logs.lines()).anySatisfy(l -> assertThat(l).contains("event=gateway_started"));
        assertThat(String.join("\n", logs.lines())).doesNotContain(TOKEN).doesNotContain(OTHER_TOKEN)
                .doesNotContain(TenantTokens.hashHex(TOKEN));
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertThat(post(gateway, "/v1/orders", TOKEN, "{}").status()).isEqualTo(404);
        assertThat(GatewayClient.get(gateway, "/v1/stages").status()).isEqualTo(405);
    }

    private static void assertRecord(Map<String, ConsumerRecord<byte[], byte[]>> inKafka, ObjectNode event, String topic,
            String key) throws Exception {
        ConsumerRecord<byte[], byte[]> r = inKafka.get(event.get("event_id").asText());
        assertThat(r).as("record of %s", event).isNotNull();
        assertThat(r.topic()).isEqualTo(topic);
        assertThat(text(r.key())).isEqualTo(key);
        assertThat(io.salespulse.contract.Json.MAPPER.readTree(r.value())).isEqualTo(event);
    }

    private static void assertError(JsonNode error, int index, String field, String code) {
        assertThat(error.get("index").asInt()).as("index of %s", error).isEqualTo(index);
        assertThat(error.get("field").asText()).as("field of %s", error).isEqualTo(field);
        assertThat(error.get("code").asText()).as("code of %s", error).isEqualTo(code);
    }
}

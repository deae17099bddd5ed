package io.salespulse.producers.gateway;

import static io.salespulse.producers.gateway.GatewayClient.array;
import static io.salespulse.producers.gateway.GatewayClient.post;
import static io.salespulse.producers.gateway.GatewayClient.recently;
import static io.salespulse.producers.gateway.GatewayClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayClient.Reply;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ERP's endpoints, {@code /v1/contracts}, {@code /v1/invoices}, {@code /v1/payments}, in front of a real broker:
 * each writes its kind to {@code sales.cash} keyed by contract_id, with the same token, batch and validation rules
 * as the field app's endpoints.
 */
class IngestGatewayCashTest {
    private static final String TOKEN = "tok-weijiang-" + "c4a5b1e2";
    private static final String OTHER_TOKEN = "tok-other-" + "0b9d7f31";

    @TempDir
    static Path tmp;

    private static LocalKafka kafka;
    private static IngestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(tmp.resolve("kafka"));
        kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.CASH);
        gateway = IngestGateway.start(GatewayConfig.builder().host("127.0.0.1").port(0)
                .kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN, "other", OTHER_TOKEN)))
                .maxBatchEvents(5).build());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void eachEndpointWritesItsKindToTheCashTopicKeyedByContract() throws Exception {
        ObjectNode contract = contract("ct-1");
        ObjectNode invoice = invoice("ct-1", "inv-1");
        ObjectNode payment1 = payment("ct-1", "inv-1", 5000);
        ObjectNode payment2 = payment("ct-1", "inv-1", 7000).put("kind", "payment"); // the right kind may be sent

        assertThat(post(gateway, "/v1/contracts", TOKEN, contract.toString()).status()).isEqualTo(202);
        assertThat(post(gateway, "/v1/invoices", TOKEN, invoice.toString()).status()).isEqualTo(202);
        Reply batch = post(gateway, "/v1/payments", TOKEN, array(payment1, payment2));
        assertThat(batch.status()).isEqualTo(202);
        assertThat(batch.json().get("accepted").asInt()).isEqualTo(2);

        Map<String, ConsumerRecord<byte[], byte[]>> inKafka = GatewayClient.readByEventId(kafka, Topics.CASH);
        assertRecord(inKafka, contract, "contract");
        assertRecord(inKafka, invoice, "invoice");
        assertRecord(inKafka, payment1, "payment");
        assertRecord(inKafka, payment2, "payment");
    }

    @Test
    void badRecordsGetFieldLevelErrorsAndNothingOfTheBatchIsWritten() throws Exception {
        ObjectNode good = payment("ct-2", "inv-2", 100);
        ObjectNode zero = payment("ct-2", "inv-2", 0);
        ObjectNode noInvoice = payment("ct-2", "inv-2", 100);
        noInvoice.remove("invoice_id");
        ObjectNode wrongKind = payment("ct-2", "inv-2", 100).put("kind", "invoice");

        Reply r = post(gateway, "/v1/payments", TOKEN, array(good, zero, noInvoice, wrongKind));

        assertThat(r.status()).isEqualTo(400);
        JsonNode errors = r.json().get("errors");
        assertThat(errors).hasSize(3);
        assertError(errors.get(0), 1, "amount", "out_of_range");
        assertError(errors.get(1), 2, "invoice_id", "missing_field");
        assertError(errors.get(2), 3, "kind", "unknown_value");
        assertThat(errors.get(2).get("message").asText()).contains("/v1/payments takes payment events");
        assertThat(GatewayClient.readByEventId(kafka, Topics.CASH)).doesNotContainKey(good.get("event_id").asText());

        ObjectNode early = invoice("ct-2", "inv-3").put("due_at", "2020-01-01T00:00:00+08:00");
        Reply dueBeforeIssue = post(gateway, "/v1/invoices", TOKEN, early.toString());
        assertThat(dueBeforeIssue.status()).isEqualTo(400);
        assertError(dueBeforeIssue.json().at("/errors/0"), 0, "due_at", "out_of_range");

        ObjectNode offSchedule = contract("ct-3");
        ((com.fasterxml.jackson.databind.node.ArrayNode) offSchedule.get("schedule")).remove(1);
        Reply schedule = post(gateway, "/v1/contracts", TOKEN, offSchedule.toString());
        assertThat(schedule.status()).isEqualTo(400);
        assertThat(schedule.json().at("/errors/0/message").asText()).contains("'schedule' sum to");
    }

    @Test
    void anotherTenantsTokenIs403AndARetryIsAcceptedAgain() throws Exception {
        String invoice = invoice("ct-4", "inv-4").toString();
        assertThat(post(gateway, "/v1/invoices", OTHER_TOKEN, invoice).status()).isEqualTo(403);
        assertThat(post(gateway, "/v1/invoices", null, invoice).status()).isEqualTo(401);
        assertThat(post(gateway, "/v1/invoices", TOKEN, invoice).status()).isEqualTo(202);
        assertThat(post(gateway, "/v1/invoices", TOKEN, invoice).status()).isEqualTo(202);
    }

    static ObjectNode contract(String contractId) {
        ObjectNode n = base(contractId);
        n.put("amount", 36000.0).put("terms_days", 45);
        String today = recently().substring(0, 10);
        String later = java.time.LocalDate.parse(today).plusDays(30).toString();
        n.putArray("schedule").add(Json.MAPPER.createObjectNode().put("invoice_on", today).put("amount", 12000.0))
                .add(Json.MAPPER.createObjectNode().put("invoice_on", later).put("amount", 24000.0));
        return n;
    }

    static ObjectNode invoice(String contractId, String invoiceId) {
        ObjectNode n = base(contractId);
        n.put("invoice_id", invoiceId).put("amount", 12000.0)
                .put("due_at", OffsetDateTime.parse(n.get("occurred_at").asText()).plusDays(45).toString());
        return n;
    }

    static ObjectNode payment(String contractId, String invoiceId, double amount) {
        return base(contractId).put("invoice_id", invoiceId).put("amount", amount);
    }

    private static ObjectNode base(String contractId) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", "k-" + UUID.randomUUID());
        n.put("tenant", "weijiang");
        n.put("occurred_at", recently());
        n.put("contract_id", contractId);
        n.put("customer_id", "c-00042");
        n.put("rep_id", "r-017");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        return n;
    }

    private static void assertRecord(Map<String, ConsumerRecord<byte[], byte[]>> inKafka, ObjectNode event, String kind)
            throws Exception {
        ConsumerRecord<byte[], byte[]> r = inKafka.get(event.get("event_id").asText());
        assertThat(r).as("record of %s", event).isNotNull();
        assertThat(r.topic()).isEqualTo(Topics.CASH);
        assertThat(text(r.key())).isEqualTo(event.get("contract_id").asText());
        ObjectNode expected = event.deepCopy().put("kind", kind);
        assertThat(Json.MAPPER.readTree(r.value())).isEqualTo(expected);
    }

    private static void assertError(JsonNode error, int index, String field, String code) {
        assertThat(error.get("index").asInt()).as("index of %s", error).isEqualTo(index);
        assertThat(error.get("field").asText()).as("field of %s", error).isEqualTo(field);
        assertThat(error.get("code").asText()).as("code of %s", error).isEqualTo(code);
    }
}

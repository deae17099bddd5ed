package io.salespulse.pipeline.receivables;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.pipeline.testing.History;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import io.salespulse.producers.simulator.GatewayEventSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lead to cash end to end: the ERP's records go through the real gateway (HTTP, the tenant's token, its arrival
 * stamps) into the real broker, the monitor job runs on a MiniCluster with RocksDB, and the results land in
 * sales.alerts (read_committed) and the real ClickHouse engine. Invoices are dated so that their due time plus the
 * default grace (3 days) has passed when they arrive: the job decides them at once.
 */
class ReceivablesEndToEndTest {
    private static final long D = Duration.ofDays(1).toMillis();
    /** Forty days ago, on a whole minute: issue time of every invoice below, due 30 days later. */
    private static final long T = Instant.now().minus(Duration.ofDays(40)).truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
    private static final long DUE = T + 30 * D;

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    static Path dir;
    static TestStack stack;
    static IngestGateway gateway;
    static GatewayEventSink erp;

    @BeforeAll
    static void start() throws Exception {
        stack = TestStack.start(dir);
        String token = TenantTokens.generateToken();
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"weijiang\":[\"" + TenantTokens.hashHex(token) + "\"]}}");
        gateway = IngestGateway.start(GatewayConfig.builder().host("127.0.0.1").port(0)
                .kafkaBootstrap(stack.kafka.bootstrapServers()).tokensFile(tokens).build());
        erp = new GatewayEventSink(gateway.url(), token, 50);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void overdueInvoicesAlertOnceRetriesAreHarmlessAndALateSyncedPaymentRetracts() throws Exception {
        JobClient job = stack.startJob(stack.config("cash", Map.of()));
        try {
            post(contract("ct-1", 48000, T));
            // inv-paid: paid in full before its due time -> no alert.
            post(invoice("inv-paid", 12000, T));
            post(payment("p-1", "inv-paid", 12000, DUE - 2 * D));
            // inv-unpaid: nothing paid -> one alert.
            post(invoice("inv-unpaid", 12000, T));
            // inv-partial: 5,000 of 12,000 paid in time -> alert for the rest.
            post(invoice("inv-partial", 12000, T));
            post(payment("p-2", "inv-partial", 5000, DUE - 1 * D));
            // inv-early-payment: the ERP exported the payment before the invoice -> it counts, no alert.
            post(payment("p-3", "inv-early-payment", 6000, T + D));
            post(invoice("inv-early-payment", 6000, T));
            // inv-late-sync: unpaid when decided; its payment (received before due) arrives later -> retraction.
            post(invoice("inv-late-sync", 6000, T));
            erp.flush();

            String unpaid = AlertIds.receivableOverdue("weijiang", "inv-unpaid");
            String partial = AlertIds.receivableOverdue("weijiang", "inv-partial");
            String lateSync = AlertIds.receivableOverdue("weijiang", "inv-late-sync");
            TopicReader.readUntil(stack.kafka.bootstrapServers(), "sales.alerts", Duration.ofSeconds(90),
                    v -> ids(v).containsAll(List.of(unpaid, partial, lateSync)));

            post(payment("p-4", "inv-late-sync", 6000, DUE - 3 * D));
            // Retries: the same invoice and the same payment again (an ERP re-export).
            post(invoice("inv-unpaid", 12000, T));
            post(payment("p-2", "inv-partial", 5000, DUE - 1 * D));
            erp.flush();
            // Bad records written to Kafka directly (the gateway would have refused them): dead letters.
            try (History h = stack.history()) {
                long now = System.currentTimeMillis();
                h.send(Topics.CASH, "ct-1", now, payment("bad-1", "inv-x", -5, T).put("kind", "payment").toString());
                h.send(Topics.CASH, "ct-1", now, invoice("bad-2", 100, T).put("kind", "invoice")
                        .put("due_at", History.iso(T - D)).toString());
                h.send(Topics.CASH, "ct-1", now, payment("bad-3", "inv-x", 5, T).put("kind", "refund").toString());
                ObjectNode offSchedule = contract("ct-bad", 1000, T).put("kind", "contract");
                offSchedule.putArray("schedule").add(Json.MAPPER.createObjectNode().put("invoice_on", "2026-01-01")
                        .put("amount", 10.0));
                h.send(Topics.CASH, "ct-bad", now, offSchedule.toString());
                h.flush();
            }

            String retraction = Alert.retractionId(lateSync);
            // After the retraction, read 3 s more so that a duplicated alert would be seen too.
            List<String> values = TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts", Duration.ofSeconds(60),
                    Duration.ofSeconds(3), v -> ids(v).contains(retraction));
            assertThat(ids(values)).containsExactlyInAnyOrder(unpaid, partial, lateSync, retraction);
            JsonNode partialAlert = values.stream().map(ReceivablesEndToEndTest::json)
                    .filter(a -> a.get("alert_id").asText().equals(partial)).findFirst().orElseThrow();
            assertThat(partialAlert.get("type").asText()).isEqualTo("receivable_overdue");
            assertThat(partialAlert.get("title").asText()).contains("未收 ¥7,000");
            assertThat(partialAlert.get("due_at").asText()).isEqualTo(Instant.ofEpochMilli(DUE + 3 * D).toString());
            assertThat(json(values.stream().filter(v -> v.contains("\"" + retraction + "\"")).findFirst().orElseThrow())
                    .get("retracts").asText()).isEqualTo(lateSync);

            stack.awaitValue("SELECT count() FROM salespulse.contracts FINAL", "1");
            stack.awaitValue("SELECT count() FROM salespulse.invoices FINAL", "5");
            stack.awaitValue("SELECT count() FROM salespulse.payments FINAL", "4");
            stack.awaitValue("SELECT count() FROM salespulse.alerts FINAL WHERE alert_id LIKE '%receivable_overdue%'", "4");
            stack.awaitValue("SELECT count() FROM salespulse.dead_letters FINAL WHERE topic = 'sales.cash'", "4");
            assertThat(stack.query("SELECT error_code FROM salespulse.dead_letters FINAL WHERE topic = 'sales.cash'"
                    + " ORDER BY error_code")).containsExactly("out_of_range", "out_of_range", "out_of_range",
                            "unknown_value");
            assertThat(stack.query("SELECT concat(toString(schedule_dates), ' ', toString(schedule_amounts), ' ',"
                    + " toString(terms_days)) FROM salespulse.contracts FINAL"))
                    .containsExactly("['" + History.iso(T).substring(0, 10) + "','2026-12-01'] [12000,36000] 45");
            assertThat(stack.query("SELECT toString(sum(amount)) FROM salespulse.payments FINAL")).containsExactly("29000");
        } finally {
            job.cancel().get();
        }
    }

    private static void post(ObjectNode record) throws Exception {
        erp.send(Topics.CASH, record.get("contract_id").asText(), Json.bytes(record), System.currentTimeMillis());
    }

    private static ObjectNode contract(String contractId, double amount, long signedAt) {
        ObjectNode n = base("k-" + contractId, "contract", contractId, signedAt);
        n.put("amount", amount).put("terms_days", 45);
        n.putArray("schedule")
                .add(Json.MAPPER.createObjectNode().put("invoice_on", History.iso(signedAt).substring(0, 10))
                        .put("amount", 12000.0))
                .add(Json.MAPPER.createObjectNode().put("invoice_on", "2026-12-01").put("amount", amount - 12000));
        return n;
    }

    private static ObjectNode invoice(String invoiceId, double amount, long issuedAt) {
        ObjectNode n = base("k-" + invoiceId, "invoice", "ct-1", issuedAt);
        return n.put("invoice_id", invoiceId).put("amount", amount).put("due_at", History.iso(issuedAt + 30 * D));
    }

    private static ObjectNode payment(String eventId, String invoiceId, double amount, long receivedAt) {
        return base(eventId, "payment", "ct-1", receivedAt).put("invoice_id", invoiceId).put("amount", amount);
    }

    private static ObjectNode base(String eventId, String kind, String contractId, long at) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("event_id", eventId);
        n.put("tenant", "weijiang");
        n.put("kind", kind);
        n.put("occurred_at", History.iso(at));
        n.put("contract_id", contractId);
        n.put("customer_id", "c-00042");
        n.put("rep_id", "r-017");
        n.put("region", "hz-west");
        n.put("team", "t-3");
        return n;
    }

    private static List<String> ids(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            out.add(json(v).get("alert_id").asText());
        }
        return out;
    }

    private static JsonNode json(String v) {
        try {
            return Json.MAPPER.readTree(v.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

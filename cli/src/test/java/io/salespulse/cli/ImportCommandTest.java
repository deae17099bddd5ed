package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `salespulse import` end to end: a JSON Lines and a CSV file with a few bad lines go through the real gateway into
 * the in-process broker as one import session.
 */
class ImportCommandTest {
    private static final String JSONL = String.join("\n",
            "# weijiang, hz-west: CRM export of January",
            "{\"kind\":\"card\",\"event_id\":\"s-100\",\"occurred_at\":\"2026-01-05T10:00:00+08:00\",\"customer_id\":\"c-1\","
                    + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"contact\"}",
            "",
            "{\"occurred_at\":\"2026-01-03T09:00:00+08:00\",\"rep_id\":\"r-017\",\"customer_id\":\"c-1\","
                    + "\"region\":\"hz-west\",\"team\":\"t-3\",\"channel\":\"store_scan\"}",
            "{\"event_id\":\"s-101\",\"occurred_at\":\"2026-01-06T10:00:00+08:00\",\"customer_id\":\"c-1\","
                    + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"needs\"}",
            "{\"event_id\":\"s-102\", \"occurred_at\": broken",
            "{\"kind\":\"card\",\"event_id\":\"s-100\",\"occurred_at\":\"2026-01-05T10:00:00+08:00\",\"customer_id\":\"c-1\","
                    + "\"rep_id\":\"r-017\",\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"contact\"}",
            "{\"occurred_at\":\"2026-01-08T16:30:00+08:00\",\"customer_id\":\"c-1\",\"rep_id\":\"r-017\","
                    + "\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"needs\",\"need\":\"weekly delivery\","
                    + "\"high_potential\":true,\"deal_value\":12000.0}");
    private static final String CSV = "\uFEFFkind,event_id,tenant,occurred_at,customer_id,rep_id,region,team,stage,need,"
            + "objection_tag,high_potential,deal_value,channel,lat,lon\r\n"
            + "card,,,2026-01-04T11:00:00+08:00,c-2,r-003,hz-west,t-3,contact,,,0,,,,\r\n"
            + "visit,v-200,weijiang,2026-01-04T10:30:00+08:00,c-2,r-003,hz-west,t-3,,,,,,store_scan,30.27,120.15\r\n"
            + "card,s-201,,2026-01-09T15:00:00+08:00,c-2,r-003,hz-west,t-3,objection,\"price, \"\"too high\"\"\","
            + "price_high,1,8000,,,\r\n"
            + "card,s-202,,last tuesday,c-2,r-003,hz-west,t-3,proposal,,,,,,,\r\n"
            + "card,s-203,other,2026-01-09T16:00:00+08:00,c-7,r-003,hz-west,t-3,contact,,,,,,,\r\n";

    @TempDir
    static Path tmp;

    private static LocalKafka kafka;
    private static IngestGateway gateway;
    private static Path tokenFile;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(tmp.resolve("kafka"));
        // One partition per topic, so the topic's order is the order of sending.
        ContractTopics.create(kafka, 1);
        String token = TenantTokens.generateToken();
        Path tokens = tmp.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"weijiang\":[\"" + TenantTokens.hashHex(token) + "\"]}}");
        tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        gateway = IngestGateway.start(GatewayConfig.builder().host("127.0.0.1").port(0)
                .kafkaBootstrap(kafka.bootstrapServers()).tokensFile(tokens).build());
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
    void aJsonLinesAndACsvFileBecomeOneCompleteImport() throws Exception {
        Path jsonl = write("cards.jsonl", JSONL);
        Path csv = write("crm.csv", CSV);

        CliRun run = importFiles("hist-jan", jsonl, csv);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Import hist-jan for tenant weijiang: complete.")
                .contains("11 read, 6 valid, 4 rejected, 1 duplicate")
                .contains("bad_timestamp 1, missing_field 1, not_json 1, tenant_mismatch 1")
                .contains(jsonl + ".rejected.jsonl").contains(csv + ".rejected.jsonl")
                .contains("accepted:     4 cards, 2 visits, 0 acks")
                .contains("2026-01-03T01:00:00Z .. 2026-01-09T07:00:00Z")
                .contains("4 record(s) were rejected and not sent")
                .contains("origin=history and not posted to WeCom");

        List<JsonNode> cards = sent(Topics.STAGES, "hist-jan");
        List<JsonNode> visits = sent(Topics.VISITS, "hist-jan");
        assertThat(cards).extracting(c -> c.get("customer_id").asText() + "/" + c.get("stage").asText())
                .containsExactly("c-2/contact", "c-1/contact", "c-1/needs", "c-2/objection");
        assertThat(visits).extracting(v -> v.get("customer_id").asText() + "/" + v.get("channel").asText())
                .containsExactly("c-1/store_scan", "c-2/store_scan");
        assertThat(cards).extracting(c -> c.get("event_id").asText()).contains("s-100", "s-201").doesNotHaveDuplicates()
                .allMatch(id -> id.matches("s-\\d+|imp-[0-9a-f]{20}"));
        for (List<JsonNode> topic : List.of(cards, visits)) {
            assertThat(topic).allSatisfy(e -> {
                assertThat(e.get("import_id").asText()).isEqualTo("hist-jan");
                assertThat(e.get("tenant").asText()).isEqualTo("weijiang");
                assertThat(e.has("kind")).isFalse();
            });
            assertThat(topic).extracting(e -> OffsetDateTime.parse(e.get("occurred_at").asText()).toInstant())
                    .isSorted();
        }
        JsonNode objection = cards.get(3);
        assertThat(objection.get("need").asText()).isEqualTo("price, \"too high\"");
        assertThat(objection.get("high_potential").booleanValue()).isTrue();
        assertThat(objection.get("deal_value").doubleValue()).isEqualTo(8000.0);
        assertThat(visits.get(1).get("lat").doubleValue()).isEqualTo(30.27);

        List<ImportSession> session = sessions("weijiang/hist-jan");
        assertThat(session.get(0).status()).isEqualTo(ImportSession.Status.OPEN);
        ImportSession complete = session.get(session.size() - 1);
        assertThat(complete.status()).isEqualTo(ImportSession.Status.COMPLETE);
        assertThat(List.of(complete.cards(), complete.visits(), complete.acks())).containsExactly(4L, 2L, 0L);
        assertThat(complete.description()).isEqualTo("CRM export, January");

        List<String> rejected = Files.readAllLines(Path.of(jsonl + ".rejected.jsonl"));
        assertThat(rejected).hasSize(2);
        assertThat(Json.MAPPER.readTree(rejected.get(0)).get("line").asInt()).isEqualTo(5);
        assertThat(Json.MAPPER.readTree(rejected.get(0)).get("code").asText()).isEqualTo("missing_field");
        assertThat(Json.MAPPER.readTree(rejected.get(1)).get("line").asInt()).isEqualTo(6);
        assertThat(Files.readAllLines(Path.of(csv + ".rejected.jsonl"))).hasSize(2);

        // The same files again, as another import: the same records carry the same event ids.
        CliRun again = importFiles("hist-jan-again", jsonl, csv);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(ids(sent(Topics.STAGES, "hist-jan-again"))).isEqualTo(ids(cards));
        assertThat(ids(sent(Topics.VISITS, "hist-jan-again"))).isEqualTo(ids(visits));
    }

    @Test
    void aDryRunSendsNothing() throws Exception {
        Path csv = write("dry.csv", CSV);

        CliRun run = CliRun.of("import", csv.toString(), "--tenant", "weijiang", "--import-id", "dry-1", "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Dry run of import dry-1 for tenant weijiang: nothing was sent.")
                .contains("would send:   2 cards, 1 visits, 0 acks");
        assertThat(sessions("weijiang/dry-1")).isEmpty();
        assertThat(sent(Topics.STAGES, "dry-1")).isEmpty();
        assertThat(Files.readAllLines(Path.of(csv + ".rejected.jsonl"))).hasSize(2);
    }

    @Test
    void nothingValidOrNoSessionIsAFailure() throws Exception {
        Path bad = write("bad.jsonl", "{broken\n{\"stage\":\"contact\"}\n");
        CliRun nothing = CliRun.of("import", bad.toString(), "--tenant", "weijiang", "--import-id", "none-valid",
                "--gateway-url", gateway.url(), "--token-file", tokenFile.toString());
        assertThat(nothing.exitCode()).isEqualTo(1);
        assertThat(nothing.out()).contains("no record is valid").contains("2 read, 0 valid, 2 rejected");
        assertThat(nothing.err()).contains("nothing was sent").doesNotContain("\tat ");
        assertThat(sessions("weijiang/none-valid")).isEmpty();

        Path wrongToken = write("wrong-token", "not-the-token");
        CliRun refused = CliRun.of("import", write("ok.csv", CSV).toString(), "--tenant", "weijiang", "--import-id",
                "refused", "--gateway-url", gateway.url(), "--token-file", wrongToken.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("401").contains("bad_token").contains("token");
        assertThat(sent(Topics.STAGES, "refused")).isEmpty();

        CliRun noToken = CliRun.of("import", bad.toString(), "--tenant", "weijiang", "--gateway-url", gateway.url(),
                "--token-file", tmp.resolve("missing-token").toString());
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(CliRun.of("import", bad.toString(), "--tenant", "weijiang", "--kind", "orders", "--dry-run").err())
                .contains("--kind");
        assertThat(CliRun.of("import", bad.toString(), "--tenant", "weijiang", "--import-id", "a b", "--dry-run").exitCode())
                .isEqualTo(2);
    }

    private static CliRun importFiles(String importId, Path... files) {
        List<String> args = new ArrayList<>(List.of("import"));
        for (Path f : files) {
            args.add(f.toString());
        }
        args.addAll(List.of("--tenant", "weijiang", "--import-id", importId, "--batch", "2", "--gateway-url",
                gateway.url(), "--token-file", tokenFile.toString(), "--description", "CRM export, January"));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static Path write(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** The events of one import on a topic, in topic order. */
    private static List<JsonNode> sent(String topic, String importId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            if (importId.equals(n.path("import_id").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<String> ids(List<JsonNode> events) {
        return events.stream().map(e -> e.get("event_id").asText()).toList();
    }

    private static List<ImportSession> sessions(String key) throws Exception {
        List<ImportSession> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.IMPORTS)) {
            String k = new String(r.key(), StandardCharsets.UTF_8);
            if (k.equals(key)) {
                out.add(ImportSession.parse(k, r.value(), r.timestamp()));
            }
        }
        return out;
    }
}

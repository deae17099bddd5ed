package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Json;
import io.salespulse.localstack.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/salespulse policy} as docs/policies.md shows it, against a real broker: set (flags and a file), get,
 * list, remove. Before, set and remove failed on every call (the producer's timeouts did not fit together), and no
 * test noticed.
 */
class PolicyCommandTest {
    @TempDir
    static Path dir;
    static LocalKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, "sales.policies");
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void setGetListAndRemoveAsDocumented() throws Exception {
        String k = kafka.bootstrapServers();
        CliRun set = CliRun.of("policy", "set", "weijiang/hz-west", "--sla-needs", "48h", "--holiday", "2026-10-01",
                "--working-day", "2026-09-27", "--kafka-bootstrap", k);
        assertThat(set.exitCode()).as(set.err()).isZero();

        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"sla\":{\"proposal\":\"96h\"},\"offline_grace\":\"30m\"}");
        CliRun fromFile = CliRun.of("policy", "set", "weijiang", "--file", file.toString(), "--kafka-bootstrap", k);
        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("sales.policies");
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("weijiang/hz-west", "weijiang");
        assertThat(Json.MAPPER.readTree(records.get(0).value()).at("/sla/needs").asText()).isEqualTo("48h");
        assertThat(Json.MAPPER.readTree(records.get(1).value()).get("offline_grace").asText()).isEqualTo("30m");

        CliRun get = CliRun.of("policy", "get", "weijiang/hz-west/t-3", "--kafka-bootstrap", k);
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(get.out()).contains("\"needs\" : \"2d\"").contains("\"proposal\" : \"4d\"")
                .contains("\"offline_grace\" : \"30m\"").contains("2026-10-01").contains("weijiang/hz-west");

        CliRun list = CliRun.of("policy", "list", "--kafka-bootstrap", k);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("weijiang/hz-west").contains("weijiang");

        CliRun remove = CliRun.of("policy", "remove", "weijiang/hz-west", "--kafka-bootstrap", k);
        assertThat(remove.exitCode()).as(remove.err()).isZero();
        records = kafka.readAll("sales.policies");
        assertThat(records).hasSize(3);
        assertThat(records.get(2).value()).as("a tombstone").isNull();
        assertThat(CliRun.of("policy", "list", "--kafka-bootstrap", k).out()).doesNotContain("weijiang/hz-west");
    }
}

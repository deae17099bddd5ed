package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.pipeline.testing.TopicReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario 6, upgrade. Every savepoint checked into pipeline/src/test/resources/savepoints/ (written by
 * {@link UpgradeSavepointWriter} from an earlier commit's job) must restore into the CURRENT job: operator
 * uids, state names, POJO layouts and serializers must still match (Flink refuses the restore otherwise:
 * an incompatible serializer, a renamed uid or state without --allowNonRestoredState), and the restored
 * state must mean the same: the five pending timers fire once each with the stage, severity, deal value,
 * objection and policy-shortened SLA they were armed with; the alert raised before the savepoint does not
 * fire again; the won customer stays forgotten.
 */
class UpgradeSavepointTest {
    static final Path SAVEPOINTS = Path.of("..", "pipeline", "src", "test", "resources", "savepoints");

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestStack.miniCluster();

    @TempDir
    Path dir;

    static List<String> savepoints() throws IOException {
        try (Stream<Path> s = Files.list(SAVEPOINTS)) {
            List<String> names = s.filter(p -> Files.exists(p.resolve("_metadata")))
                    .map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertThat(names).as("savepoints checked in under " + SAVEPOINTS).isNotEmpty();
            return names;
        }
    }

    @ParameterizedTest
    @MethodSource("savepoints")
    void checkedInSavepointRestoresIntoTheCurrentJobWithItsTimersAndState(String name) throws Exception {
        Path copy = dir.resolve("savepoint");
        copyTree(SAVEPOINTS.resolve(name), copy);
        try (TestStack stack = TestStack.start(dir, "sales.policies")) {
            UpgradeHistory history = UpgradeHistory.of(copy);
            JobClient job = FaultJobs.start(history.config(stack), copy.toString());
            try {
                List<String> expected = history.pendingAlerts();
                List<JsonNode> alerts = Counting.parse(TopicReader.read(stack.kafka.bootstrapServers(), "sales.alerts",
                        Duration.ofSeconds(60), Duration.ofSeconds(3),
                        v -> Counting.ids(Counting.parse(v)).containsAll(expected)));
                assertThat(alerts).extracting(a -> a.get("alert_id").asText())
                        .as("the timers pending in the savepoint fire, once each; nothing fired before fires again")
                        .containsExactlyInAnyOrderElementsOf(expected);
                Map<String, JsonNode> byCustomer = new TreeMap<>();
                alerts.forEach(a -> byCustomer.put(a.get("customer_id").asText(), a));
                assertThat(byCustomer.get("u-high").get("severity").asText()).isEqualTo("high");
                assertThat(byCustomer.get("u-high").get("message").asText()).contains("12,000");
                assertThat(byCustomer.get("u-objection").get("suggestion").asText()).contains("价格比竞品高");
                assertThat(byCustomer.get("u-policy").get("due_at").asText())
                        .as("due after the team policy's 24 h, kept in broadcast and keyed state")
                        .isEqualTo(Instant.ofEpochMilli(history.t0 + 83 * history.unit.toMillis()).toString());
                assertThat(byCustomer.get("u-policy").get("team").asText()).isEqualTo("t-9");
                assertThat(byCustomer.get("u-closing").get("stage").asText()).isEqualTo("closing");

                stack.awaitValue("SELECT count() FROM salespulse.alerts FINAL", "5");
                stack.awaitValue("SELECT arrayStringConcat(arraySort(groupArray(concat(customer_id, ' ', stage, '/', "
                        + "status))), ', ') FROM salespulse.customer_status FINAL",
                        "u-clock contact/overdue, u-closing closing/overdue, u-high needs/overdue, "
                                + "u-objection objection/overdue, u-policy needs/overdue");
                System.out.println("[faults] upgrade: savepoint " + name + " restored; pending alerts fired once each: "
                        + byCustomer.keySet());
            } finally {
                FaultJobs.cancelQuietly(job);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}

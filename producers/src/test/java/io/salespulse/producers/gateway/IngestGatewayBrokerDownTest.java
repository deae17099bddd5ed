package io.salespulse.producers.gateway;

import static io.salespulse.producers.gateway.GatewayClient.array;
import static io.salespulse.producers.gateway.GatewayClient.post;
import static io.salespulse.producers.gateway.GatewayClient.stageCard;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka goes away: the gateway says 503 with Retry-After, writes nothing, and recovers when Kafka is back. */
class IngestGatewayBrokerDownTest {
    private static final String TOKEN = "tok-weijiang-down-3c2b";

    @TempDir
    Path tmp;

    @Test
    void brokerDownMeans503WithRetryAfterAndNothingWritten() throws Exception {
        Path dir = tmp.resolve("kafka");
        LocalKafka kafka = LocalKafka.start(dir);
        int port = Integer.parseInt(kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
        kafka.createTopics(3, Topics.STAGES, Topics.VISITS, Topics.ACKS);
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN)))
                .publishTimeout(Duration.ofSeconds(2)).retryAfter(Duration.ofSeconds(7)).build();
        try (IngestGateway gateway = IngestGateway.start(config)) {
            assertThat(post(gateway, "/v1/stages", TOKEN, stageCard("weijiang", "c-1").toString()).status())
                    .isEqualTo(202);

            kafka.close();
            ObjectNode a = stageCard("weijiang", "c-2");
            ObjectNode b = stageCard("weijiang", "c-3");
            long started = System.nanoTime();
            Reply down = post(gateway, "/v1/stages", TOKEN, array(a, b));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(down.status()).isEqualTo(503);
            assertThat(down.response().headers().firstValue("Retry-After")).hasValue("7");
            assertThat(down.json().at("/errors/0/code").asText()).isEqualTo("kafka_unavailable");
            assertThat(tookMillis).as("bounded by the publish timeout, not hanging").isLessThan(15_000);
            assertThat(GatewayClient.get(gateway, "/healthz").status()).isEqualTo(503);

            kafka = LocalKafka.start(dir, port);
            // Healthy again as soon as the broker answers, before any request has been accepted.
            int health = 0;
            long healthy = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < healthy && (health = GatewayClient.get(gateway, "/healthz").status()) != 200) {
                Thread.sleep(500);
            }
            assertThat(health).as("/healthz after the broker is back, before the next request").isEqualTo(200);
            Map<String, ?> afterOutage = GatewayClient.readByEventId(kafka, Topics.STAGES);
            assertThat(afterOutage).hasSize(1).doesNotContainKeys(a.get("event_id").asText(), b.get("event_id").asText());

            // The client sends the same request again, as the 503 asked: now it is stored.
            Reply retried = null;
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                retried = post(gateway, "/v1/stages", TOKEN, array(a, b));
                if (retried.status() == 202) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(retried.status()).isEqualTo(202);
            assertThat(GatewayClient.readByEventId(kafka, Topics.STAGES))
                    .containsKeys(a.get("event_id").asText(), b.get("event_id").asText());
            assertThat(GatewayClient.get(gateway, "/healthz").status()).isEqualTo(200);
        } finally {
            kafka.close();
        }
    }
}

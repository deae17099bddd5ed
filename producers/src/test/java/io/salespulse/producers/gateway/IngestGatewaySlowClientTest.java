package io.salespulse.producers.gateway;

import static io.salespulse.producers.gateway.GatewayClient.post;
import static io.salespulse.producers.gateway.GatewayClient.stageCard;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that are slow on purpose (slowloris) or send too much, over raw sockets, against a gateway with a
 * one-second request timeout and only two request threads: slow heads and bodies are cut off in time, and
 * while they are open a valid request is still answered at once, because waiting for a client's bytes holds
 * no thread.
 */
class IngestGatewaySlowClientTest {
    private static final String TOKEN = "tok-weijiang-" + "slow-4d2e";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    static Path tmp;

    private static LocalKafka kafka;
    private static IngestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start(tmp.resolve("kafka"));
        kafka.createTopics(1, Topics.STAGES, Topics.VISITS, Topics.ACKS);
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN))).maxBodyBytes(8 * 1024)
                .threads(2).queueCapacity(0).requestTimeout(TIMEOUT).build();
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
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408AndTheConnectionCloses() throws Exception {
        try (Socket s = connect(gateway)) {
            long started = System.nanoTime();
            s.getOutputStream().write(head(TOKEN, "Content-Length: 1000").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write("[{".getBytes(StandardCharsets.US_ASCII));

            Answer a = answer(s);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(a.status()).isEqualTo(408);
            assertThat(a.json().at("/errors/0/code").asText()).isEqualTo("request_timeout");
            assertThat(a.closed()).as("connection closed after the answer").isTrue();
            assertThat(tookMillis).isBetween(TIMEOUT.toMillis() - 100, TIMEOUT.toMillis() + 2_000);
        }
    }

    @Test
    void aTrickledHeadIsCutWithinOneAndAHalfTimeoutsOfItsFirstByte() throws Exception {
        try (Socket s = connect(gateway)) {
            byte[] head = head(TOKEN, "Content-Length: 2").getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < head.length && !cut; i++) {
                try {
                    s.getOutputStream().write(head[i]);
                    s.getOutputStream().flush();
                    Thread.sleep(100);
                } catch (IOException e) {
                    cut = true;
                }
                if (!cut && s.getInputStream().available() == 0) {
                    cut = closedWithin(s, 1);
                }
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(cut).as("connection cut before the head was complete").isTrue();
            assertThat(tookMillis).isBetween(TIMEOUT.toMillis() - 100, TIMEOUT.toMillis() * 3 / 2 + 1_000);
        }
    }

    @Test
    void anIdleConnectionIsLeftToTheIdleTimeout() throws Exception {
        try (Socket s = connect(gateway)) {
            Thread.sleep(3 * TIMEOUT.toMillis());
            String card = stageCard("weijiang", "c-idle").toString();
            s.getOutputStream().write((head(TOKEN, "Content-Length: " + card.length()) + card)
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(answer(s).status()).isEqualTo(202);
        }
    }

    @Test
    void slowClientsBeyondTheRequestThreadsDoNotDelayOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = connect(gateway);
                String head = head(TOKEN, "Content-Length: 1000");
                // Half stop in the middle of the head, half after it, in the middle of the body.
                s.getOutputStream().write((i % 2 == 0 ? head.substring(0, 30) : head + "[")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            long started = System.nanoTime();
            assertThat(post(gateway, "/v1/stages", TOKEN, stageCard("weijiang", "c-busy").toString()).status())
                    .isEqualTo(202);
            assertThat((System.nanoTime() - started) / 1_000_000).as("ms for a valid request").isLessThan(TIMEOUT.toMillis());
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutContentLength() throws Exception {
        try (Socket s = connect(gateway)) {
            // Announced: answered from the head alone, no body byte sent.
            s.getOutputStream().write(head(TOKEN, "Content-Length: 9000").getBytes(StandardCharsets.US_ASCII));
            Answer a = answer(s);
            assertThat(a.status()).isEqualTo(413);
            assertThat(a.json().at("/errors/0/code").asText()).isEqualTo("body_too_large");
        }
        try (Socket s = connect(gateway)) {
            OutputStream out = s.getOutputStream();
            out.write(head(TOKEN, "Transfer-Encoding: chunked").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = " ".repeat(4096).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                out.write("1000\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            Answer a = answer(s);
            assertThat(a.status()).isEqualTo(413);
            assertThat(a.json().at("/errors/0/code").asText()).isEqualTo("body_too_large");
            assertThat(a.closed()).isTrue();
        }
    }

    @Test
    void aFullRequestQueueIs503WithRetryAfter() throws Exception {
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap("127.0.0.1:" + deadPort)
                .tokensFile(GatewayClient.tokensFile(tmp, Map.of("weijiang", TOKEN))).threads(1).queueCapacity(0)
                .publishTimeout(Duration.ofSeconds(2)).retryAfter(Duration.ofSeconds(3)).build();
        try (IngestGateway g = IngestGateway.start(config)) {
            // The only request thread waits for a broker that is not there.
            CompletableFuture<GatewayClient.Reply> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return post(g, "/v1/stages", TOKEN, stageCard("weijiang", "c-1").toString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);

            GatewayClient.Reply busy = post(g, "/v1/stages", TOKEN, stageCard("weijiang", "c-2").toString());

            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.response().headers().firstValue("Retry-After")).hasValue("3");
            assertThat(busy.json().at("/errors/0/code").asText()).isEqualTo("overloaded");
            assertThat(waiting.get().json().at("/errors/0/code").asText()).isEqualTo("kafka_unavailable");
            assertThat(GatewayClient.get(g, "/metrics").body()).contains("salespulse_gateway_rejects_total{reason=\"overloaded\"} 1");
        }
    }

    /** Status, body and whether the server closed the connection after it. */
    private record Answer(int status, String body, boolean closed) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    private static Socket connect(IngestGateway g) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", g.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String head(String token, String lengthHeader) {
        return "POST /v1/stages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\n" + lengthHeader + "\r\n\r\n";
    }

    /** Reads one answer with a Content-Length body, then waits briefly to see whether the server closes. */
    private static Answer answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        int length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), body, closedWithin(s, 2_000));
    }

    private static boolean closedWithin(Socket s, int millis) throws IOException {
        int before = s.getSoTimeout();
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            s.setSoTimeout(before);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}

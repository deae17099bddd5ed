package io.salespulse.faults;

import io.salespulse.contract.Topics;
import io.salespulse.pipeline.testing.TestStack;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import io.salespulse.producers.simulator.GatewayEventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real parts plus the real ingest gateway in front of the broker, with one token per tenant: data reaches the
 * jobs the way users send it (HTTP, batches, the gateway's arrival timestamps), never written straight into Kafka.
 */
final class GatewayStack implements AutoCloseable {
    final TestStack stack;
    final IngestGateway gateway;
    private final Map<String, String> tokens;

    private GatewayStack(TestStack stack, IngestGateway gateway, Map<String, String> tokens) {
        this.stack = stack;
        this.gateway = gateway;
        this.tokens = tokens;
    }

    static GatewayStack start(Path dir, String... tenants) throws Exception {
        TestStack stack = TestStack.start(dir);
        Map<String, String> tokens = new LinkedHashMap<>();
        StringBuilder file = new StringBuilder("{\"tenants\":{");
        for (String t : tenants) {
            String token = TenantTokens.generateToken();
            tokens.put(t, token);
            file.append(file.charAt(file.length() - 1) == '{' ? "" : ",").append('"').append(t).append("\":[\"")
                    .append(TenantTokens.hashHex(token)).append("\"]");
        }
        Path tokensFile = dir.resolve("tokens.json");
        Files.writeString(tokensFile, file.append("}}"));
        IngestGateway gateway = IngestGateway.start(GatewayConfig.builder().host("127.0.0.1").port(0)
                .kafkaBootstrap(stack.kafka.bootstrapServers()).tokensFile(tokensFile).build());
        return new GatewayStack(stack, gateway, tokens);
    }

    String token(String tenant) {
        return tokens.get(tenant);
    }

    /** A client of the tenant's app: batches of up to {@code batch} events per request, retried on 503. */
    GatewayEventSink app(String tenant, int batch) {
        return new GatewayEventSink(gateway.url(), tokens.get(tenant), batch);
    }

    /** Posts stage cards as one request per call (an app's upload), waiting for the gateway's 202. */
    void postCards(String tenant, List<String> cards) throws Exception {
        GatewayEventSink app = app(tenant, Math.max(1, cards.size()));
        for (String c : cards) {
            app.send(Topics.STAGES, null, c.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0);
        }
        app.flush();
    }

    @Override
    public void close() {
        gateway.close();
        stack.close();
    }
}

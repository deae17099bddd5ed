package io.salespulse.producers.importer;

import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.GatewayPoster;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the importer's tests send to: the in-process broker (one partition per topic, so a topic's order is the order
 * of sending) and the real gateway with a token for tenant weijiang.
 */
final class ImportGateway implements AutoCloseable {
    final LocalKafka kafka;
    final GatewayConfig config;
    final String token;
    private IngestGateway gateway;

    private ImportGateway(LocalKafka kafka, GatewayConfig config, String token) {
        this.kafka = kafka;
        this.config = config;
        this.token = token;
    }

    /** The broker and the gateway's settings; {@link #start} starts the gateway. */
    static ImportGateway prepare(Path dir, Duration importTimeout) throws Exception {
        LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
        kafka.createTopics(1, Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.IMPORTS);
        String token = TenantTokens.generateToken();
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"weijiang\":[\"" + TenantTokens.hashHex(token) + "\"]}}");
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(kafka.bootstrapServers())
                .tokensFile(tokens).importTimeout(importTimeout).build();
        return new ImportGateway(kafka, config, token);
    }

    ImportGateway start() throws Exception {
        gateway = IngestGateway.start(config);
        return this;
    }

    /** A client of the running gateway with the tenant's token. */
    GatewayPoster poster(int attempts) {
        return new GatewayPoster(gateway.url(), token, attempts);
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        kafka.close();
    }
}

package io.salespulse.cli;

import io.salespulse.contract.Durations;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayBenchmark;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The field app's ingest gateway (HTTP -> Kafka) in the foreground, plus its token and benchmark tools. */
@Command(name = "gateway",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Run the ingest gateway: POST /v1/stages, /v1/visits, /v1/acks (one event or a JSON array),",
            "POST /v1/imports and /v1/imports/{id}/complete (history-import sessions), GET /healthz, GET /metrics.",
            "Replies only after Kafka acknowledged what it wrote; Ctrl-C stops it."},
        subcommands = {GatewayCommand.HashToken.class, GatewayCommand.Bench.class})
final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "${env:SALESPULSE_GATEWAY_HOST:-0.0.0.0}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_HOST)")
    String host;

    @Option(names = "--port", defaultValue = "${env:SALESPULSE_GATEWAY_PORT:-8080}",
            description = "HTTP port (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_PORT)")
    int port;

    @Option(names = "--tokens-file", defaultValue = "${env:SALESPULSE_GATEWAY_TOKENS_FILE}",
            description = "JSON file of tenant -> SHA-256 token hashes (env SALESPULSE_GATEWAY_TOKENS_FILE); "
                    + "see `salespulse gateway hash-token`")
    Path tokensFile;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:SALESPULSE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}; env SALESPULSE_KAFKA_BOOTSTRAP)")
    String kafkaBootstrap;

    @Option(names = "--topic-stages", defaultValue = "${env:SALESPULSE_TOPIC_STAGES:-sales.stages}",
            description = "Topic of stage cards (default: ${DEFAULT-VALUE}; env SALESPULSE_TOPIC_STAGES)")
    String topicStages;

    @Option(names = "--topic-visits", defaultValue = "${env:SALESPULSE_TOPIC_VISITS:-sales.visits}",
            description = "Topic of visits (default: ${DEFAULT-VALUE}; env SALESPULSE_TOPIC_VISITS)")
    String topicVisits;

    @Option(names = "--topic-acks", defaultValue = "${env:SALESPULSE_TOPIC_ACKS:-sales.acks}",
            description = "Topic of alert acks (default: ${DEFAULT-VALUE}; env SALESPULSE_TOPIC_ACKS)")
    String topicAcks;

    @Option(names = "--topic-imports", defaultValue = "${env:SALESPULSE_TOPIC_IMPORTS:-sales.imports}",
            description = "Compacted topic of import sessions (default: ${DEFAULT-VALUE}; env SALESPULSE_TOPIC_IMPORTS)")
    String topicImports;

    @Option(names = "--max-body-bytes", defaultValue = "${env:SALESPULSE_GATEWAY_MAX_BODY_BYTES:-1048576}",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_MAX_BODY_BYTES)")
    int maxBodyBytes;

    @Option(names = "--max-batch-events", defaultValue = "${env:SALESPULSE_GATEWAY_MAX_BATCH_EVENTS:-500}",
            description = "Most events per request; more get 413 (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_MAX_BATCH_EVENTS)")
    int maxBatchEvents;

    @Option(names = "--threads", defaultValue = "${env:SALESPULSE_GATEWAY_THREADS:-32}",
            description = "Request threads (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_THREADS)")
    int threads;

    @Option(names = "--queue-capacity", defaultValue = "${env:SALESPULSE_GATEWAY_QUEUE_CAPACITY:-256}",
            description = "Requests waiting for a thread before the gateway stops accepting (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_QUEUE_CAPACITY)")
    int queueCapacity;

    @Option(names = "--publish-timeout", defaultValue = "${env:SALESPULSE_GATEWAY_PUBLISH_TIMEOUT:-5s}",
            description = "Longest wait for Kafka's ack before 503 (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_PUBLISH_TIMEOUT)")
    String publishTimeout;

    @Option(names = "--request-timeout", defaultValue = "${env:SALESPULSE_GATEWAY_REQUEST_TIMEOUT:-10s}",
            description = "A request's head, and then its body, must arrive within this; slower clients are cut off"
                    + " (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_REQUEST_TIMEOUT)")
    String requestTimeout;

    @Option(names = "--retry-after", defaultValue = "${env:SALESPULSE_GATEWAY_RETRY_AFTER:-5s}",
            description = "Retry-After sent with 503 (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_RETRY_AFTER)")
    String retryAfter;

    @Option(names = "--import-timeout", defaultValue = "${env:SALESPULSE_GATEWAY_IMPORT_TIMEOUT:-15m}",
            description = "An open import session not renewed for this long counts as abandoned; importers renew every"
                    + " third of it (default: ${DEFAULT-VALUE}; env SALESPULSE_GATEWAY_IMPORT_TIMEOUT)")
    String importTimeout;

    @Option(names = "--event-max-future-skew", defaultValue = "${env:SALESPULSE_EVENT_MAX_FUTURE_SKEW:-1h}",
            description = "occurred_at may lie this far in the future (default: ${DEFAULT-VALUE}; env SALESPULSE_EVENT_MAX_FUTURE_SKEW)")
    String maxFutureSkew;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GatewayConfig config;
        try {
            config = GatewayConfig.builder().host(host).port(port).kafkaBootstrap(kafkaBootstrap)
                    .topics(topicStages, topicVisits, topicAcks).topicImports(topicImports).tokensFile(tokensFile)
                    .maxBodyBytes(maxBodyBytes)
                    .maxBatchEvents(maxBatchEvents).threads(threads).queueCapacity(queueCapacity)
                    .publishTimeout(duration("publish-timeout", publishTimeout))
                    .requestTimeout(duration("request-timeout", requestTimeout))
                    .retryAfter(duration("retry-after", retryAfter))
                    .importTimeout(duration("import-timeout", importTimeout))
                    .maxFutureSkew(duration("event-max-future-skew", maxFutureSkew)).build();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        }
        if (!Files.isReadable(config.tokensFile())) {
            throw new UserError("Invalid setting gateway.tokens-file (flag --tokens-file, env "
                    + "SALESPULSE_GATEWAY_TOKENS_FILE) = '" + config.tokensFile() + "': no readable file there", 2);
        }
        IngestGateway gateway;
        try {
            gateway = IngestGateway.start(config);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), 2);
        } catch (java.net.BindException e) {
            throw new UserError("port " + config.port() + " is in use; choose one with --port");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "gateway-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Gateway listening on http://" + config.host() + ":" + gateway.port() + " -> Kafka "
                + config.kafkaBootstrap() + "; Ctrl-C stops it.");
        out.flush();
        stopped.await();
        return 0;
    }

    private static Duration duration(String name, String value) {
        try {
            return Durations.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid setting gateway." + name + " (flag --" + name + ", env "
                    + GatewayConfig.envName(name) + ") = '" + value + "': not a duration (use e.g. 5s, 500ms, 1m)");
        }
    }

    /** Prints the SHA-256 hash of a token to put into the tokens file; never takes the token as an argument. */
    @Command(name = "hash-token",
            mixinStandardHelpOptions = true,
            description = {"Print the SHA-256 hash of a tenant token for the tokens file.",
                "Reads the token from standard input (so it stays out of shell history);",
                "with --generate, creates a new random token and prints it once together with its hash."})
    static final class HashToken implements Callable<Integer> {
        @Option(names = "--generate", description = "Create a new random token (32 bytes, URL-safe base64)")
        boolean generate;

        @Option(names = "--tenant", description = "Also print the tokens-file entry for this tenant")
        String tenant;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String token;
            if (generate) {
                token = TenantTokens.generateToken();
                out.println("token:  " + token + "   (give it to the tenant's app; it is not stored anywhere)");
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                token = in.readLine();
                if (token == null || token.isBlank()) {
                    throw new UserError("no token on standard input; e.g. `printf %s \"$TOKEN\" | salespulse gateway "
                            + "hash-token`, or use --generate", 2);
                }
                token = token.strip();
            }
            String hash = TenantTokens.hashHex(token);
            out.println("sha256: " + hash);
            if (tenant != null) {
                out.println("tokens file: {\"tenants\": {\"" + tenant + "\": [\"" + hash + "\"]}}");
            }
            out.flush();
            return 0;
        }
    }

    /** The load benchmark: gateway vs direct Kafka sends, against a broker it starts (or a given one). */
    @Command(name = "bench",
            mixinStandardHelpOptions = true,
            description = {"Benchmark the gateway: sustained requests/s and p50/p99 latency for single and batched",
                "posts, next to the same events sent straight to Kafka with the gateway's producer settings.",
                "Starts an in-process Kafka broker unless --kafka-bootstrap is given."})
    static final class Bench implements Callable<Integer> {
        @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE})")
        int clients;

        @Option(names = "--batch", defaultValue = "100", description = "Events per batched request (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per case (default: ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds per case (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--kafka-bootstrap", description = "Use this broker (with the contract topics) instead of starting one")
        String kafkaBootstrap;

        @Override
        public Integer call() throws Exception {
            if (clients < 1 || batch < 1 || batch > 10_000 || seconds < 1 || warmup < 0) {
                throw new UserError("--clients, --seconds >= 1, --batch 1..10000, --warmup >= 0", 2);
            }
            GatewayBenchmark.Options options = new GatewayBenchmark.Options(clients, batch, seconds, warmup);
            if (kafkaBootstrap != null) {
                new GatewayBenchmark(kafkaBootstrap, options).run(System.out);
                return 0;
            }
            Path dir = Files.createTempDirectory("salespulse-bench-kafka");
            try (LocalKafka kafka = LocalKafka.start(dir)) {
                ContractTopics.create(kafka, 3);
                new GatewayBenchmark(kafka.bootstrapServers(), options).run(System.out);
            }
            return 0;
        }
    }
}

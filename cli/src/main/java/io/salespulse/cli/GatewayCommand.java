package io.salespulse.cli;

import io.salespulse.contract.settings.SettingsException;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.producers.gateway.GatewayBenchmark;
import io.salespulse.producers.gateway.GatewayConfig;
import io.salespulse.producers.gateway.GatewaySetting;
import io.salespulse.producers.gateway.IngestGateway;
import io.salespulse.producers.gateway.TenantTokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The field app's ingest gateway (HTTP -> Kafka) in the foreground, plus its token and benchmark tools. */
@Command(name = "gateway",
        mixinStandardHelpOptions = true,
        customSynopsis = "salespulse gateway [--<setting> <value>]... [COMMAND]",
        sortOptions = false,
        description = {"Run the ingest gateway: POST /v1/stages, /v1/visits, /v1/acks (one event or a JSON array),",
            "POST /v1/imports and /v1/imports/{id}/complete (history-import sessions), GET /healthz, GET /metrics.",
            "Replies only after Kafka acknowledged what it wrote; Ctrl-C stops it."},
        subcommands = {GatewayCommand.HashToken.class, GatewayCommand.Bench.class})
final class GatewayCommand implements Callable<Integer> {

    /** Filled by the generated setting options (see SettingOptions). */
    final Map<GatewaySetting, String> settings = new EnumMap<>(GatewaySetting.class);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GatewayConfig config = GatewayConfig.load(settings, System.getenv());
        if (!Files.isReadable(config.tokensFile())) {
            throw SettingsException.invalid(GatewaySetting.TOKENS_FILE, config.tokensFile().toString(),
                    "no readable file there");
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

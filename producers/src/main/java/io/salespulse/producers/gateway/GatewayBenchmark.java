package io.salespulse.producers.gateway;

import io.salespulse.contract.Topics;
import io.salespulse.producers.simulator.LoadGenerator;
import io.salespulse.producers.simulator.LoadGenerator.LoadEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Load benchmark of the ingest gateway (a program, not a test: it prints numbers, it asserts nothing).
 * Against the given Kafka it measures, with {@code clients} concurrent closed-loop clients, sustained
 * requests/s, events/s and the p50/p99 latency of: (1) the baseline, the gateway's own producer settings
 * used directly (send, wait for the ack), one event and {@code batch} events per operation; (2) the
 * gateway over HTTP, one event and {@code batch} events per request. The difference is what HTTP, JSON
 * validation and authentication cost. Run it with {@code bin/salespulse gateway bench}.
 */
public final class GatewayBenchmark {

    /** @param seconds measured time per case, after {@code warmupSeconds} of the same load */
    public record Options(int clients, int batch, int seconds, int warmupSeconds) {}

    /** One measured case. */
    public record Result(String name, long operations, long events, double seconds, double p50Millis, double p99Millis) {
        double opsPerSecond() {
            return operations / seconds;
        }

        double eventsPerSecond() {
            return events / seconds;
        }
    }

    private static final String TENANT = "bench";

    private final String bootstrap;
    private final Options options;
    private final LoadGenerator load;
    private final AtomicLong nextEvent = new AtomicLong();

    public GatewayBenchmark(String bootstrap, Options options) {
        this.bootstrap = bootstrap;
        this.options = options;
        // Event i happened (N - 1 - i) seconds before now: every event is unique and in the past.
        this.load = new LoadGenerator(TENANT, 50_000_000L, 10_000, 1, Instant.now());
    }

    /** Runs every case and prints a table to {@code out}; the broker must have the contract's topics. */
    public List<Result> run(PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("salespulse-gateway-bench");
        String token = TenantTokens.generateToken();
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "{\"tenants\":{\"" + TENANT + "\":[\"" + TenantTokens.hashHex(token) + "\"]}}");
        GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).kafkaBootstrap(bootstrap)
                .tokensFile(tokens).build();
        List<Result> results = new ArrayList<>();
        out.printf("gateway benchmark: %d clients, batches of %d, %d s per case after %d s warm-up, %d CPUs, Kafka %s%n",
                options.clients(), options.batch(), options.seconds(), options.warmupSeconds(),
                Runtime.getRuntime().availableProcessors(), bootstrap);
        try (KafkaPublisher direct = new KafkaPublisher(bootstrap, config.publishTimeout())) {
            results.add(measure("kafka direct, 1 event/op", 1, () -> direct.publishAll(List.of(record()))));
            results.add(measure("kafka direct, " + options.batch() + " events/op", options.batch(),
                    () -> direct.publishAll(records(options.batch()))));
        }
        try (IngestGateway gateway = IngestGateway.start(config)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).build();
            URI stages = URI.create(gateway.url() + "/v1/stages");
            URI visits = URI.create(gateway.url() + "/v1/visits");
            results.add(measure("gateway, 1 event/request", 1, () -> {
                LoadEvent e = load.event(nextEvent.getAndIncrement());
                post(http, e.topic().equals(Topics.STAGES) ? stages : visits, token, e.value());
            }));
            results.add(measure("gateway, " + options.batch() + " events/request", options.batch(),
                    () -> post(http, stages, token, stageBatch(options.batch()))));
        }
        out.printf("%-32s %12s %12s %10s %10s%n", "case", "requests/s", "events/s", "p50 ms", "p99 ms");
        for (Result r : results) {
            out.printf("%-32s %12.0f %12.0f %10.2f %10.2f%n", r.name(), r.opsPerSecond(), r.eventsPerSecond(),
                    r.p50Millis(), r.p99Millis());
        }
        return results;
    }

    private interface Operation {
        void run() throws Exception;
    }

    private Result measure(String name, int eventsPerOp, Operation op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(options.clients());
        try {
            runFor(pool, op, options.warmupSeconds(), false);
            long started = System.nanoTime();
            List<long[]> latencies = runFor(pool, op, options.seconds(), true);
            double seconds = (System.nanoTime() - started) / 1e9;
            long count = latencies.stream().mapToLong(l -> l[0]).sum();
            long[] all = new long[(int) count];
            int at = 0;
            for (long[] l : latencies) {
                System.arraycopy(l, 1, all, at, (int) l[0]);
                at += (int) l[0];
            }
            Arrays.sort(all);
            return new Result(name, count, count * eventsPerOp, seconds, percentile(all, 0.50), percentile(all, 0.99));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each client repeats the operation until time is up; returns per client {count, latencies...}. */
    private List<long[]> runFor(ExecutorService pool, Operation op, int seconds, boolean record) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<long[]>> clients = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            clients.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    op.run();
                    if (record) {
                        if (n + 2 > lat.length) {
                            lat = Arrays.copyOf(lat, lat.length * 2);
                        }
                        lat[++n] = System.nanoTime() - t0;
                    }
                }
                lat[0] = n;
                return lat;
            }));
        }
        List<long[]> out = new ArrayList<>();
        for (Future<long[]> f : clients) {
            out.add(f.get());
        }
        return out;
    }

    private ProducerRecord<byte[], byte[]> record() {
        LoadEvent e = load.event(nextEvent.getAndIncrement());
        return new ProducerRecord<>(e.topic(), null, System.currentTimeMillis(), e.key().getBytes(StandardCharsets.UTF_8),
                e.value());
    }

    private List<ProducerRecord<byte[], byte[]>> records(int n) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(record());
        }
        return out;
    }

    /** {@code n} stage cards as one JSON array (visits of the load are skipped: one endpoint per batch). */
    private byte[] stageBatch(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        int added = 0;
        while (added < n) {
            LoadEvent e = load.event(nextEvent.getAndIncrement());
            if (!e.topic().equals(Topics.STAGES)) {
                continue;
            }
            if (added++ > 0) {
                out.write(',');
            }
            out.writeBytes(e.value());
        }
        out.write(']');
        return out.toByteArray();
    }

    private static void post(HttpClient http, URI uri, String token, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("gateway answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    /** {@code java -cp ... io.salespulse.producers.gateway.GatewayBenchmark <bootstrap> [clients] [batch] [seconds]} */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: GatewayBenchmark <kafka bootstrap> [clients=16] [batch=100] [seconds=10]");
            System.exit(2);
        }
        Options o = new Options(args.length > 1 ? Integer.parseInt(args[1]) : 16,
                args.length > 2 ? Integer.parseInt(args[2]) : 100, args.length > 3 ? Integer.parseInt(args[3]) : 10, 3);
        new GatewayBenchmark(args[0], o).run(System.out);
    }
}

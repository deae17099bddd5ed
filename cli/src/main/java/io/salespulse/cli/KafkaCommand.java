package io.salespulse.cli;

import io.salespulse.localstack.LocalKafka;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A single-node Kafka broker in the foreground, with the contract's topics, for local runs. */
@Command(name = "kafka",
        mixinStandardHelpOptions = true,
        description = "Start a local single-node Kafka broker (KRaft) with the contract topics; Ctrl-C stops it.")
final class KafkaCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--dir", defaultValue = "${sys:salespulse.home:-.}/.local/kafka",
            description = "Log directory; kept between runs (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) {
            throw new UserError("--port must be between 1 and 65535, got " + port, 2);
        }
        if (partitions < 1) {
            throw new UserError("--partitions must be at least 1, got " + partitions, 2);
        }
        if (ClickHouse.listening("127.0.0.1", port)) {
            throw new UserError("port " + port + " is in use (another broker?); choose one with --port");
        }
        PrintWriter out = spec.commandLine().getOut();
        LocalKafka kafka = LocalKafka.start(dir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping Kafka ...");
            kafka.close();
            stopped.countDown();
        }, "kafka-stop"));
        ContractTopics.create(kafka, partitions);
        out.println("Kafka is running: bootstrap " + kafka.bootstrapServers() + ", data in " + kafka.logDir());
        out.println("Topics (" + partitions + " partitions each): " + String.join(", ", ContractTopics.ALL));
        out.println("Use it with:  export SALESPULSE_KAFKA_BOOTSTRAP=" + kafka.bootstrapServers());
        out.println("Ctrl-C stops the broker.");
        out.flush();
        stopped.await();
        return 0;
    }
}

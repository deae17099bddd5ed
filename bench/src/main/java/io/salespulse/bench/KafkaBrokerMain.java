package io.salespulse.bench;

import io.salespulse.localstack.LocalKafka;
import java.nio.file.Path;

/**
 * The benchmark's Kafka broker in its own JVM (the test classpath runs {@code kafka.Kafka} as well as the in-process
 * broker), so the broker's CPU and GC are not billed to the job under test. Prints
 * {@code READY <bootstrap>} once it serves, and stops when its standard input closes (the parent exited).
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {}

    public static void main(String[] args) throws Exception {
        try (LocalKafka kafka = LocalKafka.start(Path.of(args[0]))) {
            System.out.println("READY " + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF
            }
        }
        System.exit(0);
    }
}

package io.salespulse.localstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft Kafka broker (broker and controller in one), running in this JVM. Transactions work
 * (transaction log with replication factor 1, {@code transaction.max.timeout.ms} raised to one hour so the
 * Flink exactly-once sink's default timeout is accepted). Topics are not auto-created.
 */
public final class LocalKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDir;
    private Admin admin;
    private boolean closed;

    private LocalKafka(KafkaRaftServer server, int port, Path logDir) {
        this.server = server;
        this.port = port;
        this.logDir = logDir;
    }

    /** Starts a broker on free ports. */
    public static LocalKafka start(Path logDir) throws Exception {
        return start(logDir, 0);
    }

    /** Starts a broker whose clients connect on {@code port} (0 = a free port); the controller port is free. */
    public static LocalKafka start(Path logDir, int port) throws Exception {
        Path dir = logDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        int clientPort = port > 0 ? port : freePort();
        int controllerPort = freePort();
        while (controllerPort == clientPort) {
            controllerPort = freePort();
        }
        Properties props = brokerProperties(dir, clientPort, controllerPort);
        format(props);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        LocalKafka kafka = new LocalKafka(server, clientPort, dir);
        try {
            server.startup();
            kafka.awaitReady(Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("transaction.max.timeout.ms", "3600000");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        // A local broker keeps everything: the simulator writes weeks of history stamped with each event's
        // time, and with the default 7-day retention the broker would delete the older part of a fresh
        // backlog (by its record timestamps) before a job has read it.
        p.setProperty("log.retention.ms", "-1");
        return p;
    }

    /** Formats the log dir for KRaft, keeping the cluster id of a dir formatted before (restarts). */
    private static void format(Properties props) throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        Path meta = Path.of(props.getProperty("log.dirs"), "meta.properties");
        if (Files.exists(meta)) {
            Properties existing = new Properties();
            try (var in = Files.newInputStream(meta)) {
                existing.load(in);
            }
            String id = existing.getProperty("cluster.id");
            if (id != null && !id.isBlank()) {
                clusterId = id.trim();
            }
        }
        Path config = Files.createTempFile("salespulse-kafka-", ".properties");
        try {
            try (Writer w = Files.newBufferedWriter(config)) {
                props.store(w, "SalesPulse local Kafka");
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int rc;
            try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c",
                        config.toString(), "--ignore-formatted"}, out);
            }
            if (rc != 0) {
                throw new IOException("Formatting the Kafka log dir " + props.getProperty("log.dirs") + " failed (" + rc
                        + "): " + buf.toString(StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The local Kafka broker on " + bootstrapServers() + " did not become ready in "
                + timeout.toSeconds() + " s", last);
    }

    /** {@code 127.0.0.1:<port>} */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path logDir() {
        return logDir;
    }

    /** Creates the topics with replication factor 1 and waits until every partition has a leader. Existing topics are fine. */
    public synchronized void createTopics(int partitions, String... topics) throws Exception {
        List<NewTopic> wanted = new ArrayList<>();
        for (String t : topics) {
            wanted.add(new NewTopic(t, partitions, (short) 1));
        }
        Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = admin().createTopics(wanted).values();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : results.entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw ex;
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<String, TopicDescription> d = admin().describeTopics(List.of(topics)).allTopicNames().get(10, TimeUnit.SECONDS);
                boolean ready = d.values().stream().allMatch(td -> td.partitions().stream().allMatch(p -> p.leader() != null
                        && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + List.of(topics) + " have no leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Every record of the topics that a read_committed consumer sees, topic by topic and partition by partition in
     * offset order, read up to the end offsets of the moment of the call. For tests and checks, not for volume.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String... topics) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    TopicPartition tp = new TopicPartition(topic, info.partition());
                    consumer.assign(List.of(tp));
                    consumer.seekToBeginning(List.of(tp));
                    long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (consumer.position(tp) < end) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("could not read " + tp + " to its end offset " + end);
                        }
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            if (r.offset() < end) {
                                out.add(r);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "salespulse-local-kafka-admin");
            p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
            admin = Admin.create(p);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}

package io.salespulse.cli;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.localstack.LocalKafka;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.producers.simulator.KafkaEventSink;
import io.salespulse.producers.simulator.Scenario;
import io.salespulse.producers.simulator.SimulationSummary;
import io.salespulse.producers.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's data for tests, made the way {@code bin/salespulse demo} makes it (same topics, migrations,
 * simulator and job wiring as {@link DemoCommand}): a simulated team up to now goes through Kafka and the
 * monitor job (Flink local mode) into ClickHouse; the job is then stopped with a savepoint so every row it
 * computed is in ClickHouse. Kafka is stopped too; the ClickHouse engine stays up until {@link #close()}.
 */
final class DemoStack implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    final LocalClickHouse clickHouse;
    final SimulationSummary simulated;

    private DemoStack(LocalClickHouse clickHouse, SimulationSummary simulated) {
        this.clickHouse = clickHouse;
        this.simulated = simulated;
    }

    static DemoStack start(Path dir, Scenario scenario, long seed, int weeks) throws Exception {
        LocalClickHouse clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"))) {
            ContractTopics.create(kafka, 3);
            MigrateCommand.migrate(clickHouse.jdbcUrl(), "default", "");
            SimulationSummary simulated;
            try (KafkaEventSink sink = new KafkaEventSink(kafka.bootstrapServers())) {
                simulated = new Simulator(SimulateCommand.demoSettings(scenario, seed, weeks, Instant.now())).run(sink);
            }
            // One broken upload received now: the simulated malformed records keep their simulated times, which
            // may all lie outside the dashboards' last 24 hours depending on the weekday the tests run on.
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(io.salespulse.contract.Topics.STAGES, null, System.currentTimeMillis(), null,
                        "{\"tenant\":\"weijiang\",\"event_id\":\"truncated upload".getBytes(StandardCharsets.UTF_8))).get();
            }
            try (ClickHouse ch = ClickHouse.connect(clickHouse.jdbcUrl(), "default", "")) {
                OutletsCommand.store(ch, simulated.places().outlets(), "simulator", "simulated");
            }
            PipelineConfig config = config(kafka, clickHouse, dir);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(MonitorJob.flinkConfiguration(config));
            MonitorJob.fromConfig(config).build(env);
            JobClient job = env.executeAsync(MonitorJob.NAME);
            try (ClickHouse ch = ClickHouse.connect(clickHouse.jdbcUrl(), "default", "")) {
                awaitInputsAndAlerts(job, ch, simulated);
            } catch (Exception | Error e) {
                if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                }
                throw e;
            }
            // Stop with a savepoint: sinks flush before the job ends, as in the demo.
            job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(120, TimeUnit.SECONDS);
            return new DemoStack(clickHouse, simulated);
        } catch (Exception | Error e) {
            clickHouse.close();
            throw e;
        }
    }

    /** The demo's job settings (DemoCommand#config), with this run's directories. */
    private static PipelineConfig config(LocalKafka kafka, LocalClickHouse clickHouse, Path dir) {
        Map<Setting, String> s = new EnumMap<>(Setting.class);
        s.put(Setting.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        s.put(Setting.CLICKHOUSE_URL, clickHouse.jdbcUrl());
        s.put(Setting.CLICKHOUSE_USER, "default");
        s.put(Setting.CLICKHOUSE_PASSWORD, "");
        s.put(Setting.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
        s.put(Setting.CHECKPOINT_INTERVAL, "1s");
        s.put(Setting.PARALLELISM, "2");
        s.put(Setting.RESTART_ATTEMPTS, "0");
        // The whole history is in Kafka before the job starts: event time may follow the clock soon after.
        return PipelineConfig.load(s, Map.of());
    }

    /** Until ClickHouse holds every stage card, visit and ack, and every alert the simulator expects. */
    private static void awaitInputsAndAlerts(JobClient job, ClickHouse ch, SimulationSummary expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                // Fails with the job's own exception rather than waiting for the timeout.
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the monitor job ended before the demo data was complete");
            }
            long cards = ch.count("SELECT count() FROM salespulse.stage_events FINAL");
            long visits = ch.count("SELECT count() FROM salespulse.visits FINAL");
            long acks = ch.count("SELECT count() FROM salespulse.alert_acks FINAL");
            long alerts = ch.count("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'stage_overdue'");
            long cash = ch.count("SELECT (SELECT count() FROM salespulse.contracts FINAL)"
                    + " + (SELECT count() FROM salespulse.invoices FINAL) + (SELECT count() FROM salespulse.payments FINAL)");
            long receivables = ch.count("SELECT count() FROM salespulse.alerts FINAL WHERE type = 'receivable_overdue'");
            if (cards >= expected.stageCards() && visits >= expected.visits() && acks >= expected.acks()
                    && alerts >= expected.expectedOverdueAlertIds().size() && cash >= expected.cash().records()
                    && receivables >= expected.cash().expectedReceivableAlertIds().size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(
                        "demo data incomplete after %d s: %d/%d stage cards, %d/%d visits, %d/%d acks, %d/%d alerts,"
                                + " %d/%d cash records, %d/%d receivable alerts",
                        TIMEOUT.toSeconds(), cards, expected.stageCards(), visits, expected.visits(), acks,
                        expected.acks(), alerts, expected.expectedOverdueAlertIds().size(), cash,
                        expected.cash().records(), receivables, expected.cash().expectedReceivableAlertIds().size()));
            }
            Thread.sleep(250);
        }
    }

    /** Runs one statement (inserts of test rows). */
    void execute(String sql) throws SQLException {
        try (var c = java.sql.DriverManager.getConnection(clickHouse.jdbcUrl(), "default", "");
                var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() {
        clickHouse.close();
    }
}

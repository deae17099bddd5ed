package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/init/supervise.sh's decisions, fast: the JobManager's REST answer comes from a small HTTP server here and
 * Flink's client is a script that records its arguments. Which job it submits (only those not active), from which
 * restore point (each job's own newest), what it does when the JobManager does not answer (nothing), and a bad
 * setting. ClusterFaultTest runs the same script against a real cluster whose JobManager it kills.
 */
class DeploySupervisorTest {
    static final Path SCRIPT = Path.of("..", "deploy", "init", "supervise.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private HttpServer rest;
    private final AtomicReference<String> overview = new AtomicReference<>("{\"jobs\":[]}");

    @BeforeEach
    void startRest() throws Exception {
        rest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rest.createContext("/jobs/overview", ex -> {
            byte[] body = overview.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        rest.start();
    }

    @AfterEach
    void stopRest() {
        rest.stop(0);
    }

    /** As Flink 2.2's REST API writes a job (fields in this order, then the tasks object). */
    private static String job(String id, String name, String state) {
        return "{\"jid\":\"" + id + "\",\"name\":\"" + name + "\",\"start-time\":1764690000000,\"end-time\":-1,"
                + "\"duration\":1000,\"state\":\"" + state + "\",\"last-modification\":1764690001000,"
                + "\"tasks\":{\"running\":9,\"canceling\":0,\"total\":9}}";
    }

    private record Run(int exit, String output, List<String> flinkCalls) {}

    private Run supervise(String jobManager, Map<String, String> env) throws Exception {
        Path calls = dir.resolve("flink-calls.txt");
        Files.deleteIfExists(calls);
        Path flink = dir.resolve("flink");
        Files.writeString(flink, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\necho 'Job has been submitted with JobID 0123'\n");
        assertThat(flink.toFile().setExecutable(true)).isTrue();
        Path jar = Files.writeString(dir.resolve("salespulse-pipeline-0.1.0-SNAPSHOT-job.jar"), "jar");
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--once").redirectErrorStream(true);
        pb.environment().put("FLINK_JOBMANAGER", jobManager);
        pb.environment().put("FLINK_DATA", dir.resolve("flink-data").toString());
        pb.environment().put("FLINK_CLI", flink.toString());
        pb.environment().put("SALESPULSE_JOB_JAR", jar.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    private String jobManager() {
        return "127.0.0.1:" + rest.getAddress().getPort();
    }

    private Path checkpoint(String job, String jobId, int n) throws Exception {
        Path chk = Files.createDirectories(dir.resolve("flink-data/checkpoints/" + job + "/" + jobId + "/chk-" + n));
        Files.writeString(chk.resolve("_metadata"), "x");
        return chk;
    }

    @Test
    void onlyAJobThatIsNotActiveIsSubmittedFromItsOwnNewestCheckpoint() throws Exception {
        checkpoint("monitor", "aaaa", 41);
        Path funnelChk = checkpoint("funnel", "bbbb", 7);
        // The funnel FAILED for good on this JobManager; an older run of the monitor FINISHED, a newer one RESTARTS.
        overview.set("{\"jobs\":[" + job("f1", "salespulse-funnel", "FAILED") + "," + job("m0", "salespulse-monitor", "FINISHED")
                + "," + job("m1", "salespulse-monitor", "RESTARTING") + "]}");
        Run r = supervise(jobManager(), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.flinkCalls()).as(r.output()).hasSize(1);
        assertThat(r.flinkCalls().get(0)).contains("run -d -m " + jobManager(), "-s file://" + funnelChk,
                "-c io.salespulse.pipeline.funnel.FunnelJob", "--checkpoint-dir file://" + dir.resolve("flink-data/checkpoints/funnel"));
        assertThat(r.output()).contains("salespulse-funnel is not running (known: FAILED): submitting, restored from");
    }

    @Test
    void aJobManagerWithNoJobsGetsBothJobsEachFromItsOwnPoint() throws Exception {
        Path monitorChk = checkpoint("monitor", "aaaa", 41);
        Path funnelChk = checkpoint("funnel", "bbbb", 7);
        Run r = supervise(jobManager(), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.flinkCalls()).hasSize(2);
        assertThat(r.flinkCalls().get(0)).contains("-s file://" + monitorChk, "io.salespulse.pipeline.monitor.MonitorJob");
        assertThat(r.flinkCalls().get(1)).contains("-s file://" + funnelChk, "io.salespulse.pipeline.funnel.FunnelJob");
    }

    @Test
    void bothActiveMeansNothingToDo() throws Exception {
        overview.set("{\"jobs\":[" + job("m1", "salespulse-monitor", "RUNNING") + "," + job("f1", "salespulse-funnel", "INITIALIZING")
                + "]}");
        Run r = supervise(jobManager(), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.flinkCalls()).isEmpty();
    }

    @Test
    void aJobManagerThatDoesNotAnswerIsNeverTakenForNoJobs() throws Exception {
        checkpoint("monitor", "aaaa", 41);
        rest.stop(0);
        Run r = supervise(jobManager(), Map.of());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.flinkCalls()).isEmpty();
        assertThat(r.output()).contains("does not answer: monitor not checked", "does not answer: funnel not checked");
    }

    @Test
    void aBadIntervalStopsStartUpNamingTheSetting() throws Exception {
        Run r = supervise(jobManager(), Map.of("SALESPULSE_SUPERVISE_INTERVAL", "0"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("SALESPULSE_SUPERVISE_INTERVAL");
        assertThat(r.flinkCalls()).isEmpty();
    }
}

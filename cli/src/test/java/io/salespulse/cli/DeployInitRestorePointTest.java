package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/init/restore-point.sh, which compose's init uses to pick each job's restore point with
 * SALESPULSE_RESTORE_FROM=latest: on a fake flink-data tree, the newest savepoint or completed checkpoint of
 * that job only (never the other job's, never an incomplete chk-N), legacy monitor checkpoints included.
 */
class DeployInitRestorePointTest {
    static final Path SCRIPT = Path.of("..", "deploy", "init", "restore-point.sh").toAbsolutePath().normalize();

    @TempDir
    Path data;

    private long clock = 1_700_000_000_000L;

    /** A restore point directory, newer than every one made before; {@code complete}: with _metadata. */
    private Path point(String relative, boolean complete) throws Exception {
        Path d = Files.createDirectories(data.resolve(relative));
        if (complete) {
            Files.writeString(d.resolve("_metadata"), "x");
        }
        clock += 60_000;
        Files.setLastModifiedTime(d, FileTime.fromMillis(clock));
        return d;
    }

    private String run(String call) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", ". '" + SCRIPT + "'; " + call).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String latest(String job) throws Exception {
        return run("FLINK_DATA='" + data + "' newest_restore_point " + job);
    }

    @Test
    void eachJobRestoresFromItsOwnNewestCompletePoint() throws Exception {
        assertThat(latest("monitor")).isEmpty();
        assertThat(latest("funnel")).isEmpty();

        Path legacy = point("checkpoints/0123456789abcdef0123456789abcdef/chk-7", true);
        assertThat(latest("monitor")).as("before per-job directories only the monitor ran").isEqualTo(legacy.toString());
        assertThat(latest("funnel")).isEmpty();

        Path monitorChk = point("checkpoints/monitor/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/chk-3", true);
        Path funnelChk = point("checkpoints/funnel/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/chk-5", true);
        assertThat(latest("monitor")).isEqualTo(monitorChk.toString());
        assertThat(latest("funnel")).isEqualTo(funnelChk.toString());

        Path monitorSp = point("savepoints/monitor/savepoint-aaaaaa-123", true);
        point("checkpoints/monitor/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/chk-4", false); // incomplete: no _metadata
        assertThat(latest("monitor")).isEqualTo(monitorSp.toString());
        assertThat(latest("funnel")).as("the monitor's newer savepoint is not the funnel's").isEqualTo(funnelChk.toString());

        Path funnelSp = point("savepoints/funnel/savepoint-bbbbbb-456", true);
        assertThat(latest("funnel")).isEqualTo(funnelSp.toString());
        assertThat(latest("monitor")).isEqualTo(monitorSp.toString());

        point("savepoints/unassigned/savepoint-cccccc-789", true); // flink stop without --savepointPath: whose?
        assertThat(latest("funnel")).isEqualTo(funnelSp.toString());
        assertThat(latest("monitor")).isEqualTo(monitorSp.toString());
    }

    @Test
    void restoreSettingLatestNoneOrPath() throws Exception {
        Path chk = point("checkpoints/funnel/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/chk-2", true);
        String env = "FLINK_DATA='" + data + "' ";
        assertThat(run(env + "restore_from funnel latest")).isEqualTo("file://" + chk);
        assertThat(run(env + "restore_from monitor latest")).isEmpty();
        assertThat(run(env + "restore_from funnel none")).isEmpty();
        assertThat(run(env + "restore_from monitor s3://b/savepoint-1")).isEqualTo("s3://b/savepoint-1");
        assertThat(List.of(latest("funnel"))).containsExactly(chk.toString());
    }
}

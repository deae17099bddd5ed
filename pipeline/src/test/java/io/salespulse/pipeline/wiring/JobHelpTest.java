package io.salespulse.pipeline.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.funnel.FunnelJob;
import io.salespulse.pipeline.monitor.MonitorJob;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jobs' main classes, as {@code flink run} and people call them: {@code --help} prints how to start the job
 * and every setting, exits 0 and starts nothing (it used to fail with a stack trace on the unknown flag).
 */
class JobHelpTest {

    @ParameterizedTest
    @ValueSource(classes = {MonitorJob.class, FunnelJob.class})
    void helpListsEverySettingAndStartsNothing(Class<?> main) throws Exception {
        File out = File.createTempFile("job-help", ".out");
        File err = File.createTempFile("job-help", ".err");
        try {
            Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName(), "--help")
                    .redirectOutput(out).redirectError(err).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits at once").isTrue();
            String help = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(Files.readString(err.toPath(), StandardCharsets.UTF_8)).isZero();
            assertThat(help).startsWith("Usage: flink run").contains(main.getName());
            for (Setting s : List.of(Setting.values())) {
                assertThat(help).contains(s.key() + "  (flag " + s.flag() + " <value>, env " + s.env() + ")");
            }
        } finally {
            out.delete();
            err.delete();
        }
    }
}

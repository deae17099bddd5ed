package io.salespulse.cli;

import io.salespulse.pipeline.MonitorJob;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs a job in local mode (an embedded Flink MiniCluster in this JVM) against the configured Kafka
 * and ClickHouse: the same job class that runs on a cluster, so what works here works there.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        customSynopsis = "salespulse run <job> [--<setting> <value>]...",
        sortOptions = false,
        description = "Run a job locally (embedded Flink) against the configured Kafka and ClickHouse.")
final class RunCommand implements Callable<Integer> {

    /** Job name -> its main method. New jobs register here. */
    static final Map<String, JobMain> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("monitor", MonitorJob::main);
    }

    @FunctionalInterface
    interface JobMain {
        void run(String[] args) throws Exception;
    }

    /** Filled by the generated setting options (see PipelineSettings). */
    final Map<Setting, String> settings = new EnumMap<>(Setting.class);

    @Parameters(index = "0", paramLabel = "<job>", description = "The job to run; one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = JobNames.class)
    String job;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobMain main = JOBS.get(job);
        if (main == null) {
            throw new UserError("unknown job '" + job + "'; known jobs: " + String.join(", ", JOBS.keySet()), 2);
        }
        // Validated here, before Flink starts, so a bad setting fails in a second with its name.
        PipelineConfig config = PipelineConfig.load(settings, System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Running job '" + job + "' in local mode with:");
        config.describe().forEach(line -> out.println("  " + line));
        out.println("(Ctrl-C stops it; checkpoints stay in " + config.checkpointDir + ")");
        out.flush();
        main.run(args(config));
        return 0;
    }

    /** Every setting as {@code --flag value}, so the job's main sees exactly the configuration printed above. */
    private static String[] args(PipelineConfig config) {
        List<String> args = new ArrayList<>();
        for (Setting s : Setting.values()) {
            args.add(s.flag());
            args.add(config.raw(s));
        }
        return args.toArray(String[]::new);
    }

    static final class JobNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return JOBS.keySet().iterator();
        }
    }
}

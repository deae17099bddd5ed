package io.salespulse.cli;

import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import io.salespulse.pipeline.funnel.FunnelJob;
import io.salespulse.pipeline.monitor.MonitorJob;
import io.salespulse.pipeline.wiring.FlinkSetup;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    /** The jobs that run on Flink and take the pipeline settings printed at start. */
    private static final Set<String> FLINK_JOBS = Set.of("monitor", "funnel");

    /** Job name -> its main method. New jobs register here. */
    static final Map<String, JobMain> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("monitor", MonitorJob::main);
        // The notifier's own settings (notifier.*) come from the environment; see docs/configuration.md.
        JOBS.put("notifier", RunCommand::runNotifier);
        JOBS.put("wecom-stub", io.salespulse.notifier.wecom.WeComStub::main);
        JOBS.put("funnel", FunnelJob::main);
    }

    /** A bad routing file: one line naming the key, exit code 2, like bad settings (SettingsException). */
    private static void runNotifier(String[] args) throws Exception {
        try {
            io.salespulse.notifier.NotifierMain.mainWithJobSettings(args);
        } catch (io.salespulse.notifier.config.NotifierConfigException e) {
            throw new UserError(e.getMessage(), 2);
        }
    }

    @FunctionalInterface
    interface JobMain {
        void run(String[] args) throws Exception;
    }

    /** Filled by the generated setting options (see SettingOptions). */
    final Map<Setting, String> settings = new EnumMap<>(Setting.class);

    @Parameters(index = "0", paramLabel = "<job>", description = "The job to run; one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = JobNames.class)
    String job;

    @Option(names = "--restore-from", paramLabel = "<path>",
            description = "Start from this retained checkpoint (a chk-N directory under the checkpoint dir) or "
                    + "savepoint: state, pending timers and Kafka offsets resume, e.g. after a crash.")
    String restoreFrom;

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
        if (FLINK_JOBS.contains(job)) {
            out.println("Running job '" + job + "' in local mode with:");
            config.describe().forEach(line -> out.println("  " + line));
            out.println("(Ctrl-C stops it; checkpoints stay in " + config.checkpointDir + ")");
        } else {
            // The notifier and the WeCom stand-in are not Flink jobs: they log their own settings as they start.
            out.println("Running '" + job + "' (Ctrl-C stops it)");
        }
        out.flush();
        if (restoreFrom == null) {
            main.run(args(config));
            return 0;
        }
        // The job mains build their own environment; a context environment (what `flink run -s` uses) adds
        // the restore path to whatever they configure, for every job alike.
        out.println("(restoring from " + restoreFrom + ")");
        out.flush();
        Configuration context = new Configuration();
        context.set(DeploymentOptions.TARGET, "local");
        context.set(DeploymentOptions.ATTACHED, true);
        FlinkSetup.restoreFrom(context, restoreFrom);
        StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), context,
                Thread.currentThread().getContextClassLoader(), false, true);
        try {
            main.run(args(config));
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
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

package io.salespulse.cli;

import io.salespulse.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Flink's own command line client (CliFrontend) against the local cluster: every argument goes to it as it
 * is, with FLINK_CONF_DIR set to the cluster's conf/ (so the client finds the JobManager).
 */
@Command(name = "flink",
        description = "Flink's client against the local cluster (bin/salespulse cluster start): run, stop, list, cancel,"
                + " savepoint ... exactly as the flink command of a Flink distribution; e.g."
                + " bin/salespulse flink run -d pipeline/target/salespulse-pipeline-0.1.0-SNAPSHOT-job.jar --kafka-bootstrap ...",
        footer = "Every argument is Flink's: bin/salespulse flink --help or bin/salespulse flink run --help shows them.")
final class FlinkCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "ARG", description = "Arguments of Flink's client")
    List<String> args = new ArrayList<>();

    static final String DIR_ENV = "SALESPULSE_CLUSTER_DIR";

    @Override
    public Integer call() throws Exception {
        String dir = System.getenv(DIR_ENV);
        Path home = dir != null && !dir.isBlank() ? Path.of(dir) : ClusterCommand.home().resolve(".local").resolve("cluster");
        LocalCluster c = ClusterCommand.existing(home);
        if (!java.nio.file.Files.exists(c.confDir().resolve("config.yaml"))) {
            throw new UserError("no cluster configuration in " + c.confDir() + ": start the cluster first (bin/salespulse cluster start)");
        }
        boolean help = args.isEmpty() || args.stream().anyMatch(a -> a.equals("-h") || a.equals("--help"));
        boolean otherCluster = args.stream().anyMatch(a -> a.equals("-m") || a.startsWith("--jobmanager"));
        if (!help && !otherCluster && c.rest("/overview").isEmpty()) {
            throw new UserError("the local cluster does not answer on " + c.restUrl() + ": bin/salespulse cluster start"
                    + " (or name another JobManager with -m host:port)");
        }
        c.writeClientLogConfig();
        Process p = c.client(args).inheritIO().start();
        return p.waitFor();
    }
}

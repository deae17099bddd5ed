package io.salespulse.cli;

import io.salespulse.contract.settings.SettingsException;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.producers.gateway.GatewayConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bin/salespulse}: the data team's entry point. Each subcommand is its own class; this one only
 * wires them and turns errors into exit codes (2 = bad usage or configuration, 1 = something failed).
 */
@Command(name = "salespulse",
        mixinStandardHelpOptions = true,
        versionProvider = SalesPulse.Version.class,
        description = "SalesPulse: real-time sales-process monitor (Flink + Kafka + ClickHouse).",
        subcommands = {
            DemoCommand.class,
            KafkaCommand.class,
            ClickHouseCommand.class,
            MigrateCommand.class,
            RunCommand.class,
            SimulateCommand.class,
            GatewayCommand.class,
            ImportCommand.class,
            QueryCommand.class,
            PolicyCommand.class,
            SilenceCommand.class,
            OutletsCommand.class,
            RoutesCommand.class,
            CashCommand.class,
            BenchCommand.class,
            DocsCommand.class,
            ClusterCommand.class,
            FlinkCommand.class,
        })
public final class SalesPulse implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // Alert texts are Chinese: print UTF-8 whatever the locale says (a bare POSIX locale would print '?').
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        CommandLine cli = commandLine();
        cli.setOut(new PrintWriter(System.out, true));
        cli.setErr(new PrintWriter(System.err, true));
        System.exit(cli.execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out/err writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SalesPulse());
        cli.setUsageHelpWidth(110);
        cli.setExecutionExceptionHandler(SalesPulse::handleFailure);
        // Setting options are generated from the services' setting lists, so a new setting needs no CLI change.
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        SettingOptions.addTo(cli.getSubcommands().get("run").getCommandSpec(), PipelineConfig.SCHEMA.settings(),
                run.settings);
        MigrateCommand migrate = cli.getSubcommands().get("migrate").getCommand();
        SettingOptions.addTo(cli.getSubcommands().get("migrate").getCommandSpec(), PipelineConfig.SCHEMA.settings(),
                migrate.settings);
        GatewayCommand gateway = cli.getSubcommands().get("gateway").getCommand();
        SettingOptions.addTo(cli.getSubcommands().get("gateway").getCommandSpec(), GatewayConfig.SCHEMA.settings(),
                gateway.settings);
        // bin/salespulse flink ARGS: everything after "flink" is Flink's, options included (-d, -c, -s ...).
        CommandLine flink = cli.getSubcommands().get("flink");
        flink.setStopAtPositional(true);
        flink.setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /**
     * Bad configuration and expected failures (a port in use, a missing library) are the user's to fix:
     * one line, no stack trace. Anything else is a bug, so the stack trace helps.
     */
    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof SettingsException) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (e instanceof UserError) {
            err.println("error: " + e.getMessage());
            err.flush();
            return ((UserError) e).exitCode();
        }
        err.println("error: " + messageChain(e));
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    static String messageChain(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SalesPulse.class.getPackage().getImplementationVersion();
            return new String[] {"SalesPulse " + (v == null ? "(development build)" : v)};
        }
    }
}

package io.salespulse.cli;

import io.salespulse.localstack.ChdbHttpServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The ClickHouse engine (chDB) behind ClickHouse's HTTP interface, in the foreground. This command is
 * the separate server process: jobs, migrate and query connect to it over HTTP like to a real server.
 */
@Command(name = "clickhouse",
        mixinStandardHelpOptions = true,
        description = "Start the local ClickHouse engine (chDB behind the HTTP interface); Ctrl-C stops it.")
final class ClickHouseCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8123", description = "HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--path", defaultValue = "${sys:salespulse.home:-.}/.local/clickhouse",
            description = "Data directory; kept between runs (default: ${DEFAULT-VALUE})")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) {
            throw new UserError("--port must be between 1 and 65535, got " + port, 2);
        }
        if (ClickHouse.listening("127.0.0.1", port)) {
            throw new UserError("port " + port + " is in use (is a ClickHouse engine already running?); choose one with --port");
        }
        String http = "http://127.0.0.1:" + port;
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting the ClickHouse engine on " + http + " with data in " + path.toAbsolutePath().normalize());
        out.println("Connect with:");
        out.println("  JDBC  jdbc:clickhouse://127.0.0.1:" + port + "/default?compress=0   (user default, no password)");
        out.println("  curl  curl '" + http + "/' --data-binary 'SELECT version()'");
        out.println("  jobs  export SALESPULSE_CLICKHOUSE_URL='jdbc:clickhouse://127.0.0.1:" + port + "/default?compress=0'");
        out.println("Ctrl-C stops it.");
        out.flush();
        // Blocks until SIGINT/SIGTERM; its own shutdown hook closes the engine so the data stays consistent.
        ChdbHttpServer.main(new String[] {"--port", Integer.toString(port), "--path", path.toString()});
        return 0;
    }
}

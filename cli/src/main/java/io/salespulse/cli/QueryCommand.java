package io.salespulse.cli;

import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.pipeline.config.Setting;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs one SQL query and prints a table. With no URL configured and no server on 8123 it opens the
 * demo's data itself (starting the engine for the query and stopping it after), so "query after demo"
 * works without starting anything first.
 */
@Command(name = "query",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Run one SQL query against ClickHouse and print the result as a table.")
final class QueryCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<SQL>", description = "The query, e.g. \"SELECT status, count() FROM salespulse.customer_status FINAL GROUP BY status\"")
    String sql;

    @Option(names = "--clickhouse-url", description = "JDBC URL (default: env SALESPULSE_CLICKHOUSE_URL, else "
            + "127.0.0.1:8123 if something listens there, else the demo's data in --path)")
    String url;

    @Option(names = "--clickhouse-user", defaultValue = "${env:SALESPULSE_CLICKHOUSE_USER:-default}",
            description = "User (default: ${DEFAULT-VALUE}; env SALESPULSE_CLICKHOUSE_USER)")
    String user;

    @Option(names = "--path", defaultValue = "${sys:salespulse.home:-.}/.local/demo/clickhouse",
            description = "Data directory opened when no server is found (default: ${DEFAULT-VALUE})")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String password = System.getenv().getOrDefault(Setting.CLICKHOUSE_PASSWORD.env(), "");
        String target = url != null ? url : System.getenv(Setting.CLICKHOUSE_URL.env());
        String source = url != null ? "--clickhouse-url" : "SALESPULSE_CLICKHOUSE_URL";
        LocalClickHouse engine = null;
        if (target == null || target.isBlank()) {
            if (ClickHouse.listening("127.0.0.1", 8123)) {
                target = ClickHouse.LOCAL_URL;
                source = "a server found listening on 127.0.0.1:8123";
            } else {
                if (!Files.isDirectory(path)) {
                    throw new UserError("no ClickHouse to query: nothing listens on 127.0.0.1:8123 and " + path
                            + " does not exist. Run bin/salespulse demo first, start bin/salespulse clickhouse,"
                            + " or pass --clickhouse-url.");
                }
                engine = LocalClickHouse.start(path);
                target = engine.jdbcUrl();
                source = "the data in " + path + ", opened for this query";
            }
        }
        try (ClickHouse ch = ClickHouse.connect(target, user, password)) {
            // Which server answered, on stderr (stdout stays the table): another ClickHouse on port 8123 must not
            // pass for SalesPulse's.
            spec.commandLine().getErr().println("-- " + ClickHouse.redact(target) + " (" + source + ")");
            ClickHouse.Table result;
            try {
                result = ch.query(sql);
            } catch (java.sql.SQLException e) {
                throw new UserError(SalesPulse.messageChain(e));
            }
            PrintWriter out = spec.commandLine().getOut();
            TablePrinter.print(result, out);
            return 0;
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }
}

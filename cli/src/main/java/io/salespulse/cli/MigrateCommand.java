package io.salespulse.cli;

import io.salespulse.pipeline.clickhouse.Migrator;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Applies the SQL migrations in sql/ to the configured ClickHouse; safe to run again. */
@Command(name = "migrate",
        mixinStandardHelpOptions = true,
        customSynopsis = "salespulse migrate [--<setting> <value>]...",
        sortOptions = false,
        description = "Apply the ClickHouse schema migrations from sql/ (re-running is a no-op).")
final class MigrateCommand implements Callable<Integer> {

    /** Filled by the generated setting options (see SettingOptions). */
    final Map<Setting, String> settings = new EnumMap<>(Setting.class);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = PipelineConfig.load(settings, System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Migrating " + ClickHouse.redact(config.clickhouseUrl) + " as " + config.clickhouseUser);
        out.flush();
        List<String> applied = migrate(config.clickhouseUrl, config.clickhouseUser, config.clickhousePassword);
        if (applied.isEmpty()) {
            out.println("schema is up to date");
        } else {
            applied.forEach(name -> out.println("applied " + name));
        }
        return 0;
    }

    static List<String> migrate(String url, String user, String password) throws Exception {
        try {
            return new Migrator(url, user, password).migrate();
        } catch (java.sql.SQLException e) {
            throw new UserError("migrating " + ClickHouse.redact(url) + " failed: " + SalesPulse.messageChain(e));
        }
    }
}

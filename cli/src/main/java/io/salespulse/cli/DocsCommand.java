package io.salespulse.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Documentation written from the code, so that it cannot say something the code does not do. */
@Command(name = "docs",
        mixinStandardHelpOptions = true,
        description = "Print documentation generated from the code.",
        subcommands = DocsCommand.Configuration.class)
final class DocsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "configuration",
            mixinStandardHelpOptions = true,
            description = {"Print docs/configuration.md: every setting of every service, from their declarations.",
                "Regenerate the file with: " + ConfigurationDoc.REGENERATE})
    static final class Configuration implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ConfigurationDoc.markdown());
            out.flush();
            return 0;
        }
    }
}

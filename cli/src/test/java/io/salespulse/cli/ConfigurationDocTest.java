package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/configuration.md is what the code declares, and the command line's own variables are the ones its
 * commands and script really read.
 */
class ConfigurationDocTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void theCommittedDocIsTheGeneratedOne() throws Exception {
        String committed = Files.readString(ROOT.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        assertThat(committed)
                .as("docs/configuration.md differs from the settings the code declares; regenerate it with: "
                        + ConfigurationDoc.REGENERATE)
                .isEqualTo(ConfigurationDoc.markdown());
    }

    @Test
    void theCommandLineVariablesAreTheOnesItReads() throws Exception {
        CommandLine cli = SalesPulse.commandLine();
        String gatewayUrl = "${env:" + CliSettings.GATEWAY_URL.env() + ":-" + CliSettings.GATEWAY_URL.defaultValue() + "}";
        for (String command : new String[] {"simulate", "import"}) {
            assertThat(cli.getSubcommands().get(command).getCommandSpec().findOption(CliSettings.GATEWAY_URL.flag())
                    .defaultValueString(false)).as(command).isEqualTo(gatewayUrl);
        }
        assertThat(cli.getSubcommands().get("simulate").getCommandSpec().findOption(CliSettings.GATEWAY_TOKEN.flag())
                .defaultValueString(false)).isEqualTo("${env:" + CliSettings.GATEWAY_TOKEN.env() + "}");
        assertThat(Files.readString(ROOT.resolve("bin/salespulse")))
                .contains("${" + CliSettings.JAVA_OPTS.env() + ":-" + CliSettings.JAVA_OPTS.defaultValue() + "}")
                .contains("${" + CliSettings.CHDB_LIB.env() + ":-}");
    }

    @Test
    void theCommandPrintsTheDoc() {
        CliRun r = CliRun.of("docs", "configuration");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(ConfigurationDoc.markdown());
    }
}

package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Parsing and start-up errors of `gateway` and the new `simulate` options; nothing here starts a broker. */
class GatewayCommandLineTest {

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = SalesPulse.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void gatewayWithoutATokensFileNamesTheSetting() {
        Run r = run("gateway", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("gateway.tokens-file").contains("SALESPULSE_GATEWAY_TOKENS_FILE")
                .doesNotContain("\tat ");
    }

    @Test
    void badGatewaySettingsAreNamed() {
        Run timeout = run("gateway", "--tokens-file", "/nonexistent.json", "--publish-timeout", "soon");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("gateway.publish-timeout").contains("'soon'");

        Run batch = run("gateway", "--tokens-file", "/nonexistent.json", "--max-batch-events", "0");
        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).contains("gateway.max-batch-events").contains("SALESPULSE_GATEWAY_MAX_BATCH_EVENTS");

        Run missing = run("gateway", "--tokens-file", "/nonexistent.json");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("gateway.tokens-file").contains("no readable file");
    }

    @Test
    void hashTokenGeneratesATokenAndItsHash() {
        Run r = run("gateway", "hash-token", "--generate", "--tenant", "weijiang");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("token: +[A-Za-z0-9_-]{43}").containsPattern("sha256: [0-9a-f]{64}")
                .contains("{\"tenants\": {\"weijiang\": [\"");
        assertThat(run("gateway", "bench", "--help").out()).startsWith("Usage: salespulse gateway bench");
    }

    @Test
    void badSimulateOptionsAreUsageErrors() {
        Run speed = run("simulate", "--speed", "warp");
        assertThat(speed.exitCode()).isEqualTo(2);
        assertThat(speed.err()).contains("speed").contains("'warp'");

        Run inject = run("simulate", "--inject", "conversion-drop:region=mars,from=day+2");
        assertThat(inject.exitCode()).isEqualTo(2);
        assertThat(inject.err()).contains("--inject").contains("mars");

        Run to = run("simulate", "--to", "carrier-pigeon");
        assertThat(to.exitCode()).isEqualTo(2);
        assertThat(to.err()).contains("--to");

        Run token = run("simulate", "--to", "gateway", "--gateway-token", "");
        assertThat(token.exitCode()).isEqualTo(2);
        assertThat(token.err()).contains("SALESPULSE_GATEWAY_TOKEN");
    }
}

package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.producers.gateway.GatewaySetting;
import org.junit.jupiter.api.Test;

/** Parsing and start-up errors of `gateway` and the new `simulate` options; nothing here starts a broker. */
class GatewayCommandLineTest {

    @Test
    void gatewayWithoutATokensFileNamesTheSetting() {
        CliRun r = CliRun.of("gateway", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("gateway.tokens-file").contains("SALESPULSE_GATEWAY_TOKENS_FILE")
                .doesNotContain("\tat ");
    }

    @Test
    void badGatewaySettingsAreNamed() {
        CliRun timeout = CliRun.of("gateway", "--tokens-file", "/nonexistent.json", "--publish-timeout", "soon");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("gateway.publish-timeout").contains("'soon'");

        CliRun batch = CliRun.of("gateway", "--tokens-file", "/nonexistent.json", "--max-batch-events", "0");
        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).contains("gateway.max-batch-events").contains("SALESPULSE_GATEWAY_MAX_BATCH_EVENTS");

        CliRun importTimeout = CliRun.of("gateway", "--tokens-file", "/nonexistent.json", "--import-timeout", "1s");
        assertThat(importTimeout.exitCode()).isEqualTo(2);
        assertThat(importTimeout.err()).contains("gateway.import-timeout").contains("SALESPULSE_GATEWAY_IMPORT_TIMEOUT")
                .contains("between 3s and 24h");
        CliRun imports = CliRun.of("gateway", "--tokens-file", "/nonexistent.json", "--topic-imports", " ");
        assertThat(imports.exitCode()).isEqualTo(2);
        assertThat(imports.err()).contains("topic.imports").contains("SALESPULSE_TOPIC_IMPORTS");

        CliRun missing = CliRun.of("gateway", "--tokens-file", "/nonexistent.json");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("gateway.tokens-file").contains("no readable file");
    }

    /** The compose service's entry point ({@code SalesPulse gateway}): usage and every setting, exit 0, nothing started. */
    @Test
    void gatewayHelpListsEverySettingAndExitsZero() {
        CliRun r = CliRun.of("gateway", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: salespulse gateway").contains("GET /healthz, GET /metrics")
                .doesNotContain("Gateway listening");
        String flat = r.out().replaceAll("\\s+", " ");
        for (GatewaySetting s : GatewaySetting.values()) {
            String shown = s.defaultValue() == null ? "(required)" : s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue();
            String names = s.flag().equals("--" + s.key()) ? s.flag() : s.flag() + ", --" + s.key();
            assertThat(flat).as(s.key()).contains(names + "=<value> " + s.description()
                    + " default: " + shown + " env: " + s.env());
        }
    }

    @Test
    void hashTokenGeneratesATokenAndItsHash() {
        CliRun r = CliRun.of("gateway", "hash-token", "--generate", "--tenant", "weijiang");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("token: +[A-Za-z0-9_-]{43}").containsPattern("sha256: [0-9a-f]{64}")
                .contains("{\"tenants\": {\"weijiang\": [\"");
        assertThat(CliRun.of("gateway", "bench", "--help").out()).startsWith("Usage: salespulse gateway bench");
    }

    @Test
    void badSimulateOptionsAreUsageErrors() {
        CliRun speed = CliRun.of("simulate", "--speed", "warp");
        assertThat(speed.exitCode()).isEqualTo(2);
        assertThat(speed.err()).contains("speed").contains("'warp'");

        CliRun inject = CliRun.of("simulate", "--inject", "conversion-drop:region=mars,from=day+2");
        assertThat(inject.exitCode()).isEqualTo(2);
        assertThat(inject.err()).contains("--inject").contains("mars");

        CliRun to = CliRun.of("simulate", "--to", "carrier-pigeon");
        assertThat(to.exitCode()).isEqualTo(2);
        assertThat(to.err()).contains("--to");

        CliRun token = CliRun.of("simulate", "--to", "gateway", "--gateway-token", "");
        assertThat(token.exitCode()).isEqualTo(2);
        assertThat(token.err()).contains("SALESPULSE_GATEWAY_TOKEN");
    }
}

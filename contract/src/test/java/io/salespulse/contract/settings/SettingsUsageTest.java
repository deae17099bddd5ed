package io.salespulse.contract.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsUsageTest {

    @Test
    void everySettingWithKeyFlagVariableDefaultAndMeaning() {
        SettingSpec<String> envOnly = SettingSpec.envOnly("SALESPULSE_DEMO_HOST", SettingType.text(), "127.0.0.1",
                "Address to listen on");
        String help = SettingsUsage.render("demo [--<setting> <value>]...", List.of("Runs the demo."),
                List.of(SettingsSchemaTest.Demo.SLA_NEEDS, SettingsSchemaTest.Demo.PASSWORD,
                        SettingsSchemaTest.Demo.TOKENS, envOnly), List.of("More: docs/configuration.md"));
        assertThat(help).startsWith("Usage: demo [--<setting> <value>]...\nRuns the demo.\n\n")
                .contains("  sla.needs  (flag --sla-needs <value>, env SALESPULSE_SLA_NEEDS)\n      Needs SLA (")
                .contains("      default: 72h\n")
                .contains("  clickhouse.password  (flag --clickhouse-password <value>, env SALESPULSE_CLICKHOUSE_PASSWORD)")
                .contains(", secret)\n      default: (empty)\n")
                .contains("  demo.tokens-file  (flag --demo-tokens-file <value>, env SALESPULSE_DEMO_TOKENS_FILE)")
                .contains("      default: (required)\n")
                .contains("  SALESPULSE_DEMO_HOST  (environment only)\n      Address to listen on (text)\n"
                        + "      default: 127.0.0.1\n")
                .endsWith("\nMore: docs/configuration.md\n");
    }

    @Test
    void helpIsAskedForAnywhereOnTheLine() {
        assertThat(SettingsUsage.wantsHelp(new String[] {"--kafka-bootstrap", "k:9092", "--help"})).isTrue();
        assertThat(SettingsUsage.wantsHelp(new String[] {"-h"})).isTrue();
        assertThat(SettingsUsage.wantsHelp(new String[] {"--kafka-bootstrap", "k:9092"})).isFalse();
    }
}

package io.salespulse.contract.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loading settings: names, precedence, the one error format, secrets, required values, checks across settings. */
class SettingsSchemaTest {

    /** A small service's settings, as services declare theirs. */
    enum Demo implements SettingKey {
        KAFKA_BOOTSTRAP(SharedSettings.KAFKA_BOOTSTRAP),
        SLA_NEEDS(SettingSpec.of("sla.needs", SettingType.positiveDuration(), "72h", "Needs SLA")),
        PASSWORD(SharedSettings.CLICKHOUSE_PASSWORD),
        PORT(SettingSpec.of("demo.port", SettingType.integer(0, 65535), "8080", "Port").withFlag("--port")),
        TOKENS(SettingSpec.required("demo.tokens-file", SettingType.path(), "Tokens file"));

        private final SettingSpec<?> spec;

        Demo(SettingSpec<?> spec) {
            this.spec = spec;
        }

        @Override
        public SettingSpec<?> spec() {
            return spec;
        }
    }

    private static final SettingsSchema<Demo> SCHEMA = SettingsSchema.of(Demo.values());
    private static final Map<String, String> TOKENS = Map.of("SALESPULSE_DEMO_TOKENS_FILE", "tokens.json");

    @Test
    void namesFollowTheKey() {
        assertThat(Demo.SLA_NEEDS.flag()).isEqualTo("--sla-needs");
        assertThat(Demo.SLA_NEEDS.env()).isEqualTo("SALESPULSE_SLA_NEEDS");
        assertThat(Demo.KAFKA_BOOTSTRAP.env()).isEqualTo("SALESPULSE_KAFKA_BOOTSTRAP");
        assertThat(SharedSettings.EVENT_MAX_FUTURE_SKEW.env()).isEqualTo("SALESPULSE_EVENT_MAX_FUTURE_SKEW");
        assertThat(Demo.PORT.flag()).isEqualTo("--port");
        assertThat(Demo.PORT.env()).isEqualTo("SALESPULSE_DEMO_PORT");
        for (String name : new String[] {"--sla-needs", "--sla.needs", "sla.needs", "sla-needs"}) {
            assertThat(SCHEMA.byName(name)).as(name).isEqualTo(Demo.SLA_NEEDS);
        }
        assertThat(SCHEMA.byName("--port")).isEqualTo(Demo.PORT);
        assertThat(SCHEMA.byName("--demo.port")).isEqualTo(Demo.PORT);
        assertThat(SCHEMA.byName("--sla")).isNull();
    }

    @Test
    void aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Settings<Demo> s = SCHEMA.load(new String[] {"--sla-needs", "36h", "--kafka.bootstrap=k1:9092"},
                Map.of("SALESPULSE_SLA_NEEDS", "12h", "SALESPULSE_KAFKA_BOOTSTRAP", "env:9092", "SALESPULSE_DEMO_PORT", " 81 ",
                        "SALESPULSE_DEMO_TOKENS_FILE", "tokens.json"));
        assertThat(s.<Duration>get(Demo.SLA_NEEDS)).isEqualTo(Duration.ofHours(36));
        assertThat(s.<String>get(Demo.KAFKA_BOOTSTRAP)).isEqualTo("k1:9092");
        assertThat(s.<Integer>get(Demo.PORT)).isEqualTo(81);
        assertThat(s.raw(Demo.PORT)).isEqualTo("81");
        assertThat(s.<Path>get(Demo.TOKENS)).isEqualTo(Path.of("tokens.json"));

        Settings<Demo> defaults = SCHEMA.load(new String[0], TOKENS);
        assertThat(defaults.<Duration>get(Demo.SLA_NEEDS)).isEqualTo(Duration.ofHours(72));
        assertThat(defaults.<String>get(Demo.PASSWORD)).isEmpty();
        assertThat(defaults.describe()).containsExactly("kafka.bootstrap = 127.0.0.1:9092", "sla.needs = 72h",
                "clickhouse.password = (empty)", "demo.port = 8080", "demo.tokens-file = tokens.json");
    }

    @Test
    void aBadValueIsOneLineNamingKeyFlagAndVariable() {
        assertThatThrownBy(() -> SCHEMA.load(new String[0], Map.of("SALESPULSE_SLA_NEEDS", "soon",
                "SALESPULSE_DEMO_TOKENS_FILE", "t.json")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Invalid setting sla.needs (flag --sla-needs, env SALESPULSE_SLA_NEEDS) = 'soon': 'soon' is not"
                        + " a duration (use e.g. 48h, 90m, 7d, 500ms or PT48H)");
        assertThatThrownBy(() -> SCHEMA.load(new String[] {"--port", "0x50"}, TOKENS))
                .hasMessage("Invalid setting demo.port (flag --port, env SALESPULSE_DEMO_PORT) = '0x50': not a whole number");
    }

    @Test
    void aRequiredSettingWithoutAValueStopsStartUp() {
        assertThatThrownBy(() -> SCHEMA.load(new String[0], Map.of()))
                .hasMessage("Invalid setting demo.tokens-file (flag --demo-tokens-file, env SALESPULSE_DEMO_TOKENS_FILE)"
                        + " = (none): is required: Tokens file");
        assertThatThrownBy(() -> SCHEMA.load(new String[] {"--demo-tokens-file", " "}, Map.of()))
                .hasMessageContaining("is required");
    }

    @Test
    void secretsAreNeverShown() {
        Settings<Demo> s = SCHEMA.load(new String[] {"--clickhouse-password", "s3cret!"}, TOKENS);
        assertThat(s.<String>get(Demo.PASSWORD)).isEqualTo("s3cret!");
        assertThat(String.join("\n", s.describe())).doesNotContain("s3cret!").contains("clickhouse.password = ***");
        assertThat(s.shown()).containsEntry("clickhouse.password", "***");
        SettingSpec<Integer> secretNumber = SettingSpec.of("x.pin", SettingType.integer(0, 9), "0", "PIN").asSecret();
        assertThatThrownBy(() -> secretNumber.parse("12345"))
                .hasMessage("Invalid setting x.pin (flag --x-pin, env SALESPULSE_X_PIN) = ***: must be between 0 and 9");
    }

    @Test
    void theCommandLineNamesOnlySettings() {
        assertThatThrownBy(() -> SCHEMA.load(new String[] {"--no-such-thing", "1"}, TOKENS))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting --no-such-thing (see --help or docs/configuration.md)");
        assertThatThrownBy(() -> SCHEMA.load(new String[] {"--sla-needs"}, TOKENS))
                .hasMessage("Setting --sla-needs has no value");
        assertThatThrownBy(() -> SCHEMA.load(new String[] {"72h"}, TOKENS))
                .hasMessage("Unexpected argument '72h': settings are given as --name value");
        Settings<Demo> s = SCHEMA.loadIgnoringOtherFlags(
                new String[] {"--parallelism", "4", "--sla-needs", "1d", "--other=x"}, TOKENS);
        assertThat(s.<Duration>get(Demo.SLA_NEEDS)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void copiesAreCheckedAgainAndChecksAcrossSettingsUseTheSameFormat() {
        Settings<Demo> s = SCHEMA.load(new String[0], TOKENS);
        assertThat(s.with(Map.of(Demo.PORT, "9090")).<Integer>get(Demo.PORT)).isEqualTo(9090);
        assertThat(s.<Integer>get(Demo.PORT)).isEqualTo(8080);
        assertThatThrownBy(() -> s.with(Map.of(Demo.PORT, "-1"))).hasMessageContaining("must be between 0 and 65535");
        assertThat(s.invalid(Demo.SLA_NEEDS, "must be shorter than state.ttl")).hasMessage(
                "Invalid setting sla.needs (flag --sla-needs, env SALESPULSE_SLA_NEEDS) = '72h': must be shorter than state.ttl");
    }

    @Test
    void aVariableWithoutAKeyComesFromTheEnvironment() {
        SettingSpec<Integer> port = SettingSpec.envOnly("SALESPULSE_STUB_PORT", SettingType.integer(0, 65535), "8089", "Port");
        assertThat(port.fromEnv(Map.of())).isEqualTo(8089);
        assertThat(port.fromEnv(Map.of("SALESPULSE_STUB_PORT", "0"))).isZero();
        assertThat(port.key()).isNull();
        assertThatThrownBy(() -> port.fromEnv(Map.of("SALESPULSE_STUB_PORT", "x")))
                .hasMessage("Invalid setting SALESPULSE_STUB_PORT = 'x': not a whole number");
    }

    @Test
    void settingsSurviveSerialization() throws Exception {
        Settings<Demo> s = SCHEMA.load(new String[] {"--sla-needs", "5h"}, TOKENS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            @SuppressWarnings("unchecked")
            Settings<Demo> copy = (Settings<Demo>) in.readObject();
            assertThat(copy.<Duration>get(Demo.SLA_NEEDS)).isEqualTo(Duration.ofHours(5));
            assertThat(copy.describe()).isEqualTo(s.describe());
        }
    }
}

package io.salespulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.settings.SettingKey;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.wecom.WeComStub;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose services' main classes as compose and people run them ({@code java -cp ... <Main>}): {@code --help}
 * prints the usage and every setting and exits 0 without starting anything; a bad setting is one line and exit 2; a
 * notifier that stops on a failure exits 1 instead of lingering with its HTTP server up.
 */
class EntryPointsTest {

    record Run(int exitCode, String out, String err) {}

    private static Run java(String mainClass, String... args) throws Exception {
        return java(Map.of(), mainClass, args);
    }

    private static Run java(Map<String, String> env, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        File out = File.createTempFile("entry-point", ".out");
        File err = File.createTempFile("entry-point", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(mainClass + " " + String.join(" ", args) + " still runs after 60 s");
            }
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** Each setting as a block: name (key, flag, variable), meaning and type, default. */
    private static void listsEverySetting(String help, List<? extends SettingKey> settings) {
        for (SettingKey s : settings) {
            String head = s.key() == null ? s.env() + "  (environment only)"
                    : s.key() + "  (flag " + s.flag() + " <value>, env " + s.env() + ")";
            String shown = s.defaultValue() == null ? "(required)" : s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue();
            assertThat(help).contains("  " + head + "\n      " + s.description() + " (" + s.spec().type().summary()
                    + (s.secret() ? ", secret" : "") + ")\n      default: " + shown + "\n");
        }
    }

    @Test
    void notifierMainHelpListsEverySettingAndExitsZero() throws Exception {
        Run r = java("io.salespulse.notifier.NotifierMain", "--help");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(NotifierMain.usage())
                .startsWith("Usage: java -cp <salespulse-cli.jar:lib/*> io.salespulse.notifier.NotifierMain")
                .contains("GET /healthz", "GET /metrics", "GET|POST /alert");
        listsEverySetting(r.out(), NotifierConfig.SCHEMA.settings());
        assertThat(r.out()).contains("  notifier.health-stall  (flag --notifier-health-stall <value>, env"
                + " SALESPULSE_NOTIFIER_HEALTH_STALL)\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void notifierMainBadSettingIsOneLineAndExitsTwo() throws Exception {
        Run r = java("io.salespulse.notifier.NotifierMain", "--notifier-rate-per-minute", "99");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Invalid setting notifier.rate-per-minute").doesNotContain("\tat ");
    }

    @Test
    void aMissingOrShortLinkSecretStopsStartUpNamingTheKeyNotTheValue() throws Exception {
        Run missing = java(Map.of(), "io.salespulse.notifier.NotifierMain");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: ").contains("notifier.link-secret").contains("SALESPULSE_NOTIFIER_LINK_SECRET");
        Run shortOne = java(Map.of("SALESPULSE_NOTIFIER_LINK_SECRET", "tooShortSecret42"), "io.salespulse.notifier.NotifierMain");
        assertThat(shortOne.exitCode()).isEqualTo(2);
        assertThat(shortOne.err()).contains("notifier.link-secret").contains("at least 32 characters")
                .doesNotContain("tooShortSecret42");
    }

    @Test
    void aNotifierThatStopsOnAFailureExitsOne(@TempDir Path dir) throws Exception {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, "default_route: hz\nroutes:\n  hz: {}\n");
        // Nothing listens on port 1: the first ClickHouse call at start fails, which stops the notifier.
        Run r = java(Map.of("SALESPULSE_WECOM_KEY_HZ", "key-entry-point-0001",
                "SALESPULSE_CLICKHOUSE_URL", "jdbc:clickhouse://127.0.0.1:1/default",
                "SALESPULSE_KAFKA_BOOTSTRAP", "127.0.0.1:1", "SALESPULSE_NOTIFIER_ACK_PORT", "0",
                "SALESPULSE_NOTIFIER_LINK_SECRET", "entry-points-test-secret-0123456789"),
                "io.salespulse.notifier.NotifierMain", "--notifier-routes", routes.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("The notifier stopped");
    }

    @Test
    void weComStubHelpListsItsVariablesAndExitsZeroWithoutListening() throws Exception {
        Run r = java("io.salespulse.notifier.wecom.WeComStub", "--help");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(WeComStub.usage())
                .startsWith("Usage: java -cp <salespulse-cli.jar:lib/*> io.salespulse.notifier.wecom.WeComStub")
                .contains("POST /cgi-bin/webhook/send?key=K", "GET /messages")
                .doesNotContain("listening");
        listsEverySetting(r.out(), List.of(WeComStub.HOST, WeComStub.PORT));
        assertThat(r.out()).contains("  SALESPULSE_WECOM_STUB_PORT  (environment only)\n");
    }
}

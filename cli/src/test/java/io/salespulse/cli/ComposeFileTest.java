package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What `docker-compose config` cannot say about docker-compose.yml (CI runs that too, in bin/salespulse test): every
 * variable it reads is named in .env.example, every service's log is size-limited, no service mounts the host's build
 * output (the SalesPulse image has the jars), images are pinned, the ClickHouse server is the release of the engine the
 * tests run on, and the supervisor service runs the script ClusterFaultTest proves.
 */
class ComposeFileTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws Exception {
        // SnakeYAML resolves the file's anchors and `<<` merge keys as Compose does.
        Map<String, Object> root = new Yaml().load(Files.readString(COMPOSE));
        return (Map<String, Map<String, Object>>) root.get("services");
    }

    @Test
    void everyVariableTheComposeFileReadsIsInEnvExample() throws Exception {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(Files.readString(COMPOSE));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).as("variables in docker-compose.yml").contains("CLICKHOUSE_PASSWORD", "WECOM_URL",
                "SALESPULSE_WECOM_KEY_OPS", "NOTIFIER_ACK_BASE_URL", "CLICKHOUSE_NOTIFIER_PASSWORD");
        Set<String> named = new TreeSet<>();
        for (String line : Files.readAllLines(ROOT.resolve(".env.example"), StandardCharsets.UTF_8)) {
            Matcher v = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=").matcher(line);
            if (v.find()) {
                named.add(v.group(1));
            }
        }
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(named);
        assertThat(missing).as("variables of docker-compose.yml that .env.example does not name").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceLogsWithASizeLimitAndRunsAPinnedImageWithoutHostBuildOutput() throws Exception {
        Map<String, Map<String, Object>> services = services();
        assertThat(services).containsKeys("supervisor", "prometheus", "alertmanager", "notifier", "gateway", "wecom-stub");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            String name = e.getKey();
            Map<String, Object> s = e.getValue();
            Map<String, Object> logging = (Map<String, Object>) s.get("logging");
            Map<String, Object> options = logging == null ? Map.of() : (Map<String, Object>) logging.get("options");
            if (logging == null || !"json-file".equals(logging.get("driver")) || options == null
                    || options.get("max-size") == null || options.get("max-file") == null) {
                problems.add(name + ": no json-file logging with max-size and max-file");
            }
            String image = String.valueOf(s.get("image"));
            if (!image.matches("[a-z0-9./_-]+:[A-Za-z0-9.${}:_-]+") || image.endsWith(":latest")) {
                problems.add(name + ": image not pinned to a tag: " + image);
            }
            for (Object v : (List<Object>) s.getOrDefault("volumes", List.of())) {
                if (String.valueOf(v).contains("/target")) {
                    problems.add(name + ": mounts build output from the host: " + v);
                }
            }
            if (image.startsWith("salespulse:") && !s.containsKey("build")) {
                problems.add(name + ": runs the SalesPulse image but does not say how to build it");
            }
        }
        assertThat(problems).isEmpty();
        Map<String, Object> stub = services.get("wecom-stub");
        assertThat(stub).as("wecom-stub").containsKey("healthcheck");
        assertThat(String.valueOf(services.get("notifier").get("depends_on"))).contains("wecom-stub={condition=service_healthy}");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNotifierWritesAsItsOwnUserAndTheJobsAsTheWriter() throws Exception {
        Map<String, Map<String, Object>> services = services();
        Map<String, Object> notifier = (Map<String, Object>) services.get("notifier").get("environment");
        assertThat(String.valueOf(notifier.get("SALESPULSE_CLICKHOUSE_USER"))).contains("CLICKHOUSE_NOTIFIER_USER")
                .doesNotContain("${CLICKHOUSE_USER");
        Map<String, Object> supervisor = (Map<String, Object>) services.get("supervisor").get("environment");
        assertThat(String.valueOf(supervisor.get("SALESPULSE_CLICKHOUSE_USER"))).contains("CLICKHOUSE_WRITER_USER");
        assertThat(String.valueOf(services.get("supervisor").get("command"))).contains("/opt/salespulse/deploy/supervise.sh");
        assertThat(String.valueOf(services.get("supervisor").get("restart"))).isEqualTo("unless-stopped");
        Map<String, Object> access = (Map<String, Object>) services.get("access").get("environment");
        assertThat(access).containsKeys("CLICKHOUSE_NOTIFIER_USER", "CLICKHOUSE_NOTIFIER_PASSWORD");
    }

    /** The server image is the release (year.month) of the chDB engine bin/install-chdb pins for the tests. */
    @Test
    void theClickHouseServerIsTheReleaseOfTheTestEngine() throws Exception {
        Matcher engine = Pattern.compile("LIB_VERSION=\"(\\d+)\\.(\\d+)\\.").matcher(Files.readString(ROOT.resolve("bin/install-chdb")));
        assertThat(engine.find()).as("the chDB version in bin/install-chdb").isTrue();
        String release = engine.group(1) + "." + engine.group(2);
        for (String service : List.of("clickhouse", "access")) {
            assertThat(String.valueOf(services().get(service).get("image"))).as(service)
                    .isEqualTo("clickhouse/clickhouse-server:" + release);
        }
    }

    /**
     * A fresh `docker compose up` starts the gateway with the example tokens file (no crash loop), and the demo token
     * the docs give belongs to the simulator's tenant; a real tokens.json stays out of git.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theGatewayStartsFromTheExampleTokensFile() throws Exception {
        Map<String, Object> env = (Map<String, Object>) services().get("gateway").get("environment");
        assertThat(String.valueOf(env.get("SALESPULSE_GATEWAY_TOKENS_FILE"))).contains("${GATEWAY_TOKENS_FILE:-tokens.example.json}");
        io.salespulse.producers.gateway.TenantTokens tokens = io.salespulse.producers.gateway.TenantTokens.load(
                ROOT.resolve("deploy/gateway/tokens.example.json"));
        assertThat(tokens.tenantOf("demo-weijiang-token-replace-me")).contains("weijiang");
        assertThat(tokens.tenantOf("demo-weijiang-token-replace-m")).isEmpty();
        assertThat(Files.readString(ROOT.resolve("docs/gateway.md"))).contains("demo-weijiang-token-replace-me");
        assertThat(Files.readString(ROOT.resolve(".gitignore"))).contains("deploy/gateway/tokens.json");
    }

    /** The Dockerfile copies what the services run from: the job jar, the CLI, the deploy scripts, the reporter. */
    @Test
    void theDockerfileBuildsTheJarsTheServicesRun() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("FROM flink:2.2.1-scala_2.12-java17", "salespulse-pipeline-*-job.jar",
                "cli/target/salespulse-cli.jar", "/opt/salespulse/deploy/", "flink-metrics-prometheus-",
                "/opt/flink/plugins/metrics-prometheus/");
        // Every module the build names exists, with its pom (COPY fails on a missing path).
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
        while (copy.find()) {
            assertThat(ROOT.resolve(copy.group(1))).as("COPY " + copy.group(1)).exists();
        }
        // What the Dockerfile's Maven step produces is what a build here produces: the same modules and files.
        assertThat(ROOT.resolve("cluster/pom.xml")).content().contains("flink-metrics-prometheus");
    }

    /** docker-compose (CI installs it) accepts the file with .env.example, as `docker compose up` would read it. */
    @Test
    void dockerComposeConfigAcceptsTheFile() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v docker-compose").start();
        if (which.waitFor() != 0) {
            assertThat(System.getenv("CI")).as("docker-compose is missing on CI").isNull();
            System.out.println("docker-compose not installed here: bin/salespulse test runs it on CI");
            return;
        }
        Process p = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "--env-file",
                ROOT.resolve(".env.example").toString(), "config", "--services").redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().toList()).contains("supervisor", "prometheus", "alertmanager");
    }
}

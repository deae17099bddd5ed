package io.salespulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations dashboard (dashboards/ops/, Prometheus; DashboardsTest checks the ClickHouse ones): its datasource is
 * provisioned, every panel's PromQL parses (promtool, as a recording rule) and names only metrics the alert rules
 * use, whose names the scrape tests check against the real Flink cluster, gateway and notifier.
 */
class OpsDashboardTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DASHBOARD = ROOT.resolve("dashboards/ops/salespulse-operations.json");
    /** A metric name: a word with an underscore, not followed by '(' (a function) and not a label (followed by '='). */
    static final Pattern METRIC = Pattern.compile("\\b([a-z][a-zA-Z0-9]*_[a-zA-Z0-9_]+)\\b(?!\\s*\\()(?!\\s*[=!~])");

    @TempDir
    Path dir;

    private static List<String> expressions() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            assertThat(p.path("title").asText()).as("panel title").containsPattern("\\p{IsHan}");
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("salespulse-prometheus");
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        return out;
    }

    @Test
    void itsDatasourceIsProvisionedAndItsUidIsItsOwn() throws Exception {
        JsonNode ds = new YAMLMapper().readTree(ROOT.resolve("dashboards/provisioning/datasources/prometheus.yaml").toFile());
        assertThat(ds.path("datasources").get(0).path("uid").asText()).isEqualTo("salespulse-prometheus");
        assertThat(ds.path("datasources").get(0).path("url").asText()).isEqualTo("http://prometheus:9090");
        assertThat(expressions()).hasSizeGreaterThanOrEqualTo(10);
        Set<String> uids = new TreeSet<>();
        try (var files = Files.list(ROOT.resolve("dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                uids.add(new ObjectMapper().readTree(f.toFile()).path("uid").asText());
            }
        }
        assertThat(uids).doesNotContain(new ObjectMapper().readTree(DASHBOARD.toFile()).path("uid").asText());
    }

    @Test
    void everyPanelNamesOnlyMetricsTheAlertRulesUse() throws Exception {
        String rules = Files.readString(ROOT.resolve("deploy/prometheus/rules/salespulse.yml"));
        Set<String> unknown = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher m = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
            while (m.find()) {
                String name = m.group(1);
                if (!name.equals("job_name") && !rules.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        assertThat(unknown).as("metrics in the dashboard that the alert rules (and so the scrape tests) do not name").isEmpty();
    }

    @Test
    void everyPanelExpressionParses() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v promtool").start();
        if (which.waitFor() != 0) {
            assertThat(System.getenv("CI")).as("promtool is missing on CI (.ci/run installs prometheus)").isNull();
            System.out.println("promtool not installed here (apt-get install prometheus): expressions not parsed");
            return;
        }
        StringBuilder yaml = new StringBuilder("groups:\n  - name: operations-dashboard\n    rules:\n");
        int i = 0;
        for (String expr : expressions()) {
            yaml.append("      - record: dashboard_panel_").append(i++).append("\n        expr: ")
                    .append(new ObjectMapper().writeValueAsString(expr)).append('\n');
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, yaml);
        assertThat(promtool(file)).as("promtool check rules on the dashboard's expressions").contains("SUCCESS");
        // And the check can fail: a broken expression is refused.
        Files.writeString(file, "groups:\n  - name: broken\n    rules:\n      - record: broken\n        expr: \"sum by (job (up)\"\n");
        assertThat(promtool(file)).doesNotContain("SUCCESS");
    }

    private static String promtool(Path rules) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}

package io.salespulse.notifier.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.notifier.config.NotifierConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingRulesTest {
    private static final String YAML = """
            default_route: ops
            routes:
              ops: {}
              hz-west: {key_env: HZW_KEY}
              hot: {}
            rules:
              - match: {region: hz-west, level: team}
                routes: [hz-west]
              - match: {severity: high}
                routes: [hot]
            users: {r-003: zhangsan}
            escalation:
              window: 4h
              windows:
                - match: {type: stage_overdue, severity: high}
                  window: 2h
            """;

    @TempDir
    Path dir;

    /** The shipped routing file: receivables past due go to the finance group, besides the region's usual routes. */
    @Test
    void theShippedFileSendsOverdueReceivablesToFinance() throws Exception {
        RoutingRules r = RoutingRules.parse(Files.readString(Path.of("..", "deploy", "notifier", "routes.yaml")),
                "routes.yaml");
        assertThat(r.routesFor(new AlertFacts("w", "sh", "t-1", "receivable_overdue", "normal", "team")))
                .extracting(Route::name).containsExactly("finance");
        assertThat(r.routesFor(new AlertFacts("w", "hz-west", "t-3", "receivable_overdue", "normal", "team")))
                .extracting(Route::name).containsExactly("hz-west-team", "finance");
        // Its escalations (type escalation) climb like any alert's: finance is told of the alert, managers of the
        // escalation.
        assertThat(r.routesFor(new AlertFacts("w", "hz-west", "t-3", "escalation", "normal", "region")))
                .extracting(Route::name).containsExactly("hz-west-managers");
        assertThat(r.routesFor(new AlertFacts("w", "sh", "t-1", "stage_overdue", "normal", "team")))
                .extracting(Route::name).containsExactly("ops");
        assertThat(r.escalationWindow(new AlertFacts("w", "sh", "t-1", "receivable_overdue", "normal", "team")))
                .isEqualTo(Duration.ofHours(4));
    }

    @Test
    void everyMatchingRuleContributesElseTheDefault() {
        RoutingRules r = RoutingRules.parse(YAML, "routes.yaml");
        assertThat(r.routesFor(new AlertFacts("w", "hz-west", "t-3", "stage_overdue", "high", "team")))
                .extracting(Route::name).containsExactly("hz-west", "hot");
        assertThat(r.routesFor(new AlertFacts("w", "sh", "t-1", "stage_overdue", "normal", "team")))
                .extracting(Route::name).containsExactly("ops");
        assertThat(r.escalationWindow(new AlertFacts("w", "sh", "t-1", "stage_overdue", "high", "team"))).isEqualTo(Duration.ofHours(2));
        assertThat(r.escalationWindow(new AlertFacts("w", "sh", "t-1", "coaching", "high", "team"))).isEqualTo(Duration.ofHours(4));
        assertThat(r.wecomUser("r-003")).contains("zhangsan");
    }

    @Test
    void badConfigNamesTheKey() {
        assertThatThrownBy(() -> RoutingRules.parse(YAML.replace("{severity: high}", "{sevrity: high}"), "routes.yaml"))
                .isInstanceOf(NotifierConfigException.class).hasMessageContaining("routes.yaml")
                .hasMessageContaining("'rules[1].match.sevrity'");
        assertThatThrownBy(() -> RoutingRules.parse(YAML.replace("routes: [hot]", "routes: [hott]"), "routes.yaml"))
                .hasMessageContaining("'rules[1].routes'").hasMessageContaining("'hott'");
        assertThatThrownBy(() -> RoutingRules.parse(YAML.replace("default_route: ops", "default_route: nope"), "f"))
                .hasMessageContaining("'default_route'");
        assertThatThrownBy(() -> RoutingRules.parse(YAML.replace("window: 2h", "window: soon"), "f"))
                .hasMessageContaining("'escalation.windows[0].window'");
        assertThatThrownBy(() -> RoutingRules.parse(YAML.replace("level: team", "level: ceo"), "f"))
                .hasMessageContaining("'rules[0].match.level'");
    }

    @Test
    void urgentRulesAndInhibitionsAreReadAndCheckedByKey() {
        String yaml = """
                default_route: ops
                routes: {ops: {}, team: {}}
                rules:
                  - match: {type: funnel_drop}
                    routes: [team]
                    urgent: true
                inhibit:
                  - source: {type: funnel_drop}
                    ended_by: funnel_recovery
                    target: {type: stage_overdue}
                    equal: [tenant, region, stage]
                    group_interval: 2h
                """;
        RoutingRules r = RoutingRules.parse(yaml, "f");
        AlertFacts drop = new AlertFacts("w", "hz", "t-1", "funnel_drop", "high", "team");
        assertThat(r.urgent(drop, "team")).isTrue();
        assertThat(r.urgent(drop, "ops")).isFalse();
        assertThat(r.urgent(new AlertFacts("w", "hz", "t-1", "stage_overdue", "high", "team"), "team")).isFalse();
        RoutingRules.Inhibition i = r.inhibitions().get(0);
        assertThat(i.groupInterval()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(i.isSource(drop)).isTrue();
        assertThat(i.isTarget(drop)).isFalse();
        assertThat(i.endedBy()).isEqualTo("funnel_recovery");

        assertThatThrownBy(() -> RoutingRules.parse(yaml.replace("urgent: true", "urgent: yes please"), "f"))
                .hasMessageContaining("'rules[0].urgent' must be true or false");
        assertThatThrownBy(() -> RoutingRules.parse(yaml.replace("[tenant, region, stage]", "[region, stage]"), "f"))
                .hasMessageContaining("'inhibit[0].equal' must include tenant");
        assertThatThrownBy(() -> RoutingRules.parse(yaml.replace("[tenant, region, stage]", "[tenant, colour]"), "f"))
                .hasMessageContaining("'inhibit[0].equal' names 'colour'");
        assertThatThrownBy(() -> RoutingRules.parse(yaml.replace("target: {type: stage_overdue}", "target: {}"), "f"))
                .hasMessageContaining("'inhibit[0].target' must match on at least one field");
        assertThatThrownBy(() -> RoutingRules.parse(yaml.replace("group_interval: 2h", "group_intervall: 2h"), "f"))
                .hasMessageContaining("'inhibit[0].group_intervall' is not a known key");
    }

    @Test
    void missingOrMalformedKeysNameTheRouteAndNeverShowAKey() {
        RoutingRules r = RoutingRules.parse(YAML, "f");
        assertThatThrownBy(() -> WebhookKeys.resolve(r.routes(), Map.of("HZW_KEY", "k-12345678", "SALESPULSE_WECOM_KEY_OPS",
                "k-abcdefgh"), null)).hasMessageContaining("route 'hot'").hasMessageContaining("SALESPULSE_WECOM_KEY_HOT")
                .hasMessageNotContaining("k-12345678");
        assertThatThrownBy(() -> WebhookKeys.resolve(r.routes(), Map.of("HZW_KEY", "bad key with spaces!",
                "SALESPULSE_WECOM_KEY_OPS", "k-abcdefgh", "SALESPULSE_WECOM_KEY_HOT", "k-hot12345"), null))
                .hasMessageContaining("route 'hz-west'").hasMessageNotContaining("bad key");
        WebhookKeys keys = WebhookKeys.resolve(r.routes(), Map.of("HZW_KEY", "k-12345678", "SALESPULSE_WECOM_KEY_OPS",
                "k-abcdefgh", "SALESPULSE_WECOM_KEY_HOT", "k-hot12345"), null);
        assertThat(keys.keyOf("hz-west")).isEqualTo("k-12345678");
        assertThat(keys.toString()).doesNotContain("k-12345678");
    }

    @Test
    void reloadTakesAGoodEditAndKeepsTheRulesOnABadOne() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Path secrets = dir.resolve("keys.properties");
        Files.writeString(file, YAML);
        Files.writeString(secrets, "ops=k-abcdefgh\nhz-west=k-12345678\nhot=k-hot12345\nsh=k-sh123456\n");
        RoutingFile routing = RoutingFile.load(file, secrets, Map.of());
        AlertFacts sh = new AlertFacts("w", "sh", "t-1", "stage_overdue", "normal", "team");
        assertThat(routing.current().rules().routesFor(sh)).extracting(Route::name).containsExactly("ops");

        Files.writeString(file, YAML.replace("  hot: {}", "  hot: {}\n  sh: {}")
                .replace("rules:", "rules:\n  - match: {region: sh}\n    routes: [sh]"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(routing.reloadIfChanged()).isTrue();
        assertThat(routing.current().rules().routesFor(sh)).extracting(Route::name).containsExactly("sh");

        Files.writeString(file, "default_route: [");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(routing.reloadIfChanged()).isFalse();
        assertThat(routing.current().rules().routesFor(sh)).extracting(Route::name).containsExactly("sh");
    }
}

package io.salespulse.notifier.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.salespulse.contract.Durations;
import io.salespulse.notifier.config.NotifierConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing file (YAML), validated as a whole: which robot(s) an alert goes to, who to mention, and
 * the escalation windows. Every rule whose {@code match} fits contributes its routes (so a high-severity
 * alert can go to its team and to a "hot leads" group); an alert no rule matches goes to
 * {@code default_route}. A mistake names its key, e.g. {@code rules[2].match.sevrity}.
 *
 * <pre>
 * default_route: ops
 * routes:
 *   ops: {}                                   # key from env SALESPULSE_WECOM_KEY_OPS or the secrets file
 *   hz-west-team: {key_env: WECOM_KEY_HZW}    # key from this env variable or the secrets file
 * rules:
 *   - match: {region: hz-west, level: team}
 *     routes: [hz-west-team]
 *   - match: {type: funnel_drop, severity: high}
 *     routes: [hz-west-team]
 *     urgent: true                            # posted at once even outside the tenant's working hours
 * users: {r-003: zhangsan}                    # rep_id -> WeCom userid, for &lt;@userid&gt; mentions
 * escalation:
 *   window: 4h                                # default time to the next level without an ack
 *   max_age: 7d                               # older alerts (a replayed history) never escalate
 *   windows:
 *     - match: {type: stage_overdue, severity: high}
 *       window: 2h
 * inhibit:                                    # while a source alert is open, matching targets are grouped
 *   - source: {type: funnel_drop}
 *     ended_by: funnel_recovery               # the source's id with this type ends it (else retraction/resolve)
 *     target: {type: stage_overdue, level: team}
 *     equal: [tenant, region, stage]
 *     group_interval: 2h                      # targets held, posted as one message per route every 2 h
 * </pre>
 */
public final class RoutingRules {
    public static final List<String> LEVELS = List.of("team", "region", "director");
    private static final Set<String> MATCH_FIELDS = Set.of("tenant", "region", "team", "type", "severity", "level");
    private static final Set<String> TOP_KEYS =
            Set.of("default_route", "routes", "rules", "users", "escalation", "inhibit");
    /** Fields an inhibition's {@code equal} can name: the source and the target must agree on each. */
    public static final Set<String> EQUAL_FIELDS = Set.of("tenant", "region", "team", "stage");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private record Rule(Map<String, Set<String>> match, List<String> routes, boolean urgent) {}

    /**
     * An inhibition rule (Alertmanager's {@code inhibit_rules}, but grouping instead of muting): while an alert
     * matching {@code source} is open, alerts matching {@code target} that agree with it on every {@code equal}
     * field are held and posted together every {@code groupInterval}, one message per route.
     */
    public record Inhibition(String name, Map<String, Set<String>> source, String endedBy,
            Map<String, Set<String>> target, List<String> equal, Duration groupInterval) {
        public boolean isSource(AlertFacts a) {
            return matches(source, a);
        }

        public boolean isTarget(AlertFacts a) {
            return matches(target, a);
        }
    }

    private record Window(Map<String, Set<String>> match, Duration window) {}

    private final String source;
    private final Map<String, Route> routes;
    private final Route defaultRoute;
    private final List<Rule> rules;
    private final Map<String, String> users;
    private final Duration defaultWindow;
    private final Duration maxAge;
    private final List<Window> windows;
    private final List<Inhibition> inhibitions;

    private RoutingRules(String source, Map<String, Route> routes, Route defaultRoute, List<Rule> rules,
            Map<String, String> users, Duration defaultWindow, Duration maxAge, List<Window> windows,
            List<Inhibition> inhibitions) {
        this.source = source;
        this.routes = routes;
        this.defaultRoute = defaultRoute;
        this.rules = rules;
        this.users = users;
        this.defaultWindow = defaultWindow;
        this.maxAge = maxAge;
        this.windows = windows;
        this.inhibitions = inhibitions;
    }

    /** Parses and validates; {@code source} (the file name) prefixes every error message. */
    public static RoutingRules parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (Exception e) {
            throw error(source, "(file)", "is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw error(source, "(file)", "must be a YAML mapping with routes, rules and default_route");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP_KEYS.contains(k)) {
                throw error(source, k, "is not a known key; expected one of " + TOP_KEYS);
            }
        }
        JsonNode routesNode = root.get("routes");
        if (routesNode == null || !routesNode.isObject() || routesNode.isEmpty()) {
            throw error(source, "routes", "must map at least one route name to its settings");
        }
        Map<String, Route> routes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = routesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String key = "routes." + name;
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw error(source, key, "route names use letters, digits, '.', '_' and '-' only");
            }
            JsonNode r = e.getValue();
            String keyEnv = Route.defaultKeyEnv(name);
            if (r != null && !r.isNull()) {
                if (!r.isObject()) {
                    throw error(source, key, "must be a mapping, e.g. {} or {key_env: MY_VAR}");
                }
                for (Iterator<String> f = r.fieldNames(); f.hasNext(); ) {
                    String field = f.next();
                    if (!field.equals("key_env")) {
                        throw error(source, key + "." + field, "is not a known key; expected key_env");
                    }
                }
                if (r.has("key_env")) {
                    keyEnv = text(source, key + ".key_env", r.get("key_env"));
                }
            }
            routes.put(name, new Route(name, keyEnv));
        }
        String defaultName = text(source, "default_route", root.get("default_route"));
        Route defaultRoute = routes.get(defaultName);
        if (defaultRoute == null) {
            throw error(source, "default_route", "names '" + defaultName + "', which is not under routes " + routes.keySet());
        }

        List<Rule> rules = new ArrayList<>();
        JsonNode rulesNode = root.get("rules");
        if (rulesNode != null && !rulesNode.isNull()) {
            if (!rulesNode.isArray()) {
                throw error(source, "rules", "must be a list of {match, routes}");
            }
            for (int i = 0; i < rulesNode.size(); i++) {
                String key = "rules[" + i + "]";
                JsonNode r = rulesNode.get(i);
                if (!r.isObject()) {
                    throw error(source, key, "must be a mapping with match and routes");
                }
                for (Iterator<String> f = r.fieldNames(); f.hasNext(); ) {
                    String field = f.next();
                    if (!Set.of("match", "routes", "name", "urgent").contains(field)) {
                        throw error(source, key + "." + field, "is not a known key; expected match, routes, name, urgent");
                    }
                }
                Map<String, Set<String>> match = match(source, key + ".match", r.get("match"));
                JsonNode rr = r.get("routes");
                List<String> names = new ArrayList<>();
                if (rr == null || (!rr.isArray() && !rr.isTextual()) || rr.isEmpty() && rr.isArray()) {
                    throw error(source, key + ".routes", "must name at least one route");
                }
                for (JsonNode n : rr.isArray() ? rr : List.of(rr)) {
                    String name = text(source, key + ".routes", n);
                    if (!routes.containsKey(name)) {
                        throw error(source, key + ".routes", "names '" + name + "', which is not under routes " + routes.keySet());
                    }
                    names.add(name);
                }
                JsonNode urgent = r.get("urgent");
                if (urgent != null && !urgent.isBoolean()) {
                    throw error(source, key + ".urgent", "must be true or false");
                }
                rules.add(new Rule(match, names, urgent != null && urgent.asBoolean()));
            }
        }

        Map<String, String> users = new LinkedHashMap<>();
        JsonNode usersNode = root.get("users");
        if (usersNode != null && !usersNode.isNull()) {
            if (!usersNode.isObject()) {
                throw error(source, "users", "must map rep_id to WeCom userid");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = usersNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String userId = text(source, "users." + e.getKey(), e.getValue());
                if (!userId.matches("[A-Za-z0-9._@-]{1,64}")) {
                    throw error(source, "users." + e.getKey(), "is not a WeCom userid (letters, digits, . _ @ -)");
                }
                users.put(e.getKey(), userId);
            }
        }

        Duration window = Duration.ofHours(4);
        Duration maxAge = Duration.ofDays(7);
        List<Window> windows = new ArrayList<>();
        JsonNode esc = root.get("escalation");
        if (esc != null && !esc.isNull()) {
            if (!esc.isObject()) {
                throw error(source, "escalation", "must be a mapping with window, max_age, windows");
            }
            for (Iterator<String> f = esc.fieldNames(); f.hasNext(); ) {
                String field = f.next();
                if (!Set.of("window", "max_age", "windows").contains(field)) {
                    throw error(source, "escalation." + field, "is not a known key; expected window, max_age, windows");
                }
            }
            if (esc.has("window")) {
                window = duration(source, "escalation.window", esc.get("window"));
            }
            if (esc.has("max_age")) {
                maxAge = duration(source, "escalation.max_age", esc.get("max_age"));
            }
            JsonNode ws = esc.get("windows");
            if (ws != null && !ws.isNull()) {
                if (!ws.isArray()) {
                    throw error(source, "escalation.windows", "must be a list of {match, window}");
                }
                for (int i = 0; i < ws.size(); i++) {
                    String key = "escalation.windows[" + i + "]";
                    JsonNode w = ws.get(i);
                    if (!w.isObject()) {
                        throw error(source, key, "must be a mapping with match and window");
                    }
                    windows.add(new Window(match(source, key + ".match", w.get("match")),
                            duration(source, key + ".window", w.get("window"))));
                }
            }
        }
        return new RoutingRules(source, Map.copyOf(routes), defaultRoute, List.copyOf(rules), Map.copyOf(users),
                window, maxAge, List.copyOf(windows), inhibitions(source, root.get("inhibit")));
    }

    private static List<Inhibition> inhibitions(String source, JsonNode node) {
        List<Inhibition> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw error(source, "inhibit", "must be a list of {source, target, equal, ended_by, group_interval}");
        }
        for (int i = 0; i < node.size(); i++) {
            String key = "inhibit[" + i + "]";
            JsonNode r = node.get(i);
            if (!r.isObject()) {
                throw error(source, key, "must be a mapping with source, target and equal");
            }
            for (Iterator<String> f = r.fieldNames(); f.hasNext(); ) {
                String field = f.next();
                if (!Set.of("name", "source", "target", "equal", "ended_by", "group_interval").contains(field)) {
                    throw error(source, key + "." + field,
                            "is not a known key; expected name, source, target, equal, ended_by, group_interval");
                }
            }
            Map<String, Set<String>> from = match(source, key + ".source", r.get("source"));
            Map<String, Set<String>> to = match(source, key + ".target", r.get("target"));
            if (from.isEmpty() || to.isEmpty()) {
                throw error(source, key + (from.isEmpty() ? ".source" : ".target"),
                        "must match on at least one field (an empty matcher would hold every alert)");
            }
            List<String> equal = new ArrayList<>();
            JsonNode eq = r.get("equal");
            if (eq == null || !eq.isArray() || eq.isEmpty()) {
                throw error(source, key + ".equal", "must list the fields source and target share, from " + EQUAL_FIELDS);
            }
            for (JsonNode n : eq) {
                String f = text(source, key + ".equal", n);
                if (!EQUAL_FIELDS.contains(f)) {
                    throw error(source, key + ".equal", "names '" + f + "'; fields are " + EQUAL_FIELDS);
                }
                equal.add(f);
            }
            if (!equal.contains("tenant")) {
                throw error(source, key + ".equal", "must include tenant (one tenant's alert never holds another's)");
            }
            String endedBy = r.has("ended_by") ? text(source, key + ".ended_by", r.get("ended_by")) : "";
            Duration group = r.has("group_interval") ? duration(source, key + ".group_interval", r.get("group_interval"))
                    : Duration.ofHours(1);
            String name = r.has("name") ? text(source, key + ".name", r.get("name")) : key;
            out.add(new Inhibition(name, from, endedBy, to, List.copyOf(equal), group));
        }
        return List.copyOf(out);
    }

    /** The routes an alert goes to: every matching rule's routes, in rule order, else the default route. */
    public List<Route> routesFor(AlertFacts a) {
        Set<String> names = new LinkedHashSet<>();
        for (Rule r : rules) {
            if (matches(r.match(), a)) {
                names.addAll(r.routes());
            }
        }
        if (names.isEmpty()) {
            return List.of(defaultRoute);
        }
        return names.stream().map(routes::get).toList();
    }

    /** Time after the alert fired until its next escalation level (first matching window, else the default). */
    public Duration escalationWindow(AlertFacts a) {
        for (Window w : windows) {
            if (matches(w.match(), a)) {
                return w.window();
            }
        }
        return defaultWindow;
    }

    /** Whether a rule marked {@code urgent} sends this alert to {@code route}: posted even outside working hours. */
    public boolean urgent(AlertFacts a, String route) {
        for (Rule r : rules) {
            if (r.urgent() && r.routes().contains(route) && matches(r.match(), a)) {
                return true;
            }
        }
        return false;
    }

    public List<Inhibition> inhibitions() {
        return inhibitions;
    }

    public Duration escalationMaxAge() {
        return maxAge;
    }

    public Optional<String> wecomUser(String repId) {
        return Optional.ofNullable(repId == null ? null : users.get(repId));
    }

    /** The route alerts no rule matches go to (default_route). */
    public Route defaultRoute() {
        return defaultRoute;
    }

    public Collection<Route> routes() {
        return routes.values();
    }

    public String source() {
        return source;
    }

    private static boolean matches(Map<String, Set<String>> match, AlertFacts a) {
        for (Map.Entry<String, Set<String>> m : match.entrySet()) {
            String v = switch (m.getKey()) {
                case "tenant" -> a.tenant();
                case "region" -> a.region();
                case "team" -> a.team();
                case "type" -> a.type();
                case "severity" -> a.severity();
                default -> a.level();
            };
            if (v == null || !m.getValue().contains(v)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Set<String>> match(String source, String key, JsonNode node) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw error(source, key, "must be a mapping of field to value(s); fields: " + MATCH_FIELDS);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = key + "." + e.getKey();
            if (!MATCH_FIELDS.contains(e.getKey())) {
                throw error(source, field, "is not a field alerts can be matched on; expected one of " + MATCH_FIELDS);
            }
            Set<String> values = new LinkedHashSet<>();
            JsonNode v = e.getValue();
            for (JsonNode n : v.isArray() ? v : List.of(v)) {
                values.add(text(source, field, n));
            }
            if (values.isEmpty()) {
                throw error(source, field, "must list at least one value");
            }
            if (e.getKey().equals("level") && !LEVELS.containsAll(values)) {
                throw error(source, field, "levels are " + LEVELS);
            }
            out.put(e.getKey(), values);
        }
        return out;
    }

    private static Duration duration(String source, String key, JsonNode node) {
        String text = text(source, key, node);
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(source, key, e.getMessage());
        }
        if (d.isNegative() || d.isZero()) {
            throw error(source, key, "must be longer than zero");
        }
        return d;
    }

    private static String text(String source, String key, JsonNode node) {
        if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
            throw error(source, key, "must be a non-empty text value");
        }
        return node.asText().trim();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static NotifierConfigException error(String source, String key, String why) {
        return new NotifierConfigException("Invalid routing file " + source + ": key '" + key + "' " + why);
    }
}

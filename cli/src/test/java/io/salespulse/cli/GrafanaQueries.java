package io.salespulse.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a panel's rawSql into the SQL Grafana sends to ClickHouse, in the same two steps as the
 * grafana-clickhouse-datasource plugin (4.11.x, the version docker-compose.yml installs):
 * <ol>
 *   <li>in the browser ({@code CHDatasource.applyTemplateVariables}): {@code $__conditionalAll(phrase, $var)}
 *       becomes {@code 1=1} when the variable is All or empty, else the phrase; then Grafana's template
 *       service replaces {@code $var} / {@code ${var}} / {@code [[var]]}, formatting a multi-value
 *       (and All) as {@code 'a','b'} and a single value as the bare value;</li>
 *   <li>in the backend ({@code pkg/macros/macros.go} through sqlds): {@code $__timeFilter},
 *       {@code $__timeFilter_ms}, {@code $__dateFilter}, {@code $__dateTimeFilter}/{@code $__dt},
 *       {@code $__timeInterval}, {@code $__timeInterval_ms}, {@code $__interval_s}, {@code $__fromTime},
 *       {@code $__toTime}, {@code $__fromTime_ms}, {@code $__toTime_ms}, plus sqlds' {@code $__timeFrom},
 *       {@code $__timeTo}; arguments are split on every comma and trimmed, as sqlds does.</li>
 * </ol>
 */
final class GrafanaQueries {

    /** A template variable's current value: {@code values} holds one entry for a single value. */
    record Variable(List<String> values, boolean multi, boolean all) {
        static Variable single(String value) {
            return new Variable(List.of(value), false, false);
        }

        /** A multi-value variable with the given values selected. */
        static Variable selected(List<String> values) {
            return new Variable(List.copyOf(values), true, false);
        }

        /** "All" of a multi-value variable without a custom all value: every option's value. */
        static Variable all(List<String> options) {
            return new Variable(List.copyOf(options), true, true);
        }

        /** What {@code current.value.toString()} gives in the browser (an array joins with commas). */
        String currentValueText() {
            return all ? "$__all" : String.join(",", values);
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    /** Grafana's TemplateSrv variable regex. */
    private static final Pattern VARIABLE = Pattern.compile(
            "\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?\\]\\]|\\$\\{(\\w+)(?:\\.([^:^}]+))?(?::([^}]+))?}");
    /** The plugin's regex for the variable inside $__conditionalAll's second argument. */
    private static final Pattern CONDITIONAL_VAR = Pattern.compile("(?<=\\$\\{)[\\w\\d]+(?=})|(?<=\\$)[\\w\\d]+");
    private static final String CONDITIONAL_ALL = "$__conditionalAll(";

    private final Instant from;
    private final Instant to;
    private final Duration interval;
    private final Map<String, Variable> variables;
    private final Map<String, Function<List<String>, String>> macros;

    GrafanaQueries(Instant from, Instant to, Duration interval, Map<String, Variable> variables) {
        this.from = from;
        this.to = to;
        this.interval = interval;
        this.variables = variables;
        this.macros = Map.ofEntries(
                Map.entry("timeFilter", args -> range("$__timeFilter", args, dateTime(from), dateTime(to))),
                Map.entry("timeFilter_ms", args -> range("$__timeFilter_ms", args, dateTime64(from), dateTime64(to))),
                Map.entry("dateFilter", args -> range("$__dateFilter", args, date(from), date(to))),
                Map.entry("dateTimeFilter", this::dateTimeFilter),
                Map.entry("dt", this::dateTimeFilter),
                Map.entry("timeInterval", args -> "toStartOfInterval(toDateTime(" + oneArg("$__timeInterval", args)
                        + "), INTERVAL " + Math.max(interval.toSeconds(), 1) + " second)"),
                Map.entry("timeInterval_ms", args -> "toStartOfInterval(toDateTime64(" + oneArg("$__timeInterval_ms", args)
                        + ", 3), INTERVAL " + Math.max(interval.toMillis(), 1) + " millisecond)"),
                Map.entry("interval_s", args -> Long.toString(Math.max(interval.toSeconds(), 1))),
                Map.entry("fromTime", args -> dateTime(from)),
                Map.entry("toTime", args -> dateTime(to)),
                Map.entry("fromTime_ms", args -> dateTime64(from)),
                Map.entry("toTime_ms", args -> dateTime64(to)),
                Map.entry("timeFrom", args -> oneArg("$__timeFrom", args) + " >= " + dateTime(from)),
                Map.entry("timeTo", args -> oneArg("$__timeTo", args) + " <= " + dateTime(to)));
    }

    /** Both steps: what ClickHouse receives for this rawSql. */
    String expand(String rawSql) {
        return backendMacros(templateVariables(conditionalAll(rawSql)));
    }

    // ---------------------------------------------------------------------------------- browser

    /** {@code CHDatasource.applyConditionalAll}: innermost-last, by text replacement of the first occurrence. */
    String conditionalAll(String sql) {
        int at = sql.lastIndexOf(CONDITIONAL_ALL);
        while (at != -1) {
            List<String> params = macroArgs(sql, at + CONDITIONAL_ALL.length() - 1);
            if (params.size() != 2) {
                return sql;
            }
            String phrase = params.get(0);
            Matcher name = CONDITIONAL_VAR.matcher(params.get(1).trim());
            if (name.find()) {
                Variable v = variables.get(name.group());
                String value = v == null ? "undefined" : v.currentValueText();
                if (value.isEmpty() || value.equals("$__all")) {
                    phrase = "1=1";
                }
            }
            sql = sql.replaceFirst(Pattern.quote(CONDITIONAL_ALL + params.get(0) + "," + params.get(1) + ")"),
                    Matcher.quoteReplacement(phrase));
            at = sql.lastIndexOf(CONDITIONAL_ALL);
        }
        return sql;
    }

    /** {@code CHDatasource.getMacroArgs}: arguments at bracket depth 1, split on commas. */
    private static List<String> macroArgs(String sql, int openParen) {
        List<String> args = new ArrayList<>();
        String rest = sql.substring(openParen);
        int depth = 0;
        int lastArgEnd = 1;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 1) {
                args.add(rest.substring(lastArgEnd, i));
                lastArgEnd = i + 1;
            }
            if ((c == '(' || c == ')' || c == ',') && depth == 0) {
                args.add(rest.substring(lastArgEnd, i));
                return args;
            }
        }
        return List.of();
    }

    /** Grafana's TemplateSrv.replace with the plugin's format function; unknown names stay as they are. */
    String templateVariables(String sql) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(4);
            String value = builtIn(name);
            Variable v = variables.get(name);
            if (v != null) {
                value = v.multi() ? "'" + String.join("','", v.values()) + "'" : v.values().get(0);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String builtIn(String name) {
        return switch (name) {
            case "__from" -> Long.toString(from.toEpochMilli());
            case "__to" -> Long.toString(to.toEpochMilli());
            case "__interval_ms" -> Long.toString(interval.toMillis());
            default -> null;
        };
    }

    // ---------------------------------------------------------------------------------- backend

    /** sqlds.Interpolate with the plugin's macros: each {@code $__name\b}, with balanced (...) arguments if any. */
    String backendMacros(String sql) {
        for (Map.Entry<String, Function<List<String>, String>> macro : macros.entrySet()) {
            Matcher m = Pattern.compile("\\$__" + Pattern.quote(macro.getKey()) + "\\b").matcher(sql);
            StringBuilder out = new StringBuilder();
            int copied = 0;
            while (m.find(copied)) {
                int end = m.end();
                List<String> args = List.of();
                if (end < sql.length() && sql.charAt(end) == '(') {
                    int close = closingParen(sql, end);
                    args = splitArgs(sql.substring(end + 1, close));
                    end = close + 1;
                }
                out.append(sql, copied, m.start()).append(macro.getValue().apply(args));
                copied = end;
            }
            out.append(sql.substring(copied));
            sql = out.toString();
        }
        return sql;
    }

    private static int closingParen(String sql, int open) {
        int depth = 0;
        for (int i = open; i < sql.length(); i++) {
            if (sql.charAt(i) == '(') {
                depth++;
            } else if (sql.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses after position " + open + " in: " + sql);
    }

    private static List<String> splitArgs(String args) {
        List<String> out = new ArrayList<>();
        for (String a : args.split(",", -1)) {
            out.add(a.trim());
        }
        return out;
    }

    private static String oneArg(String macro, List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(macro + " expected 1 argument(s), received " + args.size());
        }
        return args.get(0);
    }

    private static String range(String macro, List<String> args, String low, String high) {
        String col = oneArg(macro, args);
        return col + " >= " + low + " AND " + col + " <= " + high;
    }

    private String dateTimeFilter(List<String> args) {
        if (args.size() != 2) {
            throw new IllegalArgumentException("$__dateTimeFilter expected 2 argument(s), received " + args.size());
        }
        return "(" + range("", args.subList(0, 1), date(from), date(to)) + ") AND ("
                + range("", args.subList(1, 2), dateTime(from), dateTime(to)) + ")";
    }

    private static String dateTime(Instant t) {
        return "toDateTime(" + t.getEpochSecond() + ")";
    }

    private static String dateTime64(Instant t) {
        return "fromUnixTimestamp64Milli(" + t.toEpochMilli() + ")";
    }

    private static String date(Instant t) {
        return "toDate('" + DATE.format(t) + "')";
    }
}

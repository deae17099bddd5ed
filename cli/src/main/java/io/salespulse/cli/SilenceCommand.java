package io.salespulse.cli;

import io.salespulse.contract.Durations;
import io.salespulse.pipeline.config.Setting;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Silences: {@code silence add} writes a row of {@code salespulse.alert_silences} (matchers, start, end, author,
 * reason, source {@code cli}); while it runs, the notifier does not escalate or remind the alerts it matches.
 * {@code silence list} shows the silences that have not ended. A silence matching a whole tenant is refused unless
 * {@code --force}.
 */
@Command(name = "silence",
        mixinStandardHelpOptions = true,
        description = "Silence alerts for a while (rep on leave, customer asked for a pause, known outage).",
        subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class})
final class SilenceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Where ClickHouse is: --clickhouse-url, else env SALESPULSE_CLICKHOUSE_URL, else 127.0.0.1:8123. */
    static final class Connection_ {
        @Option(names = "--clickhouse-url", description = "JDBC URL (default: env SALESPULSE_CLICKHOUSE_URL, else "
                + "jdbc:clickhouse://127.0.0.1:8123/default?compress=0)")
        String url;

        @Option(names = "--clickhouse-user", defaultValue = "${env:SALESPULSE_CLICKHOUSE_USER:-default}",
                description = "User (default: ${DEFAULT-VALUE}; env SALESPULSE_CLICKHOUSE_USER)")
        String user;

        ClickHouse connect() throws Exception {
            String target = url != null ? url : System.getenv(Setting.CLICKHOUSE_URL.env());
            if (target == null || target.isBlank()) {
                target = ClickHouse.LOCAL_URL;
            }
            return ClickHouse.connect(target, user, System.getenv().getOrDefault(Setting.CLICKHOUSE_PASSWORD.env(), ""));
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Add a silence. Every matcher given must equal the alert's value; at least one besides"
                    + " --tenant, unless --force.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--tenant", required = true, description = "Tenant (required)")
        String tenant;
        @Option(names = "--region", description = "Matcher: region")
        String region;
        @Option(names = "--team", description = "Matcher: team")
        String team;
        @Option(names = "--rep", description = "Matcher: rep id (a rep on leave)")
        String rep;
        @Option(names = "--customer", description = "Matcher: customer id (a customer asked for a pause)")
        String customer;
        @Option(names = "--type", description = "Matcher: alert type (stage_overdue, funnel_drop, ...)")
        String type;
        @Option(names = "--alert", description = "Matcher: one alert id")
        String alert;
        @Option(names = "--for", description = "How long, from now or --start (e.g. 3d, 12h)")
        String length;
        @Option(names = "--start", description = "Start, ISO-8601 with offset (default: now)")
        String start;
        @Option(names = "--end", description = "End, ISO-8601 with offset (instead of --for)")
        String end;
        @Option(names = "--author", required = true, description = "Who silences (required)")
        String author;
        @Option(names = "--reason", required = true, description = "Why (required)")
        String reason;
        @Option(names = "--force", description = "Allow a silence that matches every alert of the tenant")
        boolean force;
        @Mixin
        Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, String> matchers = new LinkedHashMap<>();
            put(matchers, "region", region);
            put(matchers, "team", team);
            put(matchers, "rep_id", rep);
            put(matchers, "customer_id", customer);
            put(matchers, "type", type);
            put(matchers, "alert_id", alert);
            if (matchers.isEmpty() && !force) {
                throw new UserError("refused: this silence would match every alert of tenant " + tenant
                        + "; give a matcher (--region, --team, --rep, --customer, --type, --alert) or --force", 2);
            }
            if (author.isBlank() || reason.isBlank()) {
                throw new UserError("--author and --reason must not be blank", 2);
            }
            Instant now = Instant.now();
            Instant from = start == null ? now : time("--start", start);
            Instant to;
            if ((length == null) == (end == null)) {
                throw new UserError("give exactly one of --for and --end", 2);
            } else if (length != null) {
                Duration d;
                try {
                    d = Durations.parse(length);
                } catch (IllegalArgumentException e) {
                    throw new UserError("--for: " + e.getMessage(), 2);
                }
                to = from.plus(d);
            } else {
                to = time("--end", end);
            }
            if (!to.isAfter(from)) {
                throw new UserError("the silence must end after it starts (" + from + " .. " + to + ")", 2);
            }
            if (to.isAfter(from.plus(Duration.ofDays(90)))) {
                throw new UserError("a silence may last at most 90 days", 2);
            }
            String id = "cli-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest((tenant + "\n"
                    + matchers + "\n" + from + "\n" + to + "\n" + author + "\n" + reason)
                    .getBytes(StandardCharsets.UTF_8))).substring(0, 24);
            try (ClickHouse c = ch.connect()) {
                Connection conn = c.connection();
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO salespulse.alert_silences (silence_id,"
                        + " tenant, alert_id, region, team, rep_id, customer_id, type, starts_at, ends_at, author, reason,"
                        + " source, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'cli', ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, tenant);
                    ps.setString(3, matchers.getOrDefault("alert_id", ""));
                    ps.setString(4, matchers.getOrDefault("region", ""));
                    ps.setString(5, matchers.getOrDefault("team", ""));
                    ps.setString(6, matchers.getOrDefault("rep_id", ""));
                    ps.setString(7, matchers.getOrDefault("customer_id", ""));
                    ps.setString(8, matchers.getOrDefault("type", ""));
                    ps.setObject(9, from.truncatedTo(ChronoUnit.MILLIS));
                    ps.setObject(10, to.truncatedTo(ChronoUnit.MILLIS));
                    ps.setString(11, author);
                    ps.setString(12, reason);
                    ps.setObject(13, now.truncatedTo(ChronoUnit.MILLIS));
                    ps.setLong(14, ChronoUnit.MICROS.between(Instant.EPOCH, now));
                    ps.executeUpdate();
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("silence " + id + " for tenant " + tenant + " " + (matchers.isEmpty() ? "(every alert)" : matchers)
                    + " from " + from + " to " + to + " by " + author + ": " + reason);
            return 0;
        }

        private static void put(Map<String, String> m, String key, String value) {
            if (value != null && !value.isBlank()) {
                m.put(key, value);
            }
        }

        private static Instant time(String option, String text) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new UserError(option + ": not ISO-8601 with an offset (e.g. 2026-12-05T18:00:00+08:00): " + text, 2);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the silences that have not ended.")
    static final class ListSilences implements Callable<Integer> {
        @Mixin
        Connection_ ch;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (ClickHouse c = ch.connect()) {
                TablePrinter.print(c.query("SELECT silence_id, tenant, alert_id, region, team, rep_id, customer_id, type,"
                        + " starts_at, ends_at, author, reason, source FROM salespulse.alert_silences FINAL"
                        + " WHERE ends_at > now64(3) ORDER BY starts_at"), spec.commandLine().getOut());
            }
            return 0;
        }
    }
}

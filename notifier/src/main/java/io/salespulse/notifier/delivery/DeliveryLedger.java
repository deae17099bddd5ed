package io.salespulse.notifier.delivery;

import com.clickhouse.jdbc.ClickHouseDriver;
import io.salespulse.contract.AckEvent;
import io.salespulse.contract.metrics.LabelledCounter;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.escalation.Instructions;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The notifier's state in ClickHouse: the delivery ledger ({@code alert_deliveries}), the acks it read
 * from {@code sales.acks} ({@code alert_acks}, the same rows the monitor job writes, so escalation does
 * not wait for the monitor's flush) and dead letters. One connection, used by one thread at a time.
 */
public final class DeliveryLedger implements AutoCloseable {
    private static final String INSERT_DELIVERY = "INSERT INTO salespulse.alert_deliveries (alert_id, route, status,"
            + " tenant, region, team, type, severity, rep_id, customer_id, title, fired_at, origin_alert_id,"
            + " escalation_level, attempts, digest_id, error_code, error, received_at, first_attempt_at, delivered_at,"
            + " latency_ms, held_reason, held_until, held_alert, action_due_at, updated_at, version)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** The alert an ack is about: the original for an ack of one of its escalations. */
    private static final String ACKED_ORIGIN = "if(startsWith(alert_id, 'escalation:'),"
            + " substring(alert_id, 12, length(alert_id) - 11 - position(reverse(alert_id), ':')), alert_id)";

    /**
     * The ids of {@code receivable_overdue} alerts whose invoice is paid in full by now (any payment, also a late
     * one, less 0.01): the money is in, so nobody needs to chase it (no escalation, a held message stays unposted).
     */
    private static final String RECEIVABLE = "receivable_overdue";
    private static final String PAID_RECEIVABLES = "SELECT concat('receivable_overdue:', toString(i.tenant), ':',"
            + " i.invoice_id) FROM salespulse.invoices AS i FINAL INNER JOIN (SELECT tenant AS p_tenant,"
            + " invoice_id AS p_invoice, sum(amount) AS paid FROM salespulse.payments FINAL GROUP BY tenant, invoice_id)"
            + " AS p ON i.tenant = p.p_tenant AND i.invoice_id = p.p_invoice WHERE p.paid >= i.amount - 0.01";

    private static final List<String> POSTED = Arrays.stream(Delivery.Status.values()).filter(Delivery.Status::posted)
            .map(Delivery.Status::code).toList();

    /** What the ledger knows about one (alert, route). */
    public record Entry(String alertId, String route, Delivery.Status status) {}

    /**
     * An alert the pipeline raised (not an escalation), as the escalator needs it: the highest escalation level
     * raised so far (0 = none) and when the group of that level was told (null while nothing of it was posted yet).
     */
    public record Origin(NotifierAlert alert, int level, Instant toldAt, Instant actionDueAt) {}

    private static final String READ = "read";
    private static final String WRITE = "write";

    private final Connection connection;
    private final NotifierTime time;
    private final LabelledCounter failures;
    private long lastVersion;

    /** {@code failures} counts the ClickHouse calls that fail, by operation ({@code read}, {@code write}). */
    public DeliveryLedger(String jdbcUrl, String user, String password, NotifierTime time, LabelledCounter failures)
            throws SQLException {
        this.failures = failures;
        this.connection = connect(jdbcUrl, user, password);
        this.time = time;
    }

    /** A JDBC connection to ClickHouse with the notifier's settings; a URL that is not ClickHouse's names the key. */
    public static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password == null ? "" : password);
        Connection c = new ClickHouseDriver().connect(jdbcUrl, p);
        if (c == null) {
            throw new SQLException("Not a ClickHouse JDBC URL (setting clickhouse.url)");
        }
        return c;
    }

    /** Ledger entries of these alerts, keyed by alert_id then route. */
    public synchronized Map<String, Map<String, Delivery.Status>> lookup(Collection<String> alertIds) throws SQLException {
        Map<String, Map<String, Delivery.Status>> out = new HashMap<>();
        if (alertIds.isEmpty()) {
            return out;
        }
        String sql = "SELECT alert_id, route, status FROM salespulse.alert_deliveries FINAL WHERE alert_id IN ("
                + quoteAll(alertIds) + ")";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), Delivery.Status.of(rs.getString(3)));
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /**
     * The routes on which each of these alerts, or an escalation of it, was posted (or may have been: uncertain),
     * keyed by the alert's id: where a retraction of it must go.
     */
    public synchronized Map<String, Set<String>> postedRoutes(Collection<String> alertIds) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        if (alertIds.isEmpty()) {
            return out;
        }
        String sql = "SELECT origin_alert_id, route FROM salespulse.alert_deliveries FINAL WHERE origin_alert_id IN ("
                + quoteAll(alertIds) + ") AND type != 'retraction' AND status IN (" + quoteAll(POSTED) + ")";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /** A retraction of this alert has been read (whatever came of it): the alert stands withdrawn. */
    public synchronized boolean retracted(String alertId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count() FROM salespulse.alert_deliveries FINAL"
                + " WHERE type = 'retraction' AND origin_alert_id = ?")) {
            ps.setString(1, alertId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
    }

    /**
     * Marks every delivery still 'sending' (what a crashed run left in flight) as uncertain, keeping
     * everything else the row holds. Returns those rows.
     */
    public synchronized List<Delivery> markUncertain() throws SQLException {
        String sql = "SELECT alert_id, route, tenant, region, team, type, severity, rep_id, customer_id, title,"
                + " toUnixTimestamp64Milli(fired_at), origin_alert_id, escalation_level, attempts, digest_id,"
                + " toUnixTimestamp64Milli(received_at), toUnixTimestamp64Milli(first_attempt_at), held_reason,"
                + " toUnixTimestamp64Milli(held_until)"
                + " FROM salespulse.alert_deliveries FINAL WHERE status = 'sending'";
        List<Delivery> rows = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                NotifierAlert a = new NotifierAlert(rs.getString(1), rs.getString(6), rs.getString(7), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(8), rs.getString(9), null, null,
                        Instant.ofEpochMilli(rs.getLong(11)), rs.getString(10), null, null, rs.getInt(13), rs.getString(12));
                Delivery d = new Delivery(a, rs.getString(2), "", 0, 0, Instant.ofEpochMilli(rs.getLong(16)), null);
                d.attempts = rs.getInt(14);
                d.digestId = rs.getString(15);
                long first = rs.getLong(17);
                d.firstAttemptAt = rs.wasNull() ? null : Instant.ofEpochMilli(first);
                d.heldReason = rs.getString(18);
                long heldUntil = rs.getLong(19);
                d.heldUntil = rs.wasNull() ? null : Instant.ofEpochMilli(heldUntil);
                d.status = Delivery.Status.UNCERTAIN;
                d.errorCode = "crash_window";
                d.error = "the notifier stopped (or lost ClickHouse) between marking this as sending and recording the"
                        + " result; not resent";
                rows.add(d);
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        write(rows);
        return rows;
    }

    public synchronized void write(List<Delivery> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        Instant now = time.now();
        try (PreparedStatement ps = connection.prepareStatement(INSERT_DELIVERY)) {
            for (Delivery d : rows) {
                NotifierAlert a = d.alert;
                int i = 1;
                ps.setString(i++, a.alertId());
                ps.setString(i++, d.route);
                ps.setString(i++, d.status.code());
                ps.setString(i++, a.tenant());
                ps.setString(i++, nz(a.region()));
                ps.setString(i++, nz(a.team()));
                ps.setString(i++, a.type());
                ps.setString(i++, a.severity());
                ps.setString(i++, nz(a.repId()));
                ps.setString(i++, nz(a.customerId()));
                ps.setString(i++, a.title());
                setInstant(ps, i++, a.firedAt());
                ps.setString(i++, a.originAlertId());
                ps.setInt(i++, a.escalationLevel());
                ps.setInt(i++, d.attempts);
                ps.setString(i++, d.digestId);
                ps.setString(i++, d.errorCode);
                ps.setString(i++, d.error);
                setInstant(ps, i++, d.receivedAt);
                setInstant(ps, i++, d.firstAttemptAt);
                setInstant(ps, i++, d.deliveredAt);
                Long latency = d.latencyMs();
                if (latency == null) {
                    ps.setNull(i++, Types.BIGINT);
                } else {
                    ps.setLong(i++, latency);
                }
                ps.setString(i++, d.heldReason);
                setInstant(ps, i++, d.heldUntil);
                ps.setString(i++, d.heldAlert());
                setInstant(ps, i++, d.actionDueAt);
                setInstant(ps, i++, now);
                ps.setLong(i, nextVersion());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw failed(WRITE, e);
        }
    }

    /** The tenant of an alert the notifier has seen (ack endpoint: unknown ids are a 404). */
    public synchronized Optional<String> tenantOf(String alertId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT tenant FROM salespulse.alert_deliveries FINAL WHERE alert_id = ? LIMIT 1")) {
            ps.setString(1, alertId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
    }

    /** An answered overdue alert whose customer has had no stage card since it fired. */
    public record Unverified(NotifierAlert alert, Instant firstResponseAt, String firstResponder) {}

    /**
     * {@code stage_overdue} alerts fired after {@code notBefore}, posted, answered (ack or resolve) and not withdrawn,
     * whose customer has no stage card with {@code occurred_at} at or after the alert's {@code fired_at}, and that
     * have no follow-up reminder yet.
     */
    public synchronized List<Unverified> answeredWithoutNextCard(Instant notBefore) throws SQLException {
        String sql = "SELECT o.alert_id, o.o_severity, o.o_tenant, o.o_region, o.o_team, o.o_rep, o.o_customer,"
                + " toUnixTimestamp64Milli(o.o_fired_at), o.o_title, toUnixTimestamp64Milli(r.first_at), r.first_by"
                + " FROM (SELECT alert_id, any(severity) AS o_severity, any(tenant) AS o_tenant, any(region) AS o_region,"
                + "   any(team) AS o_team, any(rep_id) AS o_rep, any(customer_id) AS o_customer,"
                + "   any(fired_at) AS o_fired_at, any(title) AS o_title"
                + "   FROM salespulse.alert_deliveries FINAL WHERE escalation_level = 0 AND type = 'stage_overdue'"
                + "   AND fired_at >= ? AND status IN ('delivered', 'digested', 'uncertain')"
                + "   GROUP BY alert_id) AS o"
                + " INNER JOIN (SELECT alert_id, min(occurred_at) AS first_at, argMin(responder, occurred_at) AS first_by"
                + "   FROM salespulse.alert_acks FINAL WHERE action IN ('ack', 'resolve') GROUP BY alert_id) AS r"
                + " ON o.alert_id = r.alert_id"
                + " WHERE o.alert_id NOT IN (SELECT origin_alert_id FROM salespulse.alert_deliveries FINAL"
                + "   WHERE type IN ('retraction', 'follow_up'))"
                + " AND o.alert_id NOT IN (SELECT x.alert_id FROM (SELECT alert_id, any(tenant) AS t,"
                + "   any(customer_id) AS c, any(fired_at) AS f FROM salespulse.alert_deliveries FINAL"
                + "   WHERE escalation_level = 0 AND type = 'stage_overdue' AND fired_at >= ? GROUP BY alert_id) AS x"
                + "   INNER JOIN (SELECT tenant, customer_id, occurred_at FROM salespulse.stage_events FINAL) AS s"
                + "   ON s.tenant = x.t AND s.customer_id = x.c WHERE s.occurred_at >= x.f)"
                + " ORDER BY o.alert_id";
        List<Unverified> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            setInstant(ps, 1, notBefore);
            setInstant(ps, 2, notBefore);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    NotifierAlert a = new NotifierAlert(rs.getString(1), "stage_overdue", rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), null,
                            null, Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9), null, null, 0, rs.getString(1));
                    out.add(new Unverified(a, Instant.ofEpochMilli(rs.getLong(10)), rs.getString(11)));
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /**
     * Posts made to each route since {@code since}, as the ledger recorded them: one per message (a digest's alerts
     * share one post), at the time WeCom took it (delivered_at), or at the first attempt of a delivery left uncertain.
     * Busy answers that were retried are not in the ledger one by one, so they are not counted. Posts stamped after
     * {@code now} (a clock that was set back) are left out: they would hold the robot's tokens until that time.
     */
    public synchronized Map<String, List<Instant>> postsBetween(Instant since, Instant now) throws SQLException {
        Map<String, List<Instant>> out = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT route, toUnixTimestamp64Milli(min(at)) FROM"
                + " (SELECT route, if(digest_id != '', digest_id, alert_id) AS post,"
                + "   coalesce(delivered_at, first_attempt_at) AS at FROM salespulse.alert_deliveries FINAL"
                + "   WHERE status IN ('delivered', 'digested', 'uncertain') AND at IS NOT NULL"
                + "   AND toUnixTimestamp64Milli(at) >= ? AND toUnixTimestamp64Milli(at) <= ?)"
                + " GROUP BY route, post ORDER BY 2")) {
            ps.setLong(1, since.toEpochMilli());
            ps.setLong(2, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), r -> new ArrayList<>()).add(Instant.ofEpochMilli(rs.getLong(2)));
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /** An active silence's matchers; an empty one matches anything. */
    public record Silence(String id, String tenant, String alertId, String region, String team, String repId,
            String customerId, String type, Instant endsAt) {
        public boolean matches(NotifierAlert a) {
            return tenant.equals(a.tenant()) && any(alertId, a.originAlertId()) && any(region, a.region())
                    && any(team, a.team()) && any(repId, a.repId()) && any(customerId, a.customerId())
                    && any(type, a.type());
        }

        private static boolean any(String matcher, String value) {
            return matcher.isEmpty() || matcher.equals(value);
        }
    }

    /** Silences running at {@code now} ({@code alert_silences}: the page's snoozes, the CLI's silences). */
    public synchronized List<Silence> activeSilences(Instant now) throws SQLException {
        List<Silence> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT silence_id, tenant, alert_id, region, team, rep_id,"
                + " customer_id, type, toUnixTimestamp64Milli(ends_at) FROM salespulse.alert_silences FINAL"
                + " WHERE toUnixTimestamp64Milli(starts_at) <= ? AND toUnixTimestamp64Milli(ends_at) > ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Silence(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            Instant.ofEpochMilli(rs.getLong(9))));
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /**
     * Held messages whose hold has ended by {@code now} ({@code held_until <= now}), and every silenced one (its
     * silence may have ended early: the caller checks), oldest first, as deliveries to post again
     * ({@link Delivery#released}). Left out, and so never posted (retractions aside): alerts withdrawn by a retraction,
     * acknowledged or resolved (the alert or an escalation of it), and {@code stage_overdue} alerts whose customer
     * has sent a stage card since the alert fired (the customer moved while the message was held). Those keep their
     * held row: the audit shows the message was never needed. So does a hold that ended more than {@code maxAge}
     * ago (the notifier was stopped meanwhile): a week-old message is noise, the work queue still lists the alert.
     */
    public synchronized List<Delivery> dueHolds(Instant now, Duration maxAge) throws SQLException {
        String sql = "SELECT d.alert_id, d.route, d.held_alert, d.held_reason, toUnixTimestamp64Milli(d.held_until),"
                + " toUnixTimestamp64Milli(d.received_at), d.attempts"
                + " FROM (SELECT * FROM salespulse.alert_deliveries FINAL WHERE status IN ('"
                + Delivery.Status.HELD.code() + "', '" + Delivery.Status.SILENCED.code() + "') AND held_alert != ''"
                // Silenced ones whatever their end: a silence can end early (expired, dropped from its policy).
                + "   AND (toUnixTimestamp64Milli(held_until) <= ? OR status = '" + Delivery.Status.SILENCED.code() + "')"
                + "   AND toUnixTimestamp64Milli(held_until) > ?) AS d"
                // The customer's last card (the default 1970 when none): a card since the alert means it moved.
                + " LEFT JOIN (SELECT tenant AS s_tenant, customer_id AS s_customer, max(occurred_at) AS s_last"
                + "   FROM salespulse.stage_events FINAL WHERE (tenant, customer_id) IN (SELECT tenant, customer_id"
                + "   FROM salespulse.alert_deliveries FINAL WHERE status IN ('" + Delivery.Status.HELD.code() + "', '"
                + Delivery.Status.SILENCED.code() + "')) GROUP BY tenant, customer_id) AS s"
                + " ON d.tenant = s.s_tenant AND d.customer_id = s.s_customer"
                // A held retraction goes out whatever came of its alert: the group saw the alert.
                + " WHERE d.type = 'retraction' OR (d.origin_alert_id NOT IN (SELECT origin_alert_id"
                + "   FROM salespulse.alert_deliveries FINAL WHERE type = 'retraction')"
                + " AND d.origin_alert_id NOT IN (SELECT DISTINCT if(startsWith(alert_id, 'escalation:'),"
                + "   substring(alert_id, 12, length(alert_id) - 11 - position(reverse(alert_id), ':')), alert_id)"
                + "   FROM salespulse.alert_acks FINAL)"
                + " AND (d.type != 'stage_overdue' OR s.s_last < d.fired_at))"
                + " ORDER BY d.received_at, d.alert_id, d.route";
        List<Delivery> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, now.minus(maxAge).toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] raw = rs.getString(3).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    NotifierAlert a;
                    try {
                        a = NotifierAlert.parse(raw);
                    } catch (io.salespulse.contract.InvalidEventException e) {
                        continue; // written by this notifier from a parsed record: cannot happen
                    }
                    Delivery d = new Delivery(a, rs.getString(2), "", 0, 0, Instant.ofEpochMilli(rs.getLong(6)), raw);
                    d.heldReason = rs.getString(4);
                    d.heldUntil = Instant.ofEpochMilli(rs.getLong(5));
                    d.attempts = rs.getInt(7);
                    d.released = true;
                    out.add(d);
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /**
     * Live alerts of {@code types} fired since {@code since} that are still open: not withdrawn by a retraction, not
     * resolved on their page, and not ended by an alert whose id is theirs with the type replaced by one of
     * {@code endedBy} (a {@code funnel_recovery} ends its {@code funnel_drop} episode). Read from
     * {@code salespulse.alerts}, where the jobs write every alert they send.
     */
    public synchronized List<NotifierAlert> openAlerts(Collection<String> types, Collection<String> endedBy,
            Instant since) throws SQLException {
        if (types.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT alert_id, type, severity, tenant, region, team, rep_id, customer_id, stage,"
                + " toUnixTimestamp64Milli(fired_at), title FROM salespulse.alerts FINAL"
                + " WHERE type IN (" + quoteAll(types) + ") AND origin = 'live' AND fired_at >= ?"
                + " AND alert_id NOT IN (SELECT retracts FROM salespulse.alerts FINAL WHERE type = 'retraction')"
                + " AND alert_id NOT IN (SELECT alert_id FROM salespulse.alert_acks FINAL WHERE action = 'resolve')"
                + (endedBy.isEmpty() ? "" : " AND substring(alert_id, length(type) + 1) NOT IN (SELECT"
                        + " substring(alert_id, length(type) + 1) FROM salespulse.alerts FINAL WHERE type IN ("
                        + quoteAll(endedBy) + "))")
                + " ORDER BY alert_id";
        List<NotifierAlert> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            setInstant(ps, 1, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NotifierAlert(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), null,
                            Instant.ofEpochMilli(rs.getLong(10)), rs.getString(11), null, null, 0, rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /** A row of {@code alert_silences} as the notifier writes it for a policy's silence. */
    public record SilenceRow(String id, String tenant, String region, String team, String repId, String customerId,
            String type, Instant startsAt, Instant endsAt, String author, String reason, String source,
            Instant createdAt) {}

    /** The current rows of the silences written from policies ({@code source = 'policy'}), by id. */
    public synchronized Map<String, SilenceRow> policySilences() throws SQLException {
        Map<String, SilenceRow> out = new java.util.LinkedHashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT silence_id, tenant,"
                + " region, team, rep_id, customer_id, type, toUnixTimestamp64Milli(starts_at),"
                + " toUnixTimestamp64Milli(ends_at), author, reason, source, toUnixTimestamp64Milli(created_at)"
                + " FROM salespulse.alert_silences FINAL WHERE source = 'policy'")) {
            while (rs.next()) {
                out.put(rs.getString(1), new SilenceRow(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10),
                        rs.getString(11), rs.getString(12), Instant.ofEpochMilli(rs.getLong(13))));
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    /** Writes silence rows (a newer version of the same id replaces the row). */
    public synchronized void writeSilences(List<SilenceRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO salespulse.alert_silences (silence_id,"
                + " tenant, alert_id, region, team, rep_id, customer_id, type, starts_at, ends_at, author, reason, source,"
                + " created_at, version) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (SilenceRow r : rows) {
                int i = 1;
                ps.setString(i++, r.id());
                ps.setString(i++, r.tenant());
                ps.setString(i++, r.region());
                ps.setString(i++, r.team());
                ps.setString(i++, r.repId());
                ps.setString(i++, r.customerId());
                ps.setString(i++, r.type());
                setInstant(ps, i++, r.startsAt());
                setInstant(ps, i++, r.endsAt());
                ps.setString(i++, r.author());
                ps.setString(i++, r.reason());
                ps.setString(i++, r.source());
                setInstant(ps, i++, r.createdAt());
                ps.setLong(i, nextVersion());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw failed(WRITE, e);
        }
    }

    /** When an ack event with this id was recorded, if it was. */
    public synchronized Optional<Instant> ackRecorded(String eventId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT toUnixTimestamp64Milli(occurred_at) FROM salespulse.alert_acks FINAL WHERE event_id = ? LIMIT 1")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Instant.ofEpochMilli(rs.getLong(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
    }

    public synchronized void writeAcks(List<AckEvent> acks) throws SQLException {
        if (acks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO salespulse.alert_acks (event_id, alert_id,"
                + " tenant, responder, action, occurred_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (AckEvent a : acks) {
                ps.setString(1, a.eventId);
                ps.setString(2, a.alertId);
                ps.setString(3, a.tenant);
                ps.setString(4, a.responder);
                ps.setString(5, a.action);
                setInstant(ps, 6, Instant.ofEpochMilli(a.occurredAt));
                setInstant(ps, 7, time.now());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw failed(WRITE, e);
        }
    }

    /**
     * Stores an alert the notifier raised itself (an escalation) in the alerts table, where the monitor
     * stores its own: dashboards and the response-time views then see escalations too. Keyed by
     * alert_id like every alert row, so writing it again after a restart changes nothing.
     */
    public synchronized void writeRaisedAlert(NotifierAlert a, Instant emittedAt) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO salespulse.alerts (alert_id, type,"
                + " severity, tenant, region, team, rep_id, customer_id, stage, due_at, fired_at, emitted_at, title,"
                + " message, suggestion, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.alertId());
            ps.setString(2, a.type());
            ps.setString(3, a.severity());
            ps.setString(4, a.tenant());
            ps.setString(5, orEmpty(a.region()));
            ps.setString(6, orEmpty(a.team()));
            ps.setString(7, orEmpty(a.repId()));
            ps.setString(8, orEmpty(a.customerId()));
            ps.setString(9, orEmpty(a.stage()));
            if (a.dueAt() == null) {
                ps.setNull(10, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                setInstant(ps, 10, a.dueAt());
            }
            setInstant(ps, 11, a.firedAt());
            setInstant(ps, 12, emittedAt);
            ps.setString(13, a.title());
            ps.setString(14, a.message());
            ps.setString(15, a.suggestion());
            setInstant(ps, 16, time.now());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed(WRITE, e);
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A record the notifier could not deliver or read, keyed by its Kafka coordinates like the monitor's. */
    public synchronized void deadLetter(String topic, int partition, long offset, String key, byte[] raw,
            String errorCode, String error, String tenant, Instant receivedAt) throws SQLException {
        String text;
        String encoding = "utf8";
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw == null ? new byte[0] : raw)).toString();
        } catch (CharacterCodingException e) {
            text = Base64.getEncoder().encodeToString(raw);
            encoding = "base64";
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO salespulse.dead_letters (topic, `partition`,"
                + " `offset`, key, raw, raw_encoding, error_code, error, tenant, received_at, ingested_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, offset);
            if (key == null) {
                ps.setNull(4, Types.VARCHAR);
            } else {
                ps.setString(4, key);
            }
            ps.setString(5, text);
            ps.setString(6, encoding);
            ps.setString(7, errorCode);
            ps.setString(8, error);
            ps.setString(9, tenant == null ? "" : tenant);
            setInstant(ps, 10, receivedAt);
            setInstant(ps, 11, time.now());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed(WRITE, e);
        }
    }

    /**
     * Alerts raised by the pipeline that may still need escalating: fired after {@code notBefore}, not
     * acknowledged or resolved (on the alert itself or any of its escalations), below the top level.
     * {@code level} is the highest escalation level already raised (0 = none). Never a {@code receivable_overdue}
     * alert whose invoice is paid in full by now, a retraction, an imported
     * history's alert, or an alert a retraction withdrew (retraction rows carry the withdrawn id in
     * origin_alert_id, whatever came of them).
     */
    public synchronized List<Origin> escalationCandidates(Instant notBefore, int topLevel) throws SQLException {
        // Aliases differ from the column names: ClickHouse would otherwise read the WHERE's fired_at as any(fired_at).
        // told: when a group saw the message. Delivered or digested: delivered_at; uncertain (the crash window) or
        // failed: the first attempt (the group may have seen it, or never will: escalation must not wait forever).
        String told = "min(if(status IN ('delivered', 'digested', 'uncertain', 'failed'),"
                + " coalesce(delivered_at, first_attempt_at), NULL))";
        String sql = "SELECT o.alert_id, o.o_type, o.o_severity, o.o_tenant, o.o_region, o.o_team, o.o_rep, o.o_customer,"
                + " toUnixTimestamp64Milli(o.o_fired_at), o.o_title, coalesce(e.level, 0) AS level,"
                // -1: not told yet (the driver may read a NULL here as 0, which would be 1970 and escalate at once)
                + " ifNull(toUnixTimestamp64Milli(if(coalesce(e.level, 0) = 0, o.o_told_at, e.e_told_at)), -1),"
                + " ifNull(toUnixTimestamp64Milli(o.o_action_due), -1)"
                + " FROM (SELECT alert_id, any(type) AS o_type, any(severity) AS o_severity, any(tenant) AS o_tenant,"
                + "   any(region) AS o_region, any(team) AS o_team, any(rep_id) AS o_rep, any(customer_id) AS o_customer,"
                + "   any(fired_at) AS o_fired_at, any(title) AS o_title, " + told + " AS o_told_at,"
                + "   min(action_due_at) AS o_action_due"
                + "   FROM salespulse.alert_deliveries FINAL WHERE escalation_level = 0 AND fired_at >= ?"
                + "   AND type NOT IN ('retraction', 'follow_up')"
                + "   AND status NOT IN ('" + Delivery.Status.SILENCED.code() + "', '" + Delivery.Status.HELD.code() + "', '"
                + Delivery.Status.SKIPPED_HISTORY.code() + "', '"
                + Delivery.Status.RETRACTED_BEFORE_DELIVERY.code() + "')"
                + "   GROUP BY alert_id) AS o"
                + " LEFT JOIN (SELECT origin_alert_id, toNullable(max(escalation_level)) AS level,"
                // In a tuple, so that a NULL (the top level not told yet) is taken, not skipped for a lower level's.
                + "   argMax(tuple(l_told_at), escalation_level).1 AS e_told_at"
                + "   FROM (SELECT origin_alert_id, escalation_level, " + told + " AS l_told_at"
                + "     FROM salespulse.alert_deliveries FINAL WHERE escalation_level > 0"
                + "     GROUP BY origin_alert_id, escalation_level)"
                + "   GROUP BY origin_alert_id) AS e"
                + " ON o.alert_id = e.origin_alert_id"
                + " WHERE coalesce(e.level, 0) < ?"
                // An ack stops the chain; for an alert that asks for an action only resolving it does (Instructions).
                + " AND o.alert_id NOT IN (SELECT DISTINCT " + ACKED_ORIGIN + " FROM salespulse.alert_acks FINAL"
                + "   WHERE action = 'resolve')"
                + " AND (o.o_type IN (" + quoteAll(Instructions.TYPES) + ") OR o.alert_id NOT IN (SELECT DISTINCT "
                + ACKED_ORIGIN + " FROM salespulse.alert_acks FINAL))"
                + " AND o.alert_id NOT IN (SELECT origin_alert_id FROM salespulse.alert_deliveries FINAL"
                + "   WHERE type = 'retraction')"
                + " ORDER BY o.alert_id";
        List<Origin> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            setInstant(ps, 1, notBefore);
            ps.setInt(2, topLevel);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    NotifierAlert a = new NotifierAlert(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), null, null,
                            Instant.ofEpochMilli(rs.getLong(9)), rs.getString(10), null, null, 0, rs.getString(1));
                    long toldAt = rs.getLong(12);
                    long actionDue = rs.getLong(13);
                    out.add(new Origin(a, rs.getInt(11), toldAt < 0 ? null : Instant.ofEpochMilli(toldAt),
                            actionDue < 0 ? null : Instant.ofEpochMilli(actionDue)));
                }
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        // A receivable paid in full since (late, but paid) needs nobody to chase it. Asked only when there are
        // receivables among the candidates, so that the check of every other alert costs what it did.
        if (out.stream().anyMatch(o -> RECEIVABLE.equals(o.alert().type()))) {
            java.util.Set<String> paid = new java.util.HashSet<>(strings(PAID_RECEIVABLES));
            out.removeIf(o -> RECEIVABLE.equals(o.alert().type()) && paid.contains(o.alert().alertId()));
        }
        return out;
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw failed(READ, e);
        }
        return out;
    }

    private SQLException failed(String operation, SQLException e) {
        failures.inc("operation", operation);
        return e;
    }

    /** Strictly growing across writes and restarts (wall-clock microseconds, bumped when equal). */
    private long nextVersion() {
        long v = Math.max(lastVersion + 1, ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()));
        lastVersion = v;
        return v;
    }

    private static void setInstant(PreparedStatement ps, int i, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, value.truncatedTo(ChronoUnit.MILLIS));
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    static String quoteAll(Collection<String> values) {
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        }
        return sb.toString();
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}

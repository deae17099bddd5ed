package io.salespulse.notifier.page;

import io.salespulse.contract.metrics.LabelledCounter;
import io.salespulse.notifier.delivery.DeliveryLedger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the alert page reads from ClickHouse (the alert as the ledger holds it, the customer's recent stage cards,
 * the responses and snoozes so far) and the one thing it writes there: a snooze, as a row of
 * {@code alert_silences}. Acks and resolves go to {@code sales.acks}, not here. One connection, one caller at a time.
 */
public final class AlertPageStore implements AutoCloseable {
    /** The alert as the page shows it; message, suggestion, stage and due time come from {@code alerts} when known. */
    public record PageAlert(String alertId, String type, String severity, String tenant, String region, String team,
            String repId, String customerId, String title, Instant firedAt, int escalationLevel, String stage,
            Instant dueAt, String message, String suggestion, boolean retracted) {}

    /** One stage card of the customer. */
    public record Card(String stage, Instant occurredAt, String repId, String objectionTag, String outcome,
            Double dealValue) {}

    /** An ack or resolve recorded for the alert. */
    public record Response(String responder, String action, Instant at) {}

    /** A snooze (a silence on one alert). */
    public record Snooze(String silenceId, String tenant, String alertId, Instant startsAt, Instant endsAt,
            String author, String reason, String source) {}

    private final Connection connection;
    private final LabelledCounter failures;

    public AlertPageStore(String jdbcUrl, String user, String password, LabelledCounter failures) throws SQLException {
        this.connection = DeliveryLedger.connect(jdbcUrl, user, password);
        this.failures = failures;
    }

    /** The alert, if the notifier delivered (or decided) it; its escalations count towards the level shown. */
    public synchronized Optional<PageAlert> alert(String alertId) throws SQLException {
        String sql = "SELECT any(type), any(severity), any(tenant), any(region), any(team), any(rep_id), any(customer_id),"
                + " any(title), toUnixTimestamp64Milli(any(fired_at)),"
                + " (SELECT max(escalation_level) FROM salespulse.alert_deliveries FINAL WHERE origin_alert_id = ?),"
                + " (SELECT count() FROM salespulse.alert_deliveries FINAL WHERE type = 'retraction'"
                + "   AND origin_alert_id = ?) > 0"
                + " FROM salespulse.alert_deliveries FINAL WHERE alert_id = ? HAVING count() > 0";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, alertId);
            ps.setString(2, alertId);
            ps.setString(3, alertId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                PageAlert a = new PageAlert(alertId, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        Instant.ofEpochMilli(rs.getLong(9)), rs.getInt(10), null, null, null, null, rs.getBoolean(11));
                return Optional.of(withText(a));
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    /** Stage, due time and free text from {@code alerts} (the monitor's sink), when it has the row. */
    private PageAlert withText(PageAlert a) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT stage, toUnixTimestamp64Milli(due_at), message,"
                + " suggestion FROM salespulse.alerts FINAL WHERE alert_id = ? LIMIT 1")) {
            ps.setString(1, a.alertId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return a;
                }
                long due = rs.getLong(2);
                Instant dueAt = rs.wasNull() ? null : Instant.ofEpochMilli(due);
                return new PageAlert(a.alertId(), a.type(), a.severity(), a.tenant(), a.region(), a.team(), a.repId(),
                        a.customerId(), a.title(), a.firedAt(), a.escalationLevel(), blankToNull(rs.getString(1)),
                        dueAt, blankToNull(rs.getString(3)), blankToNull(rs.getString(4)), a.retracted());
            }
        }
    }

    /** The customer's latest stage cards, newest first. */
    public synchronized List<Card> recentCards(String tenant, String customerId, int limit) throws SQLException {
        List<Card> out = new ArrayList<>();
        if (customerId == null || customerId.isBlank()) {
            return out;
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT stage, toUnixTimestamp64Milli(occurred_at), rep_id,"
                + " objection_tag, outcome, deal_value FROM salespulse.stage_events FINAL"
                + " WHERE tenant = ? AND customer_id = ? ORDER BY occurred_at DESC LIMIT " + limit)) {
            ps.setString(1, tenant);
            ps.setString(2, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double v = rs.getDouble(6);
                    Double value = rs.wasNull() ? null : v;
                    out.add(new Card(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                            blankToNull(rs.getString(4)), blankToNull(rs.getString(5)), value));
                }
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
        return out;
    }

    /** Acks and resolves recorded for the alert (or its escalations), oldest first. */
    public synchronized List<Response> responses(String alertId) throws SQLException {
        List<Response> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT responder, action, toUnixTimestamp64Milli(occurred_at)"
                + " FROM salespulse.alert_acks FINAL WHERE alert_id = ? OR startsWith(alert_id, ?)"
                + " ORDER BY occurred_at LIMIT 20")) {
            ps.setString(1, alertId);
            ps.setString(2, "escalation:" + alertId + ":");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Response(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
        return out;
    }

    /** The snooze of this alert that ends last, if one is still running at {@code now}. */
    public synchronized Optional<Snooze> activeSnooze(String tenant, String alertId, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT silence_id, toUnixTimestamp64Milli(starts_at),"
                + " toUnixTimestamp64Milli(ends_at), author, reason, source FROM salespulse.alert_silences FINAL"
                + " WHERE tenant = ? AND alert_id = ? AND toUnixTimestamp64Milli(ends_at) > ?"
                + " ORDER BY ends_at DESC LIMIT 1")) {
            ps.setString(1, tenant);
            ps.setString(2, alertId);
            ps.setLong(3, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snooze(rs.getString(1), tenant, alertId, Instant.ofEpochMilli(rs.getLong(2)),
                        Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4), rs.getString(5), rs.getString(6)));
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    /** When the silence with this id was created, if it was. */
    public synchronized Optional<Snooze> silence(String silenceId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT tenant, alert_id, toUnixTimestamp64Milli(starts_at),"
                + " toUnixTimestamp64Milli(ends_at), author, reason, source FROM salespulse.alert_silences FINAL"
                + " WHERE silence_id = ? LIMIT 1")) {
            ps.setString(1, silenceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snooze(silenceId, rs.getString(1), rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5),
                        rs.getString(6), rs.getString(7)));
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    /** Writes a snooze: a silence whose only matcher is the alert. */
    public synchronized void writeSnooze(Snooze s, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO salespulse.alert_silences (silence_id, tenant,"
                + " alert_id, region, team, rep_id, customer_id, type, starts_at, ends_at, author, reason, source,"
                + " created_at, version) VALUES (?, ?, ?, '', '', '', '', '', ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.silenceId());
            ps.setString(2, s.tenant());
            ps.setString(3, s.alertId());
            ps.setObject(4, s.startsAt().truncatedTo(ChronoUnit.MILLIS));
            ps.setObject(5, s.endsAt().truncatedTo(ChronoUnit.MILLIS));
            ps.setString(6, s.author());
            ps.setString(7, s.reason());
            ps.setString(8, s.source());
            ps.setObject(9, now.truncatedTo(ChronoUnit.MILLIS));
            ps.setLong(10, ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("write", e);
        }
    }

    /** A deterministic id: the same request (same page, same choice) gives the same silence. */
    public static String silenceId(String... parts) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return "snooze-" + HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SQLException failed(String operation, SQLException e) {
        failures.inc("operation", operation);
        return e;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}

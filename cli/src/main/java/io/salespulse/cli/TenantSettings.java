package io.salespulse.cli;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A tenant's row of {@code salespulse.tenant_settings}: one row per tenant, the latest version wins, so changing one
 * setting writes the row again with the others as they were (0 means the default the views name).
 */
final class TenantSettings {
    private TenantSettings() {}

    /** Writes the tenant's settings with the given ones changed; null leaves a setting as it is. */
    static void update(ClickHouse c, String tenant, String author, Integer farCheckInM, Integer collectionBenchmarkDays)
            throws SQLException {
        long far = 0;
        long benchmark = 0;
        try (PreparedStatement ps = c.connection().prepareStatement("SELECT far_check_in_m, collection_benchmark_days"
                + " FROM salespulse.tenant_settings FINAL WHERE tenant = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    far = rs.getLong(1);
                    benchmark = rs.getLong(2);
                }
            }
        }
        Instant now = Instant.now();
        try (PreparedStatement ps = c.connection().prepareStatement("INSERT INTO salespulse.tenant_settings (tenant,"
                + " far_check_in_m, collection_benchmark_days, updated_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, tenant);
            ps.setLong(2, farCheckInM != null ? farCheckInM : far);
            ps.setLong(3, collectionBenchmarkDays != null ? collectionBenchmarkDays : benchmark);
            ps.setString(4, author);
            ps.setObject(5, now.truncatedTo(ChronoUnit.MILLIS));
            ps.setLong(6, ChronoUnit.MICROS.between(Instant.EPOCH, now));
            ps.executeUpdate();
        }
    }
}

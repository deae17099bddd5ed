package io.salespulse.pipeline.clickhouse;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Binds a timestamp in JDBC statements (the migrator's ledger; the sink writes RowBinary, see {@link RowBinaryRows}).
 *
 * <p>Instants go to {@code DateTime64(3, 'UTC')} columns as {@code Instant} objects: the
 * ClickHouse JDBC driver (0.10.x) sends them as {@code fromUnixTimestamp64Nano(<epoch nanos>)},
 * an absolute point in time, so neither the JVM's nor the server's time zone is involved. A
 * {@code java.sql.Timestamp} would instead pass through a local date-time and a calendar, which
 * is where time-zone shifts creep in. Sub-millisecond digits are cut here so that what is written
 * is exactly what a DateTime64(3) column can hold and reads back.
 */
public final class ClickHouseBindings {

    private ClickHouseBindings() {}

    /** A {@code DateTime64(3, 'UTC')} column; {@code value} must not be null. */
    public static void setInstant(PreparedStatement statement, int index, Instant value)
            throws SQLException {
        if (value == null) {
            throw new SQLException("Parameter " + index + " is a non-nullable DateTime64 but got null");
        }
        statement.setObject(index, value.truncatedTo(ChronoUnit.MILLIS));
    }
}

package io.salespulse.pipeline.clickhouse;

import com.clickhouse.jdbc.ClickHouseDriver;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens JDBC connections to ClickHouse. The driver is instantiated directly instead of through
 * {@code DriverManager}, which cannot see drivers loaded by Flink's user-code class loader.
 */
final class ClickHouseConnections {

    private ClickHouseConnections() {}

    static Connection open(String jdbcUrl, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        Connection connection = new ClickHouseDriver().connect(jdbcUrl, properties);
        if (connection == null) {
            throw new SQLException(
                    "Not a ClickHouse JDBC URL (expected jdbc:clickhouse://...): " + redactUrl(jdbcUrl));
        }
        return connection;
    }

    /** The URL without its query string, which may carry a password. */
    static String redactUrl(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?...";
    }
}

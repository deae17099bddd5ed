package io.salespulse.cli;

import com.clickhouse.jdbc.ClickHouseDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A small JDBC client for the CLI's own reads (demo summary, query). */
final class ClickHouse implements AutoCloseable {
    /** Where {@code bin/salespulse clickhouse} listens by default; compress=0 because the local engine's front speaks plain HTTP. */
    static final String LOCAL_URL = "jdbc:clickhouse://127.0.0.1:8123/default?compress=0";

    private final Connection connection;

    private ClickHouse(Connection connection) {
        this.connection = connection;
    }

    static ClickHouse connect(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user == null ? "default" : user);
        p.setProperty("password", password == null ? "" : password);
        // Instantiated directly: DriverManager's service lookup is not needed and hides "wrong URL" as null.
        Connection c = new ClickHouseDriver().connect(url, p);
        if (c == null) {
            throw new UserError("not a ClickHouse JDBC URL: " + redact(url) + " (expected jdbc:clickhouse://host:8123/default)", 2);
        }
        return new ClickHouse(c);
    }

    /** The JDBC connection, for statements with parameters (silence add). */
    Connection connection() {
        return connection;
    }

    /** A result as text: column names and rows, nulls as "NULL". */
    record Table(List<String> columns, List<List<String>> rows) {}

    Table query(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnLabel(i));
            }
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns.size());
                for (int i = 1; i <= columns.size(); i++) {
                    Object v = rs.getObject(i);
                    row.add(v == null ? "NULL" : text(rs, i, v));
                }
                rows.add(row);
            }
            return new Table(columns, rows);
        }
    }

    long count(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String text(ResultSet rs, int column, Object value) throws SQLException {
        // Arrays and maps print better through getObject; getString covers dates and decimals as ClickHouse shows them.
        if (value instanceof java.sql.Array || value instanceof java.util.Map || value instanceof java.util.Collection) {
            return String.valueOf(value);
        }
        String s = rs.getString(column);
        return s == null ? String.valueOf(value) : s;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** The URL without its query string, which may carry a password. */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

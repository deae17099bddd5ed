package io.salespulse.pipeline.clickhouse;


import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The test table, its mapping, deterministic test data, and reading it back. */
final class TestOrders {

    static final String TABLE = "sinktest.orders";

    private static final Instant BASE = Instant.parse("2026-01-12T01:30:00.123Z");

    private TestOrders() {}

    static void createTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS sinktest");
            statement.execute("DROP TABLE IF EXISTS " + TABLE);
            statement.execute(
                    "CREATE TABLE " + TABLE + " (id String, seq UInt64, name String, note Nullable(String),"
                            + " amount Nullable(Float64), paid Bool, happened_at DateTime64(3, 'UTC'),"
                            + " due_at Nullable(DateTime64(3, 'UTC')))"
                            + " ENGINE = ReplacingMergeTree ORDER BY id");
        }
    }

    /** The order with key {@code key}: always the same values, so duplicates are true replays. */
    static TestOrder order(long key) {
        TestOrder order = new TestOrder();
        order.id = "o-" + key;
        order.seq = key;
        // Quotes, backslashes, tabs and non-ASCII text must survive the driver's escaping.
        order.name = switch ((int) (key % 4)) {
            case 0 -> "客户 " + key;
            case 1 -> "O'Brien \\ " + key;
            case 2 -> "tab\tnew\nline " + key;
            default -> "plain " + key;
        };
        order.note = key % 3 == 0 ? null : "note-" + key;
        order.amount = key % 5 == 0 ? null : key * 1.25 + 0.001;
        order.paid = key % 2 == 0;
        order.happenedAt = BASE.plusMillis(key * 1_001);
        order.dueAt = key % 7 == 0 ? null : BASE.plusSeconds(86_400).plusMillis(key);
        return order;
    }

    static final class Mapping implements TableMapping<TestOrder> {
        @Override
        public String table() {
            return TABLE;
        }

        @Override
        public List<String> columns() {
            return List.of("id", "seq", "name", "note", "amount", "paid", "happened_at", "due_at");
        }

        @Override
        public void write(TestOrder order, RowValues row) {
            row.text(order.id).number(order.seq).text(order.name).nullableText(order.note).nullableNumber(order.amount)
                    .bool(order.paid).time(order.happenedAt.toEpochMilli())
                    .nullableTime(order.dueAt == null ? 0 : order.dueAt.toEpochMilli());
        }
    }

    /** Reads the table with FINAL, times as epoch millis so no client time zone is involved. */
    static Map<String, TestOrder> readFinal(Connection connection) throws SQLException {
        Map<String, TestOrder> rows = new LinkedHashMap<>();
        String query =
                "SELECT id, seq, name, note, amount, paid, toUnixTimestamp64Milli(happened_at),"
                        + " toUnixTimestamp64Milli(due_at) FROM " + TABLE + " FINAL ORDER BY seq";
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(query)) {
            while (rs.next()) {
                TestOrder order = new TestOrder();
                order.id = rs.getString(1);
                order.seq = rs.getLong(2);
                order.name = rs.getString(3);
                order.note = rs.getString(4);
                double amount = rs.getDouble(5);
                order.amount = rs.wasNull() ? null : amount;
                order.paid = rs.getBoolean(6);
                order.happenedAt = Instant.ofEpochMilli(rs.getLong(7));
                long due = rs.getLong(8);
                order.dueAt = rs.wasNull() ? null : Instant.ofEpochMilli(due);
                TestOrder previous = rows.put(order.id, order);
                if (previous != null) {
                    throw new AssertionError("FINAL returned " + order.id + " twice");
                }
            }
        }
        return rows;
    }

    static long scalar(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package io.salespulse.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClickHouseTest {

    static final Instant T1 = Instant.parse("2026-01-14T02:05:00.123Z");
    static final Instant T2 = Instant.parse("2026-03-01T23:59:59.999Z");
    static final Instant T3 = Instant.parse("2025-12-31T16:00:00.001Z");
    static final String TRICKY = "it's \"quoted\", back\\slash, 销售线索 — 中文";

    @TempDir
    Path tmp;

    record Row(String id, long amount, double score, boolean won, String note, Instant at, String stage) {}

    static Connection connect(LocalClickHouse ch) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "anything");
        return DriverManager.getConnection(ch.jdbcUrl(), p);
    }

    @Test
    void jdbcRoundTripSurvivesRestart() throws Exception {
        Path data = tmp.resolve("clickhouse");
        try (LocalClickHouse ch = LocalClickHouse.start(data)) {
            assertThat(ch.httpUrl()).isEqualTo("http://127.0.0.1:" + ch.port());
            HttpResponse<String> ping = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(ch.httpUrl() + "/ping")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("Ok.\n");

            try (Connection c = connect(ch); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT version()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).matches("\\d+\\.\\d+.*");
                }
                assertThat(c.getMetaData().getDatabaseProductVersion()).isNotBlank();
                st.execute("CREATE DATABASE IF NOT EXISTS sp");
                st.execute("CREATE TABLE sp.deals (id String, amount Int64, score Float64, won Bool, note Nullable(String),"
                        + " at DateTime64(3, 'UTC'), stage LowCardinality(String))"
                        + " ENGINE = ReplacingMergeTree ORDER BY id");

                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sp.deals (id, amount, score, won, note, at, stage) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
                    // a: Instant via setObject; b: Timestamp via setTimestamp (UTC calendar); c: LocalDateTime (UTC wall time)
                    bind(ps, "a", 1_000_000_000_001L, 0.25, true, TRICKY);
                    ps.setObject(6, T1);
                    ps.setString(7, "won");
                    ps.addBatch();
                    bind(ps, "b", -42L, 3.5e-7, false, null);
                    ps.setTimestamp(6, Timestamp.from(T2), utc);
                    ps.setString(7, "lead");
                    ps.addBatch();
                    bind(ps, "c", 0L, -1.5, false, "old version of c");
                    ps.setObject(6, LocalDateTime.ofInstant(T3, ZoneOffset.UTC));
                    ps.setString(7, "lead");
                    ps.addBatch();
                    int[] counts = ps.executeBatch();
                    assertThat(counts).hasSize(3);
                }
                // a newer version of key c (ReplacingMergeTree keeps the last inserted)
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sp.deals (id, amount, score, won, note, at, stage) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    bind(ps, "c", 7L, 99.75, true, "new version of c");
                    ps.setObject(6, T3);
                    ps.setString(7, "proposal");
                    ps.addBatch();
                    ps.executeBatch();
                }

                Map<String, Row> rows = readAll(c);
                assertThat(rows).hasSize(3);
                assertThat(rows.get("a")).isEqualTo(new Row("a", 1_000_000_000_001L, 0.25, true, TRICKY, T1, "won"));
                assertThat(rows.get("b")).isEqualTo(new Row("b", -42L, 3.5e-7, false, null, T2, "lead"));
                assertThat(rows.get("c")).isEqualTo(new Row("c", 7L, 99.75, true, "new version of c", T3, "proposal"));

                try (ResultSet rs = st.executeQuery("SELECT count() FROM sp.deals FINAL WHERE note = " + "'"
                        + TRICKY.replace("\\", "\\\\").replace("'", "\\'") + "'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                }
                try (ResultSet rs = st.executeQuery("SELECT toString(at) FROM sp.deals FINAL WHERE id = 'a'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("2026-01-14 02:05:00.123");
                }

                assertThatThrownBy(() -> st.executeQuery("SELEC 1 FROM sp.deals"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("Code: 62");
                // the connection is still usable after an error
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }

        // same data path, new server process: the MergeTree data is still there
        try (LocalClickHouse ch = LocalClickHouse.start(data); Connection c = connect(ch)) {
            Map<String, Row> rows = readAll(c);
            assertThat(rows).hasSize(3);
            assertThat(rows.get("a").note()).isEqualTo(TRICKY);
            assertThat(rows.get("a").at()).isEqualTo(T1);
        }
    }

    /**
     * Clients send RowBinary as {@code INSERT ... FORMAT RowBinary} with the rows in the body. chDB ends data
     * inline in a query at the first empty line, so binary data holding "\n\n" (here inside an Int64 and a
     * string) must arrive whole all the same: every row, every byte.
     */
    @Test
    void binaryInsertBodiesArriveWholeEvenWithEmptyLinesInTheData() throws Exception {
        try (LocalClickHouse ch = LocalClickHouse.start(tmp.resolve("clickhouse"))) {
            HttpClient http = HttpClient.newHttpClient();
            post(http, ch, null, "CREATE TABLE default.bin (s String, n Int64) ENGINE = MergeTree ORDER BY n");
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            int rows = 1000;
            for (int i = 0; i < rows; i++) {
                byte[] text = ("row\n\n" + i + "\u0000end").getBytes(StandardCharsets.UTF_8);
                body.write(text.length);
                body.write(text);
                long n = 0x0A0A_0000_0000_0000L + i;
                for (int b = 0; b < 8; b++) {
                    body.write((int) (n >>> (8 * b)) & 0xFF);
                }
            }
            HttpResponse<String> insert = post(http, ch, "INSERT INTO default.bin (s, n) FORMAT RowBinary",
                    body.toByteArray());
            assertThat(insert.statusCode()).as(insert.body()).isEqualTo(200);
            HttpResponse<String> check = post(http, ch, null,
                    "SELECT count(), countIf(s = concat('row\\n\\n', toString(n - 0x0A0A000000000000), '\\0end'))"
                            + " FROM default.bin FORMAT TSV");
            assertThat(check.body().trim()).isEqualTo(rows + "\t" + rows);
            try (java.util.stream.Stream<Path> left = Files.walk(tmp.resolve("clickhouse"))) {
                assertThat(left.filter(f -> f.getFileName().toString().startsWith("insert-"))).as("temporary files").isEmpty();
            }
        }
    }

    private static HttpResponse<String> post(HttpClient http, LocalClickHouse ch, String query, Object body)
            throws Exception {
        String url = ch.httpUrl() + "/" + (query == null ? "" : "?query=" + java.net.URLEncoder.encode(query, StandardCharsets.UTF_8));
        HttpRequest.BodyPublisher publisher = body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                : HttpRequest.BodyPublishers.ofString((String) body);
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void bind(PreparedStatement ps, String id, long amount, double score, boolean won, String note)
            throws SQLException {
        ps.setString(1, id);
        ps.setLong(2, amount);
        ps.setDouble(3, score);
        ps.setBoolean(4, won);
        if (note == null) {
            ps.setNull(5, Types.VARCHAR);
        } else {
            ps.setString(5, note);
        }
    }

    private static Map<String, Row> readAll(Connection c) throws SQLException {
        Map<String, Row> rows = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery(
                          "SELECT id, amount, score, won, note, at, stage FROM sp.deals FINAL ORDER BY id")) {
            while (rs.next()) {
                Timestamp ts = rs.getTimestamp("at", Calendar.getInstance(TimeZone.getTimeZone("UTC")));
                Row r = new Row(rs.getString("id"), rs.getLong("amount"), rs.getDouble("score"), rs.getBoolean("won"),
                        rs.getString("note"), ts.toInstant(), rs.getString("stage"));
                assertThat(rows.put(r.id(), r)).as("key %s returned once", r.id()).isNull();
            }
        }
        return rows;
    }
}

package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.localstack.LocalClickHouse;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations in sql/, applied by the Migrator to the real ClickHouse engine. */
class MigratorTest {

    /** Every file in sql/, in order: the Migrator must apply exactly these. */
    private static final List<String> MIGRATIONS = migrationFiles();

    private static List<String> migrationFiles() {
        try (var files = java.nio.file.Files.list(Path.of("..", "sql"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("\\d{3}_.*\\.sql"))
                    .sorted()
                    .collect(java.util.stream.Collectors.toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String TS = "DateTime64(3, 'UTC')";
    private static final String LC = "LowCardinality(String)";

    @TempDir static Path tempDir;
    static LocalClickHouse clickHouse;

    @BeforeAll
    static void startClickHouse() throws Exception {
        clickHouse = LocalClickHouse.start(tempDir.resolve("clickhouse"));
    }

    @AfterAll
    static void stopClickHouse() {
        if (clickHouse != null) {
            clickHouse.close();
        }
    }

    @BeforeEach
    void startFromAnEmptyEngine() throws Exception {
        execute("DROP DATABASE IF EXISTS salespulse");
    }

    @Test
    void appliesEveryMigrationInOrderExactlyOnce() throws Exception {
        Migrator migrator = migrator();

        assertThat(migrator.pending()).containsExactlyElementsOf(MIGRATIONS);
        assertThat(migrator.migrate()).containsExactlyElementsOf(MIGRATIONS);
        assertThat(migrator.migrate()).isEmpty();
        assertThat(migrator.pending()).isEmpty();

        List<String> ledger = new ArrayList<>();
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery(
                                "SELECT version, name, checksum FROM salespulse.schema_migrations FINAL"
                                        + " ORDER BY version")) {
            while (rs.next()) {
                String name = rs.getString(2);
                assertThat(rs.getInt(1)).isEqualTo(Integer.parseInt(name.substring(0, 3)));
                assertThat(rs.getString(3)).isEqualTo(sha256(Path.of("../sql").resolve(name)));
                ledger.add(name);
            }
        }
        assertThat(ledger).containsExactlyElementsOf(MIGRATIONS);
    }

    @Test
    void createsTheContractTables() throws Exception {
        migrator().migrate();

        assertThat(columns("stage_events"))
                .containsExactly(
                        col("event_id", "String"), col("tenant", LC), col("occurred_at", TS),
                        col("customer_id", "String"), col("rep_id", "String"), col("region", LC),
                        col("team", LC), col("stage", LC), col("need", "Nullable(String)"),
                        col("proposal", "Nullable(String)"),
                        col("objection_tag", "LowCardinality(Nullable(String))"),
                        col("script_id", "Nullable(String)"),
                        col("outcome", "LowCardinality(Nullable(String))"), col("high_potential", "Bool"),
                        col("deal_value", "Nullable(Float64)"), col("ingested_at", TS), col("import_id", "String"));
        assertThat(columns("visits"))
                .containsExactly(
                        col("event_id", "String"), col("tenant", LC), col("occurred_at", TS),
                        col("rep_id", "String"), col("customer_id", "String"),
                        col("store_id", "Nullable(String)"), col("region", LC), col("team", LC),
                        col("channel", LC), col("lat", "Nullable(Float64)"), col("lon", "Nullable(Float64)"),
                        col("photo", "Nullable(String)"), col("ingested_at", TS), col("import_id", "String"),
                        col("accuracy", "Nullable(Float64)"));
        assertThat(columns("alert_acks"))
                .containsExactly(
                        col("event_id", "String"), col("alert_id", "String"), col("tenant", LC),
                        col("responder", "String"), col("action", LC), col("occurred_at", TS),
                        col("ingested_at", TS));
        assertThat(columns("alerts"))
                .containsExactly(
                        col("alert_id", "String"), col("type", LC), col("severity", LC), col("tenant", LC),
                        col("region", LC), col("team", LC), col("rep_id", "String"),
                        col("customer_id", "String"), col("stage", LC),
                        col("due_at", "Nullable(" + TS + ")"), col("fired_at", TS), col("emitted_at", TS),
                        col("title", "String"), col("message", "String"), col("suggestion", "String"),
                        col("ingested_at", TS), col("origin", LC), col("retracts", "String"));
        assertThat(columns("customer_status"))
                .containsExactly(
                        col("tenant", LC), col("customer_id", "String"), col("rep_id", "String"),
                        col("region", LC), col("team", LC), col("stage", LC), col("status", LC),
                        col("high_potential", "Bool"), col("deal_value", "Nullable(Float64)"),
                        col("stage_entered_at", TS), col("last_event_at", TS),
                        col("due_at", "Nullable(" + TS + ")"), col("updated_at", TS),
                        col("version", "UInt64"), col("ingested_at", TS));
        assertThat(columns("dead_letters"))
                .containsExactly(
                        col("topic", LC), col("partition", "Int32"), col("offset", "Int64"),
                        col("key", "Nullable(String)"), col("raw", "String"), col("raw_encoding", LC),
                        col("error_code", LC), col("error", "String"), col("tenant", "String"),
                        col("received_at", TS), col("ingested_at", TS));
        assertThat(columns("import_sessions"))
                .containsExactly(
                        col("tenant", LC), col("import_id", "String"), col("status", LC), col("expires_at", TS),
                        col("cards", "UInt64"), col("visits", "UInt64"), col("acks", "UInt64"),
                        col("description", "String"), col("published_at", TS), col("ingested_at", TS));
        assertThat(columns("stage_conversion"))
                .containsExactly(
                        col("tenant", LC), col("region", LC), col("team", LC), col("from_stage", LC),
                        col("window_start", TS), col("window_end", TS), col("entered", "UInt32"),
                        col("advanced", "UInt32"), col("rate", "Float64"),
                        col("baseline_rate", "Nullable(Float64)"), col("change_pct", "Nullable(Float64)"),
                        col("flagged", "Bool"), col("computed_at", TS));
        assertThat(columns("schema_migrations"))
                .containsExactly(
                        col("version", "UInt32"), col("name", "String"), col("checksum", "String"),
                        col("applied_at", TS));

        // Dedup on the whole key: ReplacingMergeTree, the documented ORDER BY, no partitions.
        Map<String, String> keys = new LinkedHashMap<>();
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery(
                                "SELECT name, engine, sorting_key, partition_key FROM system.tables"
                                        + " WHERE database = 'salespulse' AND engine NOT LIKE '%View'"
                                        + " ORDER BY name")) {
            while (rs.next()) {
                assertThat(rs.getString(2)).as(rs.getString(1)).isEqualTo("ReplacingMergeTree");
                assertThat(rs.getString(4)).as(rs.getString(1)).isEmpty();
                keys.put(rs.getString(1), rs.getString(3));
            }
        }
        assertThat(keys)
                .containsEntry("stage_events", "tenant, event_id")
                .containsEntry("visits", "tenant, event_id")
                .containsEntry("alert_acks", "tenant, event_id")
                .containsEntry("alerts", "tenant, alert_id")
                .containsEntry("customer_status", "tenant, customer_id")
                .containsEntry("dead_letters", "topic, partition, offset")
                .containsEntry("stage_conversion", "tenant, region, team, from_stage, window_end")
                .containsEntry("schema_migrations", "version");
    }

    @Test
    void customerStatusKeepsTheHighestVersion() throws Exception {
        migrator().migrate();
        String columns =
                "(tenant, customer_id, rep_id, region, team, stage, status, high_potential, deal_value,"
                        + " stage_entered_at, last_event_at, due_at, updated_at, version, ingested_at)";
        String times = "'2026-01-12 01:30:00', '2026-01-12 01:30:00', NULL, '2026-01-12 01:30:00'";
        String at = "'2026-01-12 01:30:00'";
        execute("INSERT INTO salespulse.customer_status " + columns + " VALUES ('w', 'c1', 'r', 'hz',"
                + " 't', 'needs', 'overdue', true, NULL, " + times + ", 2, " + at + ")");
        // An older version arriving later (a replay) must not win.
        execute("INSERT INTO salespulse.customer_status " + columns + " VALUES ('w', 'c1', 'r', 'hz',"
                + " 't', 'contact', 'active', true, NULL, " + times + ", 1, " + at + ")");
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery("SELECT status FROM salespulse.customer_status FINAL")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("overdue");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void refusesAMigrationChangedAfterItWasApplied() throws Exception {
        Migrator migrator = migrator();
        migrator.migrate();
        String fileChecksum = sha256(Path.of("../sql/003_visits.sql"));
        execute(
                "INSERT INTO salespulse.schema_migrations (version, name, checksum, applied_at)"
                        + " VALUES (3, '003_visits.sql', 'deadbeef', now64(3))");

        assertThatThrownBy(migrator::migrate)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("003_visits.sql")
                .hasMessageContaining("deadbeef")
                .hasMessageContaining(fileChecksum);
        assertThatThrownBy(migrator::pending).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void namesTheFileAndClickHousesErrorWhenAStatementFails() throws Exception {
        Path root = tempDir.resolve("broken");
        Files.createDirectories(root.resolve("sql"));
        Files.copy(
                Path.of("../sql/001_create_database.sql"), root.resolve("sql/001_create_database.sql"));
        Files.writeString(
                root.resolve("sql/002_broken.sql"),
                "-- a type that does not exist\n"
                        + "CREATE TABLE salespulse.broken (x NoSuchType) ENGINE = MergeTree ORDER BY x;\n");

        try (URLClassLoader classes = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            Migrator migrator = new Migrator(clickHouse.jdbcUrl(), "default", "", classes);
            assertThat(migrator.pending()).containsExactly("001_create_database.sql", "002_broken.sql");
            assertThatThrownBy(migrator::migrate)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("002_broken.sql")
                    .hasMessageContaining("NoSuchType")
                    .hasMessageContaining("Code: ");
            // What ran before the failure stays recorded; the failed file stays pending.
            assertThat(migrator.pending()).containsExactly("002_broken.sql");
        }
    }

    @Test
    void readsMigrationsFromAJar() throws Exception {
        Path jar = tempDir.resolve("migrations.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            // No "sql/" directory entry, as some jar tools write them: found through 001 instead.
            for (String name : MIGRATIONS) {
                out.putNextEntry(new JarEntry("sql/" + name));
                out.write(Files.readAllBytes(Path.of("../sql").resolve(name)));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("sql/README.txt"));
            out.write("not a migration".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Migrator migrator = new Migrator(clickHouse.jdbcUrl(), "default", "", classes);
            assertThat(migrator.pending()).containsExactlyElementsOf(MIGRATIONS);
            assertThat(migrator.migrate()).containsExactlyElementsOf(MIGRATIONS);
        }
        // The same files from the build's class path: nothing left to do, checksums agree.
        assertThat(migrator().pending()).isEmpty();
    }

    private static Migrator migrator() {
        return new Migrator(clickHouse.jdbcUrl(), "default", "");
    }

    private static String col(String name, String type) {
        return name + " " + type;
    }

    private static List<String> columns(String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rs =
                        statement.executeQuery(
                                "SELECT name, type FROM system.columns WHERE database = 'salespulse'"
                                        + " AND table = '" + table + "' ORDER BY position")) {
            while (rs.next()) {
                columns.add(col(rs.getString(1), rs.getString(2)));
            }
        }
        return columns;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection connect() throws SQLException {
        return ClickHouseConnections.open(clickHouse.jdbcUrl(), "default", "");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}

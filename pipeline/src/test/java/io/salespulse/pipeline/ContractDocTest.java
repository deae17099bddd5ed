package io.salespulse.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Json;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.localstack.LocalClickHouse;
import io.salespulse.pipeline.clickhouse.Migrator;
import io.salespulse.pipeline.events.DeadLetter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/contract.md is what integrators build against: its field lists must be the truth. Each event table equals
 * the fields of the class the contract's parser fills; the alert, dead-letter and import-session tables equal the
 * JSON the jobs and the gateway write; each ClickHouse table equals the columns (names and types, in order) the
 * migrations create on the real engine.
 */
class ContractDocTest {
    private static final Path DOC = Path.of("..", "docs", "contract.md");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_0-9]+)`\\s*\\|\\s*(?:`([^`]*)`)?.*$");

    @TempDir
    static Path dir;
    static LocalClickHouse clickHouse;

    @BeforeAll
    static void startClickHouse() throws Exception {
        clickHouse = LocalClickHouse.start(dir.resolve("clickhouse"));
        new Migrator(clickHouse.jdbcUrl(), "default", "").migrate();
    }

    @AfterAll
    static void stopClickHouse() {
        clickHouse.close();
    }

    @Test
    void eventFieldsAreTheParsersFields() throws Exception {
        assertThat(fields("sales.stages")).isEqualTo(snakeFields(StageEvent.class));
        assertThat(fields("sales.visits")).isEqualTo(snakeFields(VisitEvent.class));
        assertThat(fields("sales.acks")).isEqualTo(snakeFields(AckEvent.class));
        assertThat(fields("sales.cash")).isEqualTo(snakeFields(CashEvent.class));
    }

    @Test
    void outputFieldsAreTheJsonTheJobsWrite() throws Exception {
        Alert a = new Alert();
        a.alertId = "retraction:x";
        a.dueAt = 1;
        a.retracts = "x";
        assertThat(fields("Alerts (sales.alerts)")).isEqualTo(keys(Json.MAPPER.readTree(a.toJson())));
        DeadLetter d = new DeadLetter();
        assertThat(fields("Dead letters (sales.dlq)")).isEqualTo(keys(Json.MAPPER.readTree(d.toJson())));
        ImportSession s = new ImportSession("t", "imp-1", ImportSession.Status.OPEN, 0, 0, 0, 0, "", 0);
        assertThat(fields("sales.imports")).isEqualTo(keys(Json.MAPPER.readTree(s.toJson())));
    }

    @Test
    void tableColumnsAreTheSchemaTheMigrationsCreate() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT name FROM system.tables WHERE database = 'salespulse' AND engine LIKE '%MergeTree'"
                        + " AND name != 'schema_migrations' ORDER BY name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).isNotEmpty();
        for (String table : tables) {
            Map<String, String> documented = columns(table);
            assertThat(documented).as("docs/contract.md documents table %s", table).isNotEmpty();
            Map<String, String> actual = new LinkedHashMap<>();
            try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT name, type FROM system.columns WHERE database = 'salespulse' AND table = '" + table
                            + "' ORDER BY position")) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(documented).as("columns of %s in docs/contract.md", table).containsExactlyEntriesOf(actual);
        }
    }

    /** The first-column names of the table under the heading {@code ### heading} (or {@code ## heading}). */
    private static List<String> fields(String heading) throws Exception {
        return new ArrayList<>(section(heading).keySet());
    }

    private static Map<String, String> columns(String table) throws Exception {
        return section(table);
    }

    private static Map<String, String> section(String heading) throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        Map<String, String> out = new LinkedHashMap<>();
        boolean in = false;
        boolean table = false;
        for (String line : lines) {
            if (line.matches("^#{2,4} .*")) {
                if (in) {
                    break;
                }
                in = line.replaceFirst("^#+ ", "").equals(heading);
                continue;
            }
            if (!in) {
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                table = true;
                out.put(m.group(1), m.group(2));
            } else if (table && !line.startsWith("|")) {
                break; // the first table of the section only
            }
        }
        return out;
    }

    private static List<String> snakeFields(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields()).filter(f -> Modifier.isPublic(f.getModifiers())
                && !Modifier.isStatic(f.getModifiers())).map(Field::getName)
                .map(n -> n.replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
    }

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Connection connect() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        return DriverManager.getConnection(clickHouse.jdbcUrl(), p);
    }
}

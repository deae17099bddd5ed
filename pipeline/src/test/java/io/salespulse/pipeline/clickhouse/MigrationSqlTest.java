package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MigrationSqlTest {

    @Test
    void dropsCommentsAndTheFinalSemicolon() {
        String sql =
                "-- header; with a semicolon\n"
                        + "CREATE TABLE a.b (x String COMMENT 'it''s -- not a comment; really')\n"
                        + "/* block */ ENGINE = Memory;\n\n";
        assertThat(MigrationSql.singleStatement("001_x.sql", sql))
                .isEqualTo(
                        "CREATE TABLE a.b (x String COMMENT 'it''s -- not a comment; really')\n"
                                + "  ENGINE = Memory");
    }

    @Test
    void refusesTwoStatementsInOneFile() {
        assertThatThrownBy(() -> MigrationSql.singleStatement("002_y.sql", "SELECT 1; SELECT 2;"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("002_y.sql")
                .hasMessageContaining("more than one statement");
    }

    @Test
    void refusesAnEmptyFile() {
        assertThatThrownBy(() -> MigrationSql.singleStatement("003_z.sql", "-- nothing\n"))
                .hasMessageContaining("003_z.sql");
    }
}

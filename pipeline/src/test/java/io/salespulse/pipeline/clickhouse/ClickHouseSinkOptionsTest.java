package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Option validation, backoff bounds and the generated INSERT; no ClickHouse needed. */
class ClickHouseSinkOptionsTest {

    private static final String URL = "jdbc:clickhouse://127.0.0.1:8123/default?compress=0";

    @Test
    void hasTheDocumentedDefaults() {
        ClickHouseSinkOptions options = ClickHouseSinkOptions.builder(URL).build();
        assertThat(options.batchSize()).isEqualTo(5000);
        assertThat(options.flushInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.maxRetries()).isEqualTo(8);
        assertThat(options.initialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(options.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.user()).isEqualTo("default");
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        assertThatThrownBy(() -> ClickHouseSinkOptions.builder("http://x").build())
                .hasMessageContaining("jdbcUrl");
        assertThatThrownBy(() -> ClickHouseSinkOptions.builder(URL).batchSize(0).build())
                .hasMessageContaining("batchSize");
        assertThatThrownBy(
                        () -> ClickHouseSinkOptions.builder(URL).flushInterval(Duration.ZERO).build())
                .hasMessageContaining("flushInterval");
        assertThatThrownBy(() -> ClickHouseSinkOptions.builder(URL).maxRetries(-1).build())
                .hasMessageContaining("maxRetries");
        assertThatThrownBy(
                        () ->
                                ClickHouseSinkOptions.builder(URL)
                                        .initialBackoff(Duration.ofSeconds(2))
                                        .maxBackoff(Duration.ofSeconds(1))
                                        .build())
                .hasMessageContaining("maxBackoff");
    }

    @Test
    void neverPrintsThePassword() {
        ClickHouseSinkOptions options =
                ClickHouseSinkOptions.builder(URL + "&password=s3cret").password("s3cret").build();
        assertThat(options.toString()).doesNotContain("s3cret");
    }

    @Test
    void backoffGrowsWithJitterUpToTheMaximum() {
        ClickHouseSinkOptions options =
                ClickHouseSinkOptions.builder(URL)
                        .initialBackoff(Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(30))
                        .build();
        ClickHouseSinkWriter<String> writer =
                new ClickHouseSinkWriter<>(
                        options,
                        new StringMapping(),
                        new ManualProcessingTime(),
                        new RecordingMetricGroup(),
                        UnaryOperator.identity(),
                        () -> {
                            throw new AssertionError("no connection expected");
                        });
        for (int i = 0; i < 100; i++) {
            assertThat(writer.backoffMillis(1)).isBetween(100L, 200L);
            assertThat(writer.backoffMillis(3)).isBetween(400L, 800L);
            assertThat(writer.backoffMillis(20)).isBetween(15_000L, 30_000L);
            assertThat(writer.backoffMillis(1_000)).isBetween(15_000L, 30_000L);
        }
        writer.close();
    }

    @Test
    void quotesColumnNamesInTheInsert() {
        assertThat(ClickHouseSinkWriter.quotedColumns(new StringMapping())).containsExactly("`partition`", "`offset`");
    }

    private static final class StringMapping implements TableMapping<String> {
        @Override
        public String table() {
            return "t.strings";
        }

        @Override
        public List<String> columns() {
            return List.of("partition", "offset");
        }

        @Override
        public void write(String element, RowValues row) {}
    }
}

package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire bytes of {@link RowBinaryRows}, and the errors a mapping that does not fit its table gets. */
class RowBinaryRowsTest {

    private static String hex(RowBinaryRows rows) {
        return HexFormat.of().formatHex(Arrays.copyOf(rows.buffer(), rows.size()));
    }

    @Test
    void encodesEachTypeAsClickHouseReadsIt() {
        RowBinaryRows rows = new RowBinaryRows("db.t",
                List.of("s", "lc", "ns", "u8", "u64", "i32", "f", "nf", "b", "t", "nt", "dt"),
                List.of("String", "LowCardinality(String)", "LowCardinality(Nullable(String))", "UInt8", "UInt64",
                        "Int32", "Float64", "Nullable(Float64)", "Bool", "DateTime64(3, 'UTC')",
                        "Nullable(DateTime64(3, 'UTC'))", "DateTime('UTC')"));
        rows.text("ab").text("中").nullableText(null).number(255).number(1L << 40).number(-2).real(1.5)
                .nullableNumber(null).bool(true).time(0x0102030405L).nullableTime(0).time(5_000);
        rows.endRow();
        assertThat(hex(rows)).isEqualTo(
                "026162" // String: LEB128 length, UTF-8
                        + "03e4b8ad" // LowCardinality(String) is a String on the wire
                        + "01" // Nullable: null flag 1
                        + "ff" // UInt8
                        + "0000000000010000" // UInt64, little endian
                        + "feffffff" // Int32 -2
                        + "000000000000f83f" // Float64 1.5
                        + "01" // Nullable(Float64) null
                        + "01" // Bool
                        + "0504030201000000" // DateTime64(3): epoch millis
                        + "01" // Nullable(DateTime64) null
                        + "05000000"); // DateTime: UInt32 seconds
        assertThat(rows.rows()).isEqualTo(1);
    }

    @Test
    void longStringsGetMultiByteLengthsAndNonNullNullablesAFlag() {
        RowBinaryRows rows = new RowBinaryRows("db.t", List.of("s", "n"), List.of("Nullable(String)", "String"));
        rows.nullableText("x").text("y".repeat(300));
        rows.endRow();
        assertThat(hex(rows)).startsWith("000178" + "ac02" + "7979");
        assertThat(rows.size()).isEqualTo(3 + 2 + 300);
    }

    @Test
    void arraysOfDatesAndRealsAreALengthThenTheValues() {
        RowBinaryRows rows = new RowBinaryRows("db.t", List.of("d", "a"), List.of("Array(Date)", "Array(Float64)"));
        rows.dateArray(new long[] {20465, 20496}).realArray(new double[] {1.5});
        rows.endRow();
        assertThat(hex(rows)).isEqualTo("02" + "f14f" + "1050" // Array(Date): LEB128 count, UInt16 days
                + "01" + "000000000000f83f"); // Array(Float64)
        assertThatThrownBy(() -> new RowBinaryRows("db.t", List.of("d"), List.of("Array(Date)")).dateArray(
                new long[] {-1})).hasMessageContaining("does not fit column d");
    }

    @Test
    void microsecondColumnsScaleTheMillis() {
        RowBinaryRows rows = new RowBinaryRows("db.t", List.of("t"), List.of("DateTime64(6)"));
        rows.time(1);
        rows.endRow();
        assertThat(hex(rows)).isEqualTo("e803000000000000");
    }

    @Test
    void valuesThatDoNotFitTheirColumnFailNamingTableAndColumn() {
        RowBinaryRows rows = new RowBinaryRows("db.t", List.of("n", "u", "s"), List.of("Int64", "UInt16", "String"));
        assertThatThrownBy(() -> rows.text("x")).hasMessageContaining("Column n of db.t is Int64");
        rows.clear();
        assertThatThrownBy(() -> rows.number(1).number(70_000)).hasMessageContaining("70000 does not fit column u (UInt16)");
        rows.clear();
        assertThatThrownBy(() -> rows.number(1).number(1).text(null)).hasMessageContaining("Null for column s");
        rows.clear();
        assertThatThrownBy(() -> rows.number(1).number(1).nullableText(null)).hasMessageContaining("not Nullable");
        rows.clear();
        rows.number(1).number(2);
        assertThatThrownBy(rows::endRow).hasMessageContaining("2 values for 3 columns");
    }

    @Test
    void unsupportedColumnTypesFailWhenTheWriterOpens() {
        assertThatThrownBy(() -> new RowBinaryRows("db.t", List.of("e"), List.of("Enum8('a' = 1)")))
                .hasMessageContaining("Column e of ClickHouse table db.t has type Enum8('a' = 1)");
    }
}

package io.salespulse.pipeline.clickhouse;

/**
 * The values of one row, in {@link TableMapping#columns()} order, as a {@link TableMapping} writes them.
 * How they are encoded depends on the column's ClickHouse type (see {@link RowBinaryRows}); a value that
 * does not fit its column (text into a number, null into a non-nullable column) fails naming both.
 */
public interface RowValues {
    /** A {@code String} or {@code LowCardinality(String)} column; {@code v} must not be null. */
    RowValues text(String v);

    /** A {@code Nullable(String)} or {@code LowCardinality(Nullable(String))} column. */
    RowValues nullableText(String v);

    /** Any integer column ({@code Int8}..{@code UInt64}), or a {@code Float64} one. */
    RowValues number(long v);

    /** A {@code Float64} column. */
    RowValues real(double v);

    /** A {@code Nullable(Float64)} column. */
    RowValues nullableNumber(Double v);

    /** A {@code Bool} (or {@code UInt8}) column. */
    RowValues bool(boolean v);

    /** A {@code DateTime64(3, 'UTC')} column, from epoch milliseconds. */
    RowValues time(long epochMillis);

    /** A {@code Nullable(DateTime64(3, 'UTC'))} column; 0 means "none" in our POJOs. */
    RowValues nullableTime(long epochMillis);

    /** An {@code Array(Date)} column, from days since 1970-01-01. */
    RowValues dateArray(long[] epochDays);

    /** An {@code Array(Float64)} column. */
    RowValues realArray(double[] v);

    /** A {@code DateTime64} column set to the time of writing ({@code ingested_at}, {@code computed_at}). */
    default RowValues now() {
        return time(System.currentTimeMillis());
    }
}

package io.salespulse.pipeline.clickhouse;

import java.io.Serializable;
import java.util.List;

/**
 * How one stream element becomes one row of one ClickHouse table, for {@link ClickHouseSink}. The sink
 * sends the rows as {@code INSERT INTO table() (columns()) FORMAT RowBinary}, encoded following the
 * table's column types (see {@link RowBinaryRows}).
 *
 * @param <T> the stream element
 */
public interface TableMapping<T> extends Serializable {

    /** The fully qualified table, e.g. {@code salespulse.alerts}. */
    String table();

    /** The column names, unquoted, in the order {@link #write} writes them. */
    List<String> columns();

    /** Writes one value per column of {@link #columns()}, in that order. */
    void write(T element, RowValues row);
}

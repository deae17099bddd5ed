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

    /** The mapping of {@code table}'s {@code columns}, whose values {@code writer} writes in that order. */
    static <T> TableMapping<T> of(String table, List<String> columns, RowWriter<T> writer) {
        return new TableMapping<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public String table() {
                return table;
            }

            @Override
            public List<String> columns() {
                return columns;
            }

            @Override
            public void write(T element, RowValues row) {
                writer.write(element, row);
            }
        };
    }

    /** Writes one row's values in column order. */
    @FunctionalInterface
    interface RowWriter<T> extends Serializable {
        void write(T element, RowValues row);
    }
}

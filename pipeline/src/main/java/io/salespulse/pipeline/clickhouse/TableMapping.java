package io.salespulse.pipeline.clickhouse;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * How one stream element becomes one row of one ClickHouse table, for {@link ClickHouseSink}.
 * The sink inserts with {@code INSERT INTO table() (columns()) VALUES (?, ...)}.
 *
 * @param <T> the stream element
 */
public interface TableMapping<T> extends Serializable {

    /** The fully qualified table, e.g. {@code salespulse.alerts}. */
    String table();

    /** The column names, unquoted, in the order {@link #bind} sets them. */
    List<String> columns();

    /**
     * Sets parameters 1..n of {@code statement} from {@code element}, in {@link #columns()} order.
     * See {@link ClickHouseBindings} for nullable values and timestamps.
     */
    void bind(T element, PreparedStatement statement) throws SQLException;
}

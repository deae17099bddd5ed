package io.salespulse.pipeline.clickhouse;

import com.clickhouse.client.api.Client;
import java.io.IOException;
import java.util.List;

/**
 * Rows of one table, encoded as the sink encodes them (RowBinary for the server's column types) and inserted in
 * batches with the sink's client, without Flink around it: what the benchmark's ingest baseline does with the
 * raw events, the irreducible part of the jobs' work (consume, parse, write the rows). No retries: a failed insert
 * is an error for the caller.
 */
public final class RowBinaryInserter<T> implements AutoCloseable {
    private final TableMapping<T> mapping;
    private final Client client;
    private final List<String> quotedColumns;
    private final RowBinaryRows rows;

    private RowBinaryInserter(TableMapping<T> mapping, Client client) throws IOException {
        this.mapping = mapping;
        this.client = client;
        this.quotedColumns = ClickHouseSinkWriter.quotedColumns(mapping);
        try {
            this.rows = new RowBinaryRows(mapping.table(), mapping.columns(),
                    ClickHouseSinkWriter.columnTypes(client, mapping));
        } catch (ClickHouseSinkWriter.AttemptFailed e) {
            client.close();
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Connects as the sink does (JDBC URL, user, password) and reads the table's column types. */
    public static <T> RowBinaryInserter<T> open(String jdbcUrl, String user, String password, TableMapping<T> mapping)
            throws IOException {
        return new RowBinaryInserter<>(mapping, ClickHouseClients.open(jdbcUrl, user, password));
    }

    public void add(T element) {
        mapping.write(element, rows);
        rows.endRow();
    }

    public int pending() {
        return rows.rows();
    }

    /** Inserts the rows added since the last insert, if any. */
    public void insert() throws IOException {
        if (rows.rows() == 0) {
            return;
        }
        try {
            ClickHouseSinkWriter.insert(client, mapping.table(), quotedColumns, rows);
        } catch (ClickHouseSinkWriter.AttemptFailed e) {
            throw new IOException("Could not write " + rows.rows() + " rows to " + mapping.table() + ": "
                    + e.getMessage(), e);
        }
        rows.clear();
    }

    @Override
    public void close() {
        client.close();
    }
}

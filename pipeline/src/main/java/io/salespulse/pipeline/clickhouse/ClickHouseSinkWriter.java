package io.salespulse.pipeline.clickhouse;

import com.clickhouse.client.api.ClickHouseException;
import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-subtask half of {@link ClickHouseSink}: encodes elements as RowBinary rows as they come and
 * inserts them as one batch when {@code batchSize} rows wait, when {@code flushInterval} has passed,
 * and whenever Flink calls {@link #flush} (before every checkpoint barrier and at the end of input).
 *
 * <p>Everything here runs in the task thread: Flink calls write/flush from it, and processing-time
 * callbacks run in the same mailbox, so the buffer needs no locking. A failed batch is retried
 * whole, after a backoff, with a fresh client; when the retries run out the writer throws and
 * Flink fails over to the last checkpoint, whose replay the dedup tables absorb.
 *
 * <p>It talks to ClickHouse through the Java client (client-v2, {@link ClickHouseClients}), built from the
 * sink's JDBC URL, user and password: the column types come from {@code system.columns}, the rows go as one
 * {@code INSERT ... FORMAT RowBinary} per batch.
 */
final class ClickHouseSinkWriter<T> implements SinkWriter<T> {

    /** Opens a client; a separate seam so tests can simulate an unreachable server. */
    @FunctionalInterface
    interface ClientFactory {
        Client open();
    }

    /** One attempt failed (ClickHouse unreachable, refused the batch, did not answer in time): retry it. */
    static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkWriter.class);
    private static final long INSERT_TIMEOUT_MINUTES = 5;

    private final ClickHouseSinkOptions options;
    private final TableMapping<T> mapping;
    private final ProcessingTimeService timers;
    private final UnaryOperator<T> copier;
    private final ClientFactory clients;
    private final List<String> quotedColumns;

    private final Counter rowsWritten;
    private final Counter retries;
    private final Counter recordsSend;
    private volatile long lastFlushMillis;

    /** Elements written before the first insert, waiting for the column types to be encoded. */
    private final List<T> buffer;
    /** Null before the first insert and after a failed one; it has read the table's column types. */
    private Client client;
    /**
     * Rows waiting for the next flush, encoded for the table's column types, which the first client
     * reads; until then elements wait (copied) in {@link #buffer}. Emptied only after ClickHouse took them.
     */
    private RowBinaryRows rowBinary;
    private ScheduledFuture<?> flushTimer;
    private boolean closed;

    ClickHouseSinkWriter(
            ClickHouseSinkOptions options,
            TableMapping<T> mapping,
            ProcessingTimeService timers,
            MetricGroup metrics,
            UnaryOperator<T> copier,
            ClientFactory clients) {
        this.options = options;
        this.mapping = mapping;
        this.timers = timers;
        this.copier = copier;
        this.clients = clients;
        this.quotedColumns = quotedColumns(mapping);
        this.buffer = new ArrayList<>(Math.min(options.batchSize(), 100_000));
        this.rowsWritten = metrics.counter("clickhouseRowsWritten");
        this.retries = metrics.counter("clickhouseRetries");
        metrics.gauge("clickhouseLastFlushMillis", (Gauge<Long>) () -> lastFlushMillis);
        if (metrics instanceof SinkWriterMetricGroup sinkMetrics) {
            this.recordsSend = sinkMetrics.getNumRecordsSendCounter();
            sinkMetrics.setCurrentSendTimeGauge(() -> lastFlushMillis);
        } else {
            this.recordsSend = null;
        }
        scheduleFlushTimer();
    }

    static List<String> quotedColumns(TableMapping<?> mapping) {
        return mapping.columns().stream().map(column -> "`" + column.replace("`", "\\`") + "`").toList();
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        if (rowBinary != null) {
            // Encoded right away: no copy of the element is kept, so object reuse upstream is harmless.
            mapping.write(element, rowBinary);
            rowBinary.endRow();
        } else {
            buffer.add(copier.apply(element)); // until the first client reads the column types
        }
        if (buffered() >= options.batchSize()) {
            flushBuffer();
        }
    }

    /** Called by Flink before every checkpoint barrier, and with {@code true} at end of input. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushBuffer();
    }

    private void scheduleFlushTimer() {
        long due = timers.getCurrentProcessingTime() + options.flushInterval().toMillis();
        flushTimer = timers.registerTimer(due, this::onFlushTimer);
    }

    private void onFlushTimer(long time) throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        flushBuffer();
        scheduleFlushTimer();
    }

    /** Number of elements waiting for the next flush (for tests). */
    int buffered() {
        return buffer.size() + (rowBinary == null ? 0 : rowBinary.rows());
    }

    private void flushBuffer() throws IOException, InterruptedException {
        int rows = buffered();
        if (rows == 0) {
            return;
        }
        long started = System.nanoTime();
        int attempt = 0;
        while (true) {
            try {
                insert();
                break;
            } catch (AttemptFailed e) {
                closeClientQuietly(); // the next attempt starts a new client: the old one's connections may be broken
                if (attempt >= options.maxRetries()) {
                    throw new IOException(
                            "Could not write "
                                    + rows
                                    + " rows to ClickHouse table "
                                    + mapping.table()
                                    + " after "
                                    + (attempt + 1)
                                    + " attempts: "
                                    + describe(e),
                            e);
                }
                attempt++;
                retries.inc();
                long backoff = backoffMillis(attempt);
                LOG.warn(
                        "Writing {} rows to ClickHouse table {} failed (retry {} of {} in {} ms): {}",
                        rows,
                        mapping.table(),
                        attempt,
                        options.maxRetries(),
                        backoff,
                        describe(e));
                Thread.sleep(backoff);
            }
        }
        rowsWritten.inc(rows);
        if (recordsSend != null) {
            recordsSend.inc(rows);
        }
        lastFlushMillis = (System.nanoTime() - started) / 1_000_000;
        rowBinary.clear();
    }

    private void insert() throws AttemptFailed {
        if (client == null) {
            Client opened = clients.open();
            try {
                List<String> types = columnTypes(opened, mapping);
                if (rowBinary == null) {
                    rowBinary = new RowBinaryRows(mapping.table(), mapping.columns(), types);
                    for (T row : buffer) {
                        mapping.write(row, rowBinary);
                        rowBinary.endRow();
                    }
                    buffer.clear();
                } else if (!rowBinary.types().equals(types)) {
                    // The rows waiting are encoded for the old types; the checkpoint replay re-encodes them.
                    throw new IllegalStateException("The columns of ClickHouse table " + mapping.table()
                            + " changed while the job ran (now " + types + "); failing over to re-encode its rows");
                }
            } catch (AttemptFailed | RuntimeException e) {
                opened.close();
                throw e;
            }
            client = opened;
        }
        insert(client, mapping.table(), quotedColumns, rowBinary);
    }

    /** One insert of the encoded rows; any failure is an attempt that failed (the caller retries or gives up). */
    static void insert(Client client, String table, List<String> quotedColumns, RowBinaryRows rows)
            throws AttemptFailed {
        try (InsertResponse response = client.insert(table, quotedColumns,
                new ByteArrayInputStream(rows.buffer(), 0, rows.size()), ClickHouseFormat.RowBinary)
                .get(INSERT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            // Accepted: the rows are in the table.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttemptFailed("Interrupted while inserting into " + table, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AttemptFailed(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new AttemptFailed("No answer from ClickHouse within " + INSERT_TIMEOUT_MINUTES + " minutes", e);
        } catch (RuntimeException e) { // the client's own (ClickHouseException), or any other failed request
            throw new AttemptFailed(e.getMessage(), e);
        }
    }

    /**
     * The types of the mapping's columns as the server has them; a column the table lacks fails here,
     * when the writer connects, naming it.
     */
    static List<String> columnTypes(Client client, TableMapping<?> mapping) throws AttemptFailed {
        String table = mapping.table();
        int dot = table.indexOf('.');
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("table", dot < 0 ? table : table.substring(dot + 1));
        if (dot >= 0) {
            parameters.put("database", table.substring(0, dot));
        }
        String sql = "SELECT name, type FROM system.columns WHERE database = "
                + (dot < 0 ? "currentDatabase()" : "{database:String}") + " AND table = {table:String}";
        Map<String, String> types = new HashMap<>();
        try {
            for (GenericRecord column : client.queryAll(sql, parameters)) {
                types.put(column.getString("name"), column.getString("type"));
            }
        } catch (ClickHouseException e) {
            throw new AttemptFailed(e.getMessage(), e);
        }
        if (types.isEmpty()) {
            throw new AttemptFailed(
                    "ClickHouse has no table " + table + " (run the migrations: salespulse migrate)", null);
        }
        List<String> result = new ArrayList<>();
        for (String column : mapping.columns()) {
            String type = types.get(column);
            if (type == null) {
                throw new AttemptFailed("ClickHouse table " + table + " has no column " + column
                        + " (run the migrations: salespulse migrate)", null);
            }
            result.add(type);
        }
        return result;
    }

    /** Exponential backoff with jitter: a random value in [half, full] of initial * 2^(retry-1). */
    long backoffMillis(int retry) {
        long initial = options.initialBackoff().toMillis();
        long max = options.maxBackoff().toMillis();
        long full = initial;
        for (int i = 1; i < retry && full < max; i++) {
            full *= 2;
        }
        full = Math.min(full, max);
        long half = full / 2;
        return half + ThreadLocalRandom.current().nextLong(full - half + 1);
    }

    /**
     * The error and its root cause (the driver's own message often hides "Connection refused"),
     * without the password should any part of it echo the connection settings.
     */
    private String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        String password = options.password();
        return password.isEmpty() ? message : message.replace(password, "******");
    }

    private void closeClientQuietly() {
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("Ignoring failure to close a ClickHouse client", e);
            }
            client = null;
        }
    }

    /** Does not flush: on a clean end Flink has called flush(true); on failure the rows replay. */
    @Override
    public void close() {
        closed = true;
        if (flushTimer != null) {
            flushTimer.cancel(false);
        }
        closeClientQuietly();
    }
}

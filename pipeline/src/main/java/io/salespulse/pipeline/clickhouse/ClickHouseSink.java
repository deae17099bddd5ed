package io.salespulse.pipeline.clickhouse;

import java.io.IOException;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes a stream into one ClickHouse table in batches, retrying failed batches and failing the
 * job rather than dropping rows.
 *
 * <p>Delivery is at least once: every checkpoint first flushes the buffer (see {@link
 * ClickHouseSinkWriter#flush}), so a restored job only replays rows that may already have been
 * written. The SalesPulse tables are ReplacingMergeTree on the element's natural key, so replays
 * collapse and reads with {@code FINAL} see each key once: effectively exactly once.
 *
 * <pre>{@code
 * alerts.sinkTo(new ClickHouseSink<>(options, new AlertRows())).uid("clickhouse-alerts");
 * }</pre>
 *
 * @param <T> the stream element, turned into a row by the {@link TableMapping}
 */
public final class ClickHouseSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final ClickHouseSinkOptions options;
    private final TableMapping<T> mapping;

    public ClickHouseSink(ClickHouseSinkOptions options, TableMapping<T> mapping) {
        this.options = Objects.requireNonNull(options, "options");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        if (mapping.table() == null || mapping.table().isBlank()) {
            throw new IllegalArgumentException(
                    "TableMapping " + mapping.getClass().getName() + " has no table");
        }
        if (mapping.columns() == null || mapping.columns().isEmpty()) {
            throw new IllegalArgumentException("TableMapping for " + mapping.table() + " has no columns");
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        // With object reuse, Flink may hand us the same instance again for the next record, so
        // buffered elements must be copies.
        UnaryOperator<T> copier = UnaryOperator.identity();
        if (context.isObjectReuseEnabled()) {
            TypeSerializer<T> serializer = context.createInputSerializer();
            copier = serializer::copy;
        }
        return new ClickHouseSinkWriter<>(
                options,
                mapping,
                context.getProcessingTimeService(),
                context.metricGroup(),
                copier,
                () -> ClickHouseClients.open(options.jdbcUrl(), options.user(), options.password()));
    }

    public ClickHouseSinkOptions options() {
        return options;
    }

    public TableMapping<T> mapping() {
        return mapping;
    }
}

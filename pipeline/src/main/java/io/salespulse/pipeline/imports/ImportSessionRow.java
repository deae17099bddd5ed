package io.salespulse.pipeline.imports;

import io.salespulse.contract.ImportSession;
import io.salespulse.pipeline.clickhouse.TableMapping;
import java.util.List;

/** A row of {@code import_sessions}: one {@code sales.imports} record as the monitor job applied it (Flink POJO). */
public class ImportSessionRow {
    public String tenant;
    public String importId;
    public String status;
    public long expiresAt;
    public long cards;
    public long visits;
    public long acks;
    public String description;
    public long publishedAt;

    /** How a row lands in {@code salespulse.import_sessions}. */
    public static final TableMapping<ImportSessionRow> TABLE = TableMapping.of("salespulse.import_sessions",
            List.of("tenant", "import_id", "status", "expires_at", "cards", "visits", "acks", "description",
                    "published_at", "ingested_at"),
            (i, p) -> p.text(i.tenant).text(i.importId).text(i.status).time(i.expiresAt).number(i.cards)
                    .number(i.visits).number(i.acks).text(i.description == null ? "" : i.description)
                    .time(i.publishedAt).now());

    public ImportSessionRow() {}

    public static ImportSessionRow of(ImportSession s) {
        ImportSessionRow r = new ImportSessionRow();
        r.tenant = s.tenant();
        r.importId = s.importId();
        r.status = s.status().code();
        r.expiresAt = s.expiresAt();
        r.cards = s.cards();
        r.visits = s.visits();
        r.acks = s.acks();
        r.description = s.description();
        r.publishedAt = s.publishedAt();
        return r;
    }
}

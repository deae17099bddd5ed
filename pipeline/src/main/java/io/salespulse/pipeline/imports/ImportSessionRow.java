package io.salespulse.pipeline.imports;

import io.salespulse.contract.ImportSession;

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

package io.salespulse.producers.importer;

import java.nio.file.Path;

/**
 * A valid record of the import, ready to send: the JSON the gateway gets (tenant, event_id and import_id filled
 * in, the {@code kind} field removed), its kind and time, and where it came from.
 */
record ImportRecord(ImportKind kind, String eventId, long occurredAt, byte[] json, Path file, long line) {}

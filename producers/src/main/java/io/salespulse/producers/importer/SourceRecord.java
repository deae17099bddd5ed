package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record as read from a history file, before any check of the contract: its fields, or why they could not be
 * read (a line that is not JSON, a broken CSV row).
 *
 * @param line the line of the file the record starts on (1 = the first line)
 * @param raw the record's text as it stands in the file
 * @param fields the record, null when unreadable
 */
public record SourceRecord(long line, String raw, ObjectNode fields, String errorCode, String errorMessage) {

    static SourceRecord of(long line, String raw, ObjectNode fields) {
        return new SourceRecord(line, raw, fields, null, null);
    }

    static SourceRecord unreadable(long line, String raw, String code, String message) {
        return new SourceRecord(line, raw, null, code, message);
    }

    public boolean readable() {
        return fields != null;
    }
}

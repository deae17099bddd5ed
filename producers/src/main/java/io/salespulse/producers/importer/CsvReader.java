package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * CSV as spreadsheets and CRMs export it (RFC 4180): comma-separated, cells in double quotes may hold commas, line
 * breaks and doubled quotes ({@code ""}). The first row names the columns with the contract's field names, plus an
 * optional {@code kind} column. Cells are trimmed; an empty cell leaves its field out. The contract's typed fields
 * become JSON types: {@code high_potential} true/false/1/0 a boolean, {@code deal_value}, {@code lat}, {@code lon},
 * {@code accuracy} numbers; a cell that does not read as its type stays text, so the contract's check names the field.
 */
final class CsvReader implements HistoryReader {
    private static final Set<String> NUMBERS = Set.of("deal_value", "lat", "lon", "accuracy");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final String TOO_LONG = "the row is longer than " + MAX_RECORD_CHARS
            + " characters (is a quote not closed?)";

    @Override
    public void read(Path file, Records out) throws IOException, ImportFailure {
        try (BufferedReader in = HistoryReader.open(file)) {
            Rows rows = new Rows(in);
            Row header = rows.next();
            if (header == null) {
                throw new ImportFailure(file + " is empty: a CSV file starts with a header row of field names");
            }
            List<String> columns = columns(file, header);
            for (Row row = rows.next(); row != null; row = rows.next()) {
                if (row.error != null) {
                    out.accept(SourceRecord.unreadable(row.line, row.raw, "bad_csv", row.error));
                } else if (row.cells.size() != columns.size()) {
                    out.accept(SourceRecord.unreadable(row.line, row.raw, "bad_csv", "the row has " + row.cells.size()
                            + " cells, the header has " + columns.size()));
                } else {
                    out.accept(SourceRecord.of(row.line, row.raw, record(columns, row.cells)));
                }
            }
        }
    }

    private static List<String> columns(Path file, Row header) throws ImportFailure {
        if (header.error != null) {
            throw new ImportFailure(file + ": the header row (line " + header.line + ") cannot be read: " + header.error);
        }
        List<String> columns = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String cell : header.cells) {
            String name = cell.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new ImportFailure(file + ": column " + (columns.size() + 1) + " of the header row has no name;"
                        + " the header names every column with a field of the contract (event_id, tenant, ...)");
            }
            if (!seen.add(name)) {
                throw new ImportFailure(file + ": the header row names column '" + name + "' twice");
            }
            columns.add(name);
        }
        return columns;
    }

    private static ObjectNode record(List<String> columns, List<String> cells) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i);
            String value = cells.get(i).strip();
            if (value.isEmpty()) {
                continue;
            }
            if (name.equals("high_potential") && bool(value) != null) {
                n.put(name, bool(value));
            } else if (NUMBERS.contains(name) && NUMBER.matcher(value).matches()) {
                n.put(name, Double.parseDouble(value));
            } else {
                n.put(name, value);
            }
        }
        return n;
    }

    private static Boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** One CSV row: its cells, or why it cannot be read, with its text and first line. */
    private record Row(long line, String raw, List<String> cells, String error) {}

    /** Splits the text into rows; a line break inside quotes belongs to the cell. Blank lines are skipped. */
    private static final class Rows {
        private final Reader in;
        private long line = 1;
        private int ahead = -2;

        Rows(Reader in) {
            this.in = in;
        }

        Row next() throws IOException {
            while (true) {
                if (peek() == -1) {
                    return null;
                }
                Row row = row();
                boolean blank = row.error == null && row.cells.size() == 1 && row.raw.isBlank();
                if (!blank) {
                    return row;
                }
            }
        }

        private Row row() throws IOException {
            long first = line;
            StringBuilder raw = new StringBuilder();
            StringBuilder cell = new StringBuilder();
            List<String> cells = new ArrayList<>();
            String error = null;
            boolean inQuotes = false;
            boolean closedQuote = false;
            while (true) {
                if (raw.length() > MAX_RECORD_CHARS) {
                    // Most likely a quote that is never closed: the row would swallow the rest of the file.
                    raw.setLength(MAX_RECORD_CHARS);
                    cell.setLength(0);
                    cells.clear();
                    error = TOO_LONG;
                }
                int c = read();
                if (c == -1) {
                    if (inQuotes) {
                        error = "a quoted cell is not closed before the end of the file";
                    }
                    break;
                }
                if (inQuotes) {
                    raw.append((char) c);
                    if (c == '"' && peek() == '"') {
                        raw.append((char) read());
                        cell.append('"');
                    } else if (c == '"') {
                        inQuotes = false;
                        closedQuote = true;
                    } else {
                        cell.append((char) c);
                    }
                    continue;
                }
                if (c == '\n' || c == '\r') {
                    if (c == '\r' && peek() == '\n') {
                        read();
                    }
                    break;
                }
                raw.append((char) c);
                if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                    closedQuote = false;
                } else if (c == '"' && cell.toString().isBlank() && !closedQuote) {
                    cell.setLength(0);
                    inQuotes = true;
                } else if (closedQuote && !Character.isWhitespace(c)) {
                    if (error == null) {
                        error = "text after the closing quote of cell " + (cells.size() + 1);
                    }
                } else {
                    cell.append((char) c);
                }
            }
            cells.add(cell.toString());
            return new Row(first, raw.toString(), cells, error);
        }

        private int peek() throws IOException {
            if (ahead == -2) {
                ahead = in.read();
            }
            return ahead;
        }

        /** The next character; counts lines (a line break is \n, \r\n or a lone \r). */
        private int read() throws IOException {
            int c = peek();
            ahead = -2;
            if (c == '\n' || (c == '\r' && peek() != '\n')) {
                line++;
            }
            return c;
        }
    }
}

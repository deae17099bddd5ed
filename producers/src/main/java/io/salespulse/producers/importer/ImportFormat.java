package io.salespulse.producers.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The file formats of a history import. */
public enum ImportFormat {
    JSONL(new JsonLinesReader()),
    CSV(new CsvReader());

    private final HistoryReader reader;

    ImportFormat(HistoryReader reader) {
        this.reader = reader;
    }

    HistoryReader reader() {
        return reader;
    }

    /** Every record of {@code file}, readable or not, in file order: for small reference files (outlets). */
    public List<SourceRecord> readAll(Path file) throws IOException, ImportFailure {
        List<SourceRecord> out = new ArrayList<>();
        reader.read(file, out::add);
        return out;
    }

    /** From the file name: .jsonl, .ndjson, .json are JSON Lines, .csv is CSV. */
    public static Optional<ImportFormat> ofFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return Optional.of(JSONL);
        }
        return name.endsWith(".csv") ? Optional.of(CSV) : Optional.empty();
    }

    /** jsonl or csv, in any case. */
    public static Optional<ImportFormat> fromCode(String code) {
        return switch (code.strip().toLowerCase(Locale.ROOT)) {
            case "jsonl" -> Optional.of(JSONL);
            case "csv" -> Optional.of(CSV);
            default -> Optional.empty();
        };
    }
}

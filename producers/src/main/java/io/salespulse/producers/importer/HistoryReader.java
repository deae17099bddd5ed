package io.salespulse.producers.importer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads one history file, record by record, in file order. */
interface HistoryReader {

    /** Hands every record of the file (readable or not) to {@code out}; blank lines are no records. */
    void read(Path file, Consumer<SourceRecord> out) throws IOException, ImportFailure;

    /**
     * The file as UTF-8 text, strictly (a byte that is not UTF-8 is an error, not a replacement character), without
     * the byte-order mark that spreadsheet programs write at its start.
     */
    static BufferedReader open(Path file) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)));
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        return in;
    }
}

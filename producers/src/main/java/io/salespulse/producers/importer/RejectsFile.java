package io.salespulse.producers.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.Json;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code <FILE>.rejected.jsonl} next to each input file: one JSON object per record that was not sent,
 * {@code {"line":12,"code":"bad_timestamp","message":"...","raw":"..."}}. Written anew by every run, so it only
 * ever lists the rejects of the latest run; a run without rejects removes it. {@code raw} is cut after
 * {@link #MAX_RAW_CHARS} characters.
 */
public final class RejectsFile {
    /** A longer record text is cut: no record of that size is valid, and the file stays readable. */
    static final int MAX_RAW_CHARS = EventParser.MAX_RECORD_BYTES;

    private RejectsFile() {}

    public static Path of(Path input) {
        return input.resolveSibling(input.getFileName() + ".rejected.jsonl");
    }

    /** Writes the rejects of one run as they are found: the file is replaced at the first, removed if none come. */
    static Writer writer(Path input) {
        return new Writer(input);
    }

    /** The rejects file of one input, written reject by reject so that none is held in memory. */
    static final class Writer implements Closeable {
        private final Path file;
        private OutputStream out;
        private long written;

        private Writer(Path input) {
            this.file = of(input);
        }

        void add(Reject r) throws IOException {
            if (out == null) {
                out = new BufferedOutputStream(Files.newOutputStream(file));
            }
            writeLine(out, r);
            written++;
        }

        long written() {
            return written;
        }

        /** Closes the file, or removes an earlier run's file when this run found no reject. */
        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            } else {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Adds rejects found later (the gateway's refusals) to the rejects file of {@code input}. */
    static void append(Path input, List<Reject> rejects) throws IOException {
        try (OutputStream out = Files.newOutputStream(of(input), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writeLines(out, rejects);
        }
    }

    private static void writeLines(OutputStream out, List<Reject> rejects) throws IOException {
        for (Reject r : rejects) {
            writeLine(out, r);
        }
    }

    private static void writeLine(OutputStream out, Reject r) throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("line", r.line());
        n.put("code", r.code());
        n.put("message", r.message());
        n.put("raw", r.raw().length() <= MAX_RAW_CHARS ? r.raw()
                : r.raw().substring(0, MAX_RAW_CHARS) + "… (cut: " + r.raw().length() + " characters)");
        out.write(Json.bytes(n));
        out.write('\n');
    }
}

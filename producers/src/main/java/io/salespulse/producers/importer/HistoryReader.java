package io.salespulse.producers.importer;

import java.io.BufferedReader;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one history file, record by record, in file order. */
interface HistoryReader {
    /**
     * The longest line (and CSV row) read, in characters: 16 times the largest record the contract accepts, so
     * memory stays bounded when a file is not what its name says (a JSON array on one line, a quote never closed).
     */
    int MAX_RECORD_CHARS = 1 << 20;

    /** Takes the records of a file one by one. */
    @FunctionalInterface
    interface Records {
        void accept(SourceRecord record) throws IOException;
    }

    /** Hands every record of the file (readable or not) to {@code out}; blank lines are no records. */
    void read(Path file, Records out) throws IOException, ImportFailure;

    /**
     * The file as UTF-8 text, strictly (a byte that is not UTF-8 is an error, not a replacement character), without
     * the byte-order mark that spreadsheet programs write at its start. A line longer than {@link #MAX_RECORD_CHARS}
     * fails the read with {@link LineTooLong}.
     */
    static BufferedReader open(Path file) throws IOException {
        BufferedReader in = new BufferedReader(new LineLimit(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT))));
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        return in;
    }

    /** A line of the file is longer than {@link #MAX_RECORD_CHARS}. */
    final class LineTooLong extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLong(long line) {
            super("line " + line + " is longer than " + MAX_RECORD_CHARS + " characters");
        }
    }

    /** Counts the characters since the last line break as they are read. */
    final class LineLimit extends FilterReader {
        private long line = 1;
        private long length;
        private boolean afterCr;

        LineLimit(Reader in) {
            super(in);
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            for (int i = off; i < off + n; i++) {
                char c = buf[i];
                if (c == '\n' || c == '\r') {
                    if (!(c == '\n' && afterCr)) {
                        line++;
                    }
                    length = 0;
                } else if (++length > MAX_RECORD_CHARS) {
                    throw new LineTooLong(line);
                }
                afterCr = c == '\r';
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            char[] one = new char[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }
    }
}

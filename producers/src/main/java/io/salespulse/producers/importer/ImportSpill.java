package io.salespulse.producers.importer;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The temporary files of one import, in a directory of their own: the valid records exactly as they will be sent,
 * appended in file order and read back by position, and the sort runs ({@link SortedRuns}). So the importer holds a
 * few small keys per batch in memory, not the history. The directory is removed by {@link #close}, or by a shutdown
 * hook when the JVM ends first (Ctrl-C during a long import).
 *
 * <p>A record in the file: kind (1 byte), index of its input file (4), line (8), occurred_at (8), length of the
 * event_id (4) and of the JSON (4), then the event_id and the JSON, UTF-8.
 */
final class ImportSpill implements Closeable {
    private static final int HEADER = 1 + 4 + 8 + 8 + 4 + 4;
    /** Read-ahead when records are read back: records sent in file order are then read in few system calls. */
    private static final int WINDOW = 32 * 1024;

    private final Path dir;
    private final List<Path> inputs;
    private final Path recordsFile;
    private final Thread cleanup;
    private DataOutputStream out;
    private long written;
    private FileChannel in;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private long windowStart;

    private ImportSpill(Path dir, List<Path> inputs) throws IOException {
        this.dir = dir;
        this.inputs = List.copyOf(inputs);
        this.recordsFile = dir.resolve("records.bin");
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(recordsFile), 256 * 1024));
        this.cleanup = new Thread(this::deleteQuietly, "import-spill-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        window.limit(0);
    }

    /** A new, empty spill in a directory of its own under {@code parent} (the system's temp directory). */
    static ImportSpill create(Path parent, List<Path> inputs) throws IOException {
        Files.createDirectories(parent);
        return new ImportSpill(Files.createTempDirectory(parent, "salespulse-import-"), inputs);
    }

    Path dir() {
        return dir;
    }

    /** Sort runs that live in this spill's directory. */
    <T> SortedRuns<T> sortedRuns(String name, SortedRuns.Codec<T> codec, Comparator<T> order, long memoryBytes) {
        return new SortedRuns<>(dir, name, codec, order, memoryBytes, 64);
    }

    /** Appends a valid record of input {@code inputIndex}; returns its position. */
    long append(int inputIndex, ImportRecord r) throws IOException {
        long position = written;
        byte[] id = r.eventId().getBytes(StandardCharsets.UTF_8);
        out.writeByte(r.kind().ordinal());
        out.writeInt(inputIndex);
        out.writeLong(r.line());
        out.writeLong(r.occurredAt());
        out.writeInt(id.length);
        out.writeInt(r.json().length);
        out.write(id);
        out.write(r.json());
        written += HEADER + id.length + r.json().length;
        return position;
    }

    /** Ends appending; records can be read from now on. */
    void finishWriting() throws IOException {
        out.close();
        out = null;
        in = FileChannel.open(recordsFile, StandardOpenOption.READ);
    }

    /** The record appended at {@code position}. */
    ImportRecord read(long position) throws IOException {
        ByteBuffer h = ByteBuffer.wrap(bytes(position, HEADER));
        ImportKind kind = ImportKind.values()[h.get()];
        Path input = inputs.get(h.getInt());
        long line = h.getLong();
        long occurredAt = h.getLong();
        int idLength = h.getInt();
        int jsonLength = h.getInt();
        String eventId = new String(bytes(position + HEADER, idLength), StandardCharsets.UTF_8);
        byte[] json = bytes(position + HEADER + idLength, jsonLength);
        return new ImportRecord(kind, eventId, occurredAt, json, input, line);
    }

    private byte[] bytes(long position, int length) throws IOException {
        byte[] b = new byte[length];
        if (position < windowStart || position + length > windowStart + window.limit()) {
            if (length > WINDOW) {
                read(ByteBuffer.wrap(b), position, length);
                return b;
            }
            window.clear();
            read(window, position, length);
            window.flip();
            windowStart = position;
        }
        window.get((int) (position - windowStart), b);
        return b;
    }

    /** Fills {@code into} from {@code position}; only the first {@code needed} bytes must be in the file. */
    private void read(ByteBuffer into, long position, int needed) throws IOException {
        while (into.hasRemaining()) {
            int n = in.read(into, position + into.position());
            if (n < 0) {
                if (into.position() < needed) {
                    throw new EOFException("the import's spill file ends before the record at " + position);
                }
                return;
            }
        }
    }

    /** Removes the directory and everything in it. */
    @Override
    public void close() throws IOException {
        try {
            if (out != null) {
                out.close();
            }
            if (in != null) {
                in.close();
            }
            deleteTree();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: it removes the directory.
            }
        }
    }

    private void deleteQuietly() {
        try {
            deleteTree();
        } catch (IOException e) {
            System.err.println("could not remove the import's temporary files in " + dir + ": " + e.getMessage());
        }
    }

    private void deleteTree() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}

package io.salespulse.producers.importer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Sorts more keys than fit in memory (an external merge sort). Keys are collected up to a memory budget, sorted and
 * written to a run file; {@link #sorted} merges the runs and the keys still in memory into one ascending sequence. A
 * set of keys within the budget never touches the disk. Merging reads each run through one small buffer, so it
 * costs {@code fanIn} buffers whatever the number of keys; when there are more runs than that, the oldest are first
 * merged into longer runs.
 *
 * <p>The order must be total (no two keys equal), so the result does not depend on which run a key was in.
 */
final class SortedRuns<T> implements Closeable {
    /** How a key is written to a run and read back, and about how much heap it takes while buffered. */
    interface Codec<T> {
        void write(DataOutputStream out, T key) throws IOException;

        T read(DataInputStream in) throws IOException;

        long heapBytes(T key);
    }

    /** Keys in ascending order; {@link #next} returns null after the last one. */
    interface Cursor<T> extends Closeable {
        T next() throws IOException;
    }

    private static final int IO_BUFFER = 64 * 1024;

    private final Path dir;
    private final String name;
    private final Codec<T> codec;
    private final Comparator<T> order;
    private final long memoryBytes;
    private final int fanIn;
    private final List<T> buffer = new ArrayList<>();
    private final Deque<Run> runs = new ArrayDeque<>();
    private long buffered;
    private int written;

    private record Run(Path file, long keys) {}

    /**
     * @param dir where the run files go (removed by {@link #close})
     * @param memoryBytes keys held in memory before a run is written
     * @param fanIn runs merged at once, at least 2
     */
    SortedRuns(Path dir, String name, Codec<T> codec, Comparator<T> order, long memoryBytes, int fanIn) {
        if (fanIn < 2) {
            throw new IllegalArgumentException("fanIn must be at least 2, got " + fanIn);
        }
        this.dir = dir;
        this.name = name;
        this.codec = codec;
        this.order = order;
        this.memoryBytes = memoryBytes;
        this.fanIn = fanIn;
    }

    void add(T key) throws IOException {
        buffer.add(key);
        buffered += codec.heapBytes(key);
        if (buffered >= memoryBytes) {
            buffer.sort(order);
            runs.addLast(write(new ListCursor<>(buffer)));
            buffer.clear();
            buffered = 0;
        }
    }

    /** Run files written so far (intermediate merges included). */
    int runsWritten() {
        return written;
    }

    /** Every key added so far, in order. May be called again; the keys stay until {@link #close}. */
    Cursor<T> sorted() throws IOException {
        buffer.sort(order);
        // The keys in memory are one more source of the final merge.
        while (runs.size() + 1 > fanIn) {
            List<Run> oldest = new ArrayList<>();
            while (oldest.size() < fanIn) {
                oldest.add(runs.removeFirst());
            }
            try (Cursor<T> merged = merge(oldest, List.of())) {
                runs.addLast(write(merged));
            }
            for (Run r : oldest) {
                Files.deleteIfExists(r.file());
            }
        }
        return merge(runs, buffer);
    }

    /** Removes the run files and forgets the keys. */
    @Override
    public void close() throws IOException {
        buffer.clear();
        for (Run r : runs) {
            Files.deleteIfExists(r.file());
        }
        runs.clear();
    }

    private Run write(Cursor<T> keys) throws IOException {
        Path file = dir.resolve(name + "-" + (++written) + ".run");
        long n = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file),
                IO_BUFFER))) {
            for (T k = keys.next(); k != null; k = keys.next()) {
                codec.write(out, k);
                n++;
            }
        }
        return new Run(file, n);
    }

    private Cursor<T> merge(Iterable<Run> files, List<T> inMemory) throws IOException {
        List<Cursor<T>> sources = new ArrayList<>();
        try {
            for (Run r : files) {
                sources.add(new RunCursor(r));
            }
            sources.add(new ListCursor<>(inMemory));
            return new Merge<>(sources, order);
        } catch (IOException | RuntimeException e) {
            for (Cursor<T> c : sources) {
                c.close();
            }
            throw e;
        }
    }

    private final class RunCursor implements Cursor<T> {
        private final DataInputStream in;
        private long left;

        RunCursor(Run run) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run.file()), IO_BUFFER));
            this.left = run.keys();
        }

        @Override
        public T next() throws IOException {
            if (left == 0) {
                return null;
            }
            left--;
            return codec.read(in);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final class ListCursor<T> implements Cursor<T> {
        private final List<T> keys;
        private int next;

        ListCursor(List<T> keys) {
            this.keys = keys;
        }

        @Override
        public T next() {
            return next < keys.size() ? keys.get(next++) : null;
        }

        @Override
        public void close() {}
    }

    /** The smallest head of all sources, one at a time. */
    private static final class Merge<T> implements Cursor<T> {
        private record Head<T>(T key, Cursor<T> source) {}

        private final List<Cursor<T>> sources;
        private final PriorityQueue<Head<T>> heads;

        Merge(List<Cursor<T>> sources, Comparator<T> order) throws IOException {
            this.sources = sources;
            this.heads = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> order.compare(a.key(), b.key()));
            for (Cursor<T> s : sources) {
                T first = s.next();
                if (first != null) {
                    heads.add(new Head<>(first, s));
                }
            }
        }

        @Override
        public T next() throws IOException {
            Head<T> h = heads.poll();
            if (h == null) {
                return null;
            }
            T following = h.source().next();
            if (following != null) {
                heads.add(new Head<>(following, h.source()));
            }
            return h.key();
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Cursor<T> s : sources) {
                try {
                    s.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}

package io.salespulse.localstack;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One chDB connection (a ClickHouse session with its data on disk), with every call serialized.
 * Package-private: {@link ChdbHttpServer} is the public face.
 */
final class ChdbSession implements AutoCloseable {

    /** The outcome of one statement. {@code error} is null on success. */
    record Result(byte[] data, String error, double elapsedSeconds, long resultRows, long resultBytes,
            long readRows, long readBytes, long writtenRows, long writtenBytes) {
        boolean ok() {
            return error == null;
        }
    }

    private final ChdbNative lib;
    private final ReentrantLock lock = new ReentrantLock();
    private final String chdbVersion;
    private Pointer connPtr; // chdb_connection*
    private Pointer conn;    // chdb_connection
    private int signalsRestored;

    private ChdbSession(ChdbNative lib, Pointer connPtr) {
        this.lib = lib;
        this.connPtr = connPtr;
        this.conn = connPtr.getPointer(0);
        this.chdbVersion = lib.chdb_version();
    }

    /** Loads the library, opts out of chDB's signal handlers (keeping the JVM's), and connects with --path. */
    static ChdbSession open(Path library, Path dataDir, List<String> extraArgs) {
        ChdbNative lib = ChdbNative.load(library);
        int restored;
        Pointer connPtr;
        synchronized (ChdbSession.class) {
            ChdbNative.SignalGuard guard = ChdbNative.SignalGuard.snapshot();
            lib.chdb_set_signal_handlers_enabled(0);
            String[] argv = new String[2 + extraArgs.size()];
            argv[0] = "clickhouse";
            argv[1] = "--path=" + dataDir.toAbsolutePath();
            for (int i = 0; i < extraArgs.size(); i++) {
                argv[2 + i] = extraArgs.get(i);
            }
            connPtr = lib.chdb_connect(argv.length, argv);
            restored = guard.restore();
        }
        if (connPtr == null || connPtr.getPointer(0) == null) {
            throw new IllegalStateException("chdb_connect failed for data path " + dataDir.toAbsolutePath()
                    + " (is another process using it? is the disk full?)");
        }
        ChdbSession s = new ChdbSession(lib, connPtr);
        s.signalsRestored = restored;
        return s;
    }

    String chdbVersion() {
        return chdbVersion;
    }

    /** How many of the JVM's signal handlers chDB had replaced and were put back at connect. */
    int signalsRestored() {
        return signalsRestored;
    }

    ReentrantLock lock() {
        return lock;
    }

    Result query(String sql, String format) {
        return query(sql.getBytes(StandardCharsets.UTF_8), format, Map.of());
    }

    /** Runs one statement; {@code params} bind {@code {name:Type}} placeholders (values in escaped-text form). */
    Result query(byte[] sql, String format, Map<String, String> params) {
        lock.lock();
        try {
            if (conn == null) {
                throw new IllegalStateException("chDB session is closed");
            }
            Memory q = new Memory(Math.max(1, sql.length + 1));
            q.write(0, sql, 0, sql.length);
            q.setByte(sql.length, (byte) 0);
            byte[] f = format.getBytes(StandardCharsets.UTF_8);
            Memory fm = new Memory(f.length + 1);
            fm.write(0, f, 0, f.length);
            fm.setByte(f.length, (byte) 0);
            Pointer res;
            if (params.isEmpty()) {
                res = lib.chdb_query_n(conn, q, sql.length, fm, f.length);
            } else {
                int n = params.size();
                Memory names = new Memory((long) Native.POINTER_SIZE * n);
                Memory nameLens = new Memory(8L * n);
                Memory values = new Memory((long) Native.POINTER_SIZE * n);
                Memory valueLens = new Memory(8L * n);
                Memory[] keep = new Memory[2 * n];
                int i = 0;
                for (Map.Entry<String, String> e : params.entrySet()) {
                    byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                    byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
                    Memory km = new Memory(k.length + 1);
                    km.write(0, k, 0, k.length);
                    km.setByte(k.length, (byte) 0);
                    Memory vm = new Memory(v.length + 1);
                    vm.write(0, v, 0, v.length);
                    vm.setByte(v.length, (byte) 0);
                    keep[2 * i] = km;
                    keep[2 * i + 1] = vm;
                    names.setPointer((long) Native.POINTER_SIZE * i, km);
                    nameLens.setLong(8L * i, k.length);
                    values.setPointer((long) Native.POINTER_SIZE * i, vm);
                    valueLens.setLong(8L * i, v.length);
                    i++;
                }
                res = lib.chdb_query_with_params_n(conn, q, sql.length, fm, f.length, names, nameLens, values, valueLens, n);
                java.lang.ref.Reference.reachabilityFence(keep);
            }
            if (res == null) {
                return new Result(new byte[0], "Code: 1001. DB::Exception: chDB returned no result", 0, 0, 0, 0, 0, 0, 0);
            }
            try {
                Pointer err = lib.chdb_result_error(res);
                if (err != null) {
                    String msg = err.getString(0, "UTF-8");
                    if (!msg.isEmpty()) {
                        return new Result(new byte[0], msg, lib.chdb_result_elapsed(res), 0, 0, 0, 0, 0, 0);
                    }
                }
                long len = lib.chdb_result_length(res);
                Pointer buf = lib.chdb_result_buffer(res);
                byte[] data = (len > 0 && buf != null) ? buf.getByteArray(0, Math.toIntExact(len)) : new byte[0];
                return new Result(data, null, lib.chdb_result_elapsed(res), lib.chdb_result_rows_read(res),
                        lib.chdb_result_bytes_read(res), lib.chdb_result_storage_rows_read(res),
                        lib.chdb_result_storage_bytes_read(res), lib.chdb_result_rows_written(res),
                        lib.chdb_result_bytes_written(res));
            } finally {
                lib.chdb_destroy_query_result(res);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (connPtr != null) {
                lib.chdb_close_conn(connPtr);
                connPtr = null;
                conn = null;
            }
        } finally {
            lock.unlock();
        }
    }
}

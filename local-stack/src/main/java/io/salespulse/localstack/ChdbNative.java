package io.salespulse.localstack;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of chDB's C API ({@code chdb.h}, engine 26.7) that the HTTP front needs, bound through JNA.
 * Handles are opaque pointers: {@code chdb_connection*} from {@code chdb_connect}, {@code chdb_result*}
 * from the query functions.
 */
interface ChdbNative extends Library {

    /** {@code const char *chdb_version(void)} */
    String chdb_version();

    /** {@code void chdb_set_signal_handlers_enabled(int enabled)}: must run before {@code chdb_connect}. */
    void chdb_set_signal_handlers_enabled(int enabled);

    /** {@code chdb_connection *chdb_connect(int argc, char **argv)}: NULL on failure. */
    Pointer chdb_connect(int argc, String[] argv);

    /** {@code void chdb_close_conn(chdb_connection *conn)} */
    void chdb_close_conn(Pointer connPtr);

    /** {@code chdb_result *chdb_query_n(chdb_connection conn, const char *query, size_t query_len, const char *format, size_t format_len)} */
    Pointer chdb_query_n(Pointer conn, Pointer query, long queryLen, Pointer format, long formatLen);

    /**
     * {@code chdb_result *chdb_query_with_params_n(chdb_connection conn, const char *query, size_t query_len,
     * const char *format, size_t format_len, const char *const *param_names, const size_t *param_name_lens,
     * const char *const *param_values, const size_t *param_value_lens, size_t param_count)}
     */
    Pointer chdb_query_with_params_n(Pointer conn, Pointer query, long queryLen, Pointer format, long formatLen,
            Pointer paramNames, Pointer paramNameLens, Pointer paramValues, Pointer paramValueLens, long paramCount);

    /** {@code char *chdb_result_buffer(chdb_result *result)} */
    Pointer chdb_result_buffer(Pointer result);

    /** {@code size_t chdb_result_length(chdb_result *result)} */
    long chdb_result_length(Pointer result);

    /** {@code const char *chdb_result_error(chdb_result *result)}: NULL when the query succeeded. */
    Pointer chdb_result_error(Pointer result);

    /** {@code double chdb_result_elapsed(chdb_result *result)}: seconds. */
    double chdb_result_elapsed(Pointer result);

    /** {@code uint64_t chdb_result_rows_read(chdb_result *result)}: rows in the result. */
    long chdb_result_rows_read(Pointer result);

    /** {@code uint64_t chdb_result_bytes_read(chdb_result *result)} */
    long chdb_result_bytes_read(Pointer result);

    /** {@code uint64_t chdb_result_storage_rows_read(chdb_result *result)} */
    long chdb_result_storage_rows_read(Pointer result);

    /** {@code uint64_t chdb_result_storage_bytes_read(chdb_result *result)} */
    long chdb_result_storage_bytes_read(Pointer result);

    /** {@code uint64_t chdb_result_rows_written(chdb_result *result)} */
    long chdb_result_rows_written(Pointer result);

    /** {@code uint64_t chdb_result_bytes_written(chdb_result *result)} */
    long chdb_result_bytes_written(Pointer result);

    /** {@code void chdb_destroy_query_result(chdb_result *result)} */
    void chdb_destroy_query_result(Pointer result);

    static ChdbNative load(Path library) {
        return Native.load(library.toAbsolutePath().toString(), ChdbNative.class);
    }

    /**
     * {@code sigaction(2)} from libc, used to keep the JVM's own handlers for the signals HotSpot relies on
     * (SIGSEGV for implicit null checks and stack banging, SIGBUS, SIGILL, SIGFPE, ...): chDB's
     * {@code chdb_set_signal_handlers_enabled(0)} and {@code chdb_connect} reset them to SIG_DFL.
     */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int sigaction(int signum, Pointer act, Pointer oldact);
    }

    /** Snapshots the dispositions of the signals chDB resets, and puts them back. Linux x86_64/aarch64. */
    final class SignalGuard {
        // SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGTSTP, SIGSYS (Linux numbering)
        static final int[] SIGNALS = {4, 5, 6, 7, 8, 11, 20, 31};
        private static final int SIZE = 512; // > sizeof(struct sigaction) (152 on glibc x86_64)
        private final List<Memory> saved = new ArrayList<>();

        static SignalGuard snapshot() {
            SignalGuard g = new SignalGuard();
            for (int sig : SIGNALS) {
                Memory m = new Memory(SIZE);
                m.clear();
                if (LibC.INSTANCE.sigaction(sig, null, m) != 0) {
                    m = null;
                }
                g.saved.add(m);
            }
            return g;
        }

        /** @return how many signal dispositions differed from the snapshot (and were restored). */
        int restore() {
            int changed = 0;
            for (int i = 0; i < SIGNALS.length; i++) {
                Memory before = saved.get(i);
                if (before == null) {
                    continue;
                }
                Memory now = new Memory(SIZE);
                now.clear();
                LibC.INSTANCE.sigaction(SIGNALS[i], null, now);
                if (now.getLong(0) != before.getLong(0)) { // sa_handler / sa_sigaction is the first field
                    LibC.INSTANCE.sigaction(SIGNALS[i], before, null);
                    changed++;
                }
            }
            return changed;
        }
    }
}

package io.salespulse.localstack;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The ClickHouse engine (chDB, loaded with JNA) behind ClickHouse's HTTP interface: enough of it for the
 * unchanged {@code com.clickhouse:clickhouse-jdbc} / {@code client-v2} drivers (use {@code compress=0}),
 * curl and Grafana's ClickHouse plugin in HTTP mode.
 *
 * <pre>
 * java -cp &lt;classpath&gt; io.salespulse.localstack.ChdbHttpServer --port 8123 --path .local/clickhouse [--host 127.0.0.1]
 * </pre>
 *
 * Other options: {@code --timezone UTC} (the engine's server time zone, default UTC, like the official
 * image), {@code --port-file F} (write the bound port there; with {@code --port 0} a free port is used),
 * {@code --exit-on-stdin-eof} (stop when the parent process goes away), {@code --lib /path/libchdb.so}.
 * Set {@code SALESPULSE_CHDB_DEBUG=1} to log each request's method, path and query parameters.
 *
 * <p>All requests share the one chDB session and are serialized. Every request starts in the database it
 * names ({@code ?database=} or {@code X-ClickHouse-Database}, else {@code default}); URL parameters naming a
 * ClickHouse setting apply to that request only; {@code param_<name>} binds {@code {name:Type}}.
 */
public final class ChdbHttpServer implements AutoCloseable {

    private static final Pattern ERROR_CODE = Pattern.compile("Code:\\s*(\\d+)");
    /** HTTP-interface parameters that are not settings. */
    private static final Set<String> NOT_SETTINGS = Set.of("query", "database", "default_format", "query_id",
            "user", "password", "quota_key", "compress", "decompress", "session_id", "session_timeout",
            "session_check", "buffer_size", "wait_end_of_query", "stacktrace", "role", "client_protocol_version",
            "default_database", "format");
    private static final boolean DEBUG = "1".equals(System.getenv("SALESPULSE_CHDB_DEBUG"));

    /** {@code INSERT INTO t [(columns)] FORMAT X}: group 1 up to FORMAT, group 2 from FORMAT on. */
    private static final Pattern INSERT_WITH_FORMAT =
            Pattern.compile("(?is)\\s*(INSERT\\s+INTO\\s+[^']+?)\\s+(FORMAT\\s+\\w+)\\s*");

    private final ChdbSession session;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Path dataDir;
    private final String timezone;
    private final String engineVersion;
    private final String displayName;
    /** Names of the engine's settings: URL parameters with these names apply to one request. */
    private final Set<String> settingNames;
    private String currentDatabase; // null = unknown
    private volatile boolean closed;

    private ChdbHttpServer(ChdbSession session, HttpServer http, ExecutorService executor, Path dataDir) {
        this.session = session;
        this.http = http;
        this.executor = executor;
        this.dataDir = dataDir;
        this.timezone = scalar("SELECT timezone()", "UTC");
        this.engineVersion = scalar("SELECT version()", "unknown");
        this.currentDatabase = scalar("SELECT currentDatabase()", null);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        this.displayName = host;
        this.settingNames = loadSettingNames();
    }

    /** Starts the engine on {@code dataDir} and serves it on host:port (0 = a free port). */
    public static ChdbHttpServer start(Path library, Path dataDir, String host, int port, String timezone)
            throws IOException {
        Files.createDirectories(dataDir);
        if (timezone != null && !timezone.isBlank()) {
            // The engine reads TZ (like a server's <timezone>); the JVM's own default time zone is unaffected.
            LibC.INSTANCE.setenv("TZ", timezone, 1);
        }
        ChdbSession session = ChdbSession.open(library, dataDir, List.of());
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            session.close();
            throw new IOException("Cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "chdb-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ChdbHttpServer server = new ChdbHttpServer(session, http, executor, dataDir.toAbsolutePath().normalize());
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String chdbVersion() {
        return session.chdbVersion();
    }

    public String engineVersion() {
        return engineVersion;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.stop(1);
        executor.shutdownNow();
        session.close();
    }

    // ------------------------------------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--exit-on-stdin-eof")) {
                opts.put("exit-on-stdin-eof", "true");
            } else if (a.equals("-h") || a.equals("--help")) {
                usage(System.out);
                return;
            } else if (a.startsWith("--") && a.contains("=")) {
                opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opts.put(a.substring(2), args[++i]);
            } else {
                System.err.println("Unknown argument: " + a);
                usage(System.err);
                System.exit(2);
            }
        }
        if (!opts.containsKey("path")) {
            System.err.println("--path is required");
            usage(System.err);
            System.exit(2);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "8123"));
        String host = opts.getOrDefault("host", "127.0.0.1");
        Path path = Paths.get(opts.get("path")).toAbsolutePath().normalize();
        Path lib = opts.containsKey("lib") ? Paths.get(opts.get("lib")) : ChdbLibraryLocator.locate();

        ChdbHttpServer server = start(lib, path, host, port, opts.getOrDefault("timezone", "UTC"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.out.println("ClickHouse engine stopped");
            System.out.flush();
        }, "chdb-shutdown"));
        if (opts.containsKey("port-file")) {
            Path pf = Paths.get(opts.get("port-file"));
            Path tmp = pf.resolveSibling(pf.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(server.port()));
            Files.move(tmp, pf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (DEBUG) {
            System.out.println("[chdb-http] JVM signal handlers restored after chdb_connect: " + server.session.signalsRestored());
        }
        System.out.println("ClickHouse engine (chDB " + server.chdbVersion() + ") listening on http://" + host + ":"
                + server.port() + ", data in " + path);
        System.out.flush();
        if (opts.containsKey("exit-on-stdin-eof")) {
            Thread watcher = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // ignore input
                    }
                } catch (IOException ignored) {
                    // parent gone
                }
                System.out.println("Parent process went away (stdin closed): stopping");
                System.exit(0);
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        Thread.currentThread().join(); // serve until SIGTERM/SIGINT
    }

    private static void usage(PrintStream out) {
        out.println("Usage: java -cp <classpath> " + ChdbHttpServer.class.getName()
                + " --path DIR [--port 8123] [--host 127.0.0.1] [--timezone UTC] [--lib /path/libchdb.so]"
                + " [--port-file FILE] [--exit-on-stdin-eof]");
    }

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            Map<String, String> params = parseQueryString(ex.getRequestURI().getRawQuery());
            if (DEBUG) {
                Map<String, String> shown = new LinkedHashMap<>(params);
                shown.computeIfPresent("password", (k, v) -> "***");
                System.out.println("[chdb-http] " + method + " " + path + " " + shown + " format="
                        + ex.getRequestHeaders().getFirst("X-ClickHouse-Format") + " db="
                        + ex.getRequestHeaders().getFirst("X-ClickHouse-Database"));
            }
            if (path.equals("/ping") || path.equals("/replicas_status")) {
                send(ex, 200, "text/plain; charset=UTF-8", "Ok.\n".getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            if (!path.equals("/") && !path.equals("/query")) {
                sendError(ex, null, "Code: 1001. DB::Exception: There is no handle " + path
                        + ". Use / for queries and /ping for a health check. (UNKNOWN_HANDLER)", 404);
                return;
            }
            byte[] body = readBody(ex);
            String queryParam = params.get("query");
            if (method.equals("GET") && queryParam == null) {
                send(ex, 200, "text/plain; charset=UTF-8", "Ok.\n".getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            Headers h = ex.getRequestHeaders();
            String queryId = firstNonBlank(h.getFirst("X-ClickHouse-Query-Id"), params.get("query_id"),
                    UUID.randomUUID().toString());
            if ("1".equals(params.get("decompress")) || "1".equals(params.get("compress"))) {
                sendError(ex, queryId, "Code: 1001. DB::Exception: This ClickHouse engine front does not implement"
                        + " ClickHouse's own compression of HTTP bodies: connect with compress=0. (NOT_IMPLEMENTED)", 500);
                return;
            }
            byte[] sql;
            Path infile = null;
            Matcher insert = queryParam == null ? null : INSERT_WITH_FORMAT.matcher(queryParam);
            if (insert != null && insert.matches() && body.length > 0) {
                // INSERT ... FORMAT X with the data in the body (how clients send RowBinary). chDB takes one query
                // text and ends inline data at the first empty line, which binary data can contain, so the data
                // goes through a file: INSERT ... FROM INFILE 'f' FORMAT X.
                infile = Files.createTempFile(Files.createDirectories(dataDir.resolve("http-inserts")), "insert-", ".data");
                Files.write(infile, body);
                sql = (insert.group(1) + " FROM INFILE '" + infile + "' " + insert.group(2))
                        .getBytes(StandardCharsets.UTF_8);
            } else if (queryParam != null && !queryParam.isEmpty()) {
                byte[] q = queryParam.getBytes(StandardCharsets.UTF_8);
                if (body.length == 0) {
                    sql = q;
                } else {
                    sql = new byte[q.length + 1 + body.length];
                    System.arraycopy(q, 0, sql, 0, q.length);
                    sql[q.length] = '\n';
                    System.arraycopy(body, 0, sql, q.length + 1, body.length);
                }
            } else {
                sql = body;
            }
            if (isBlank(sql)) {
                sendError(ex, queryId, "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)", 500);
                return;
            }
            String format = firstNonBlank(h.getFirst("X-ClickHouse-Format"), params.get("default_format"), "TabSeparated");
            String database = firstNonBlank(params.get("database"), h.getFirst("X-ClickHouse-Database"), "default");
            Map<String, String> settings = new LinkedHashMap<>();
            Map<String, String> queryParams = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : params.entrySet()) {
                String k = e.getKey();
                if (k.startsWith("param_") && k.length() > 6) {
                    queryParams.put(k.substring(6), e.getValue());
                } else if (!NOT_SETTINGS.contains(k) && settingNames.contains(k)) {
                    settings.put(k, e.getValue());
                }
            }
            ChdbSession.Result r;
            try {
                r = execute(sql, format, database, settings, queryParams);
            } finally {
                if (infile != null) {
                    Files.deleteIfExists(infile);
                }
            }
            if (r.ok()) {
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("X-ClickHouse-Query-Id", queryId);
                extra.put("X-ClickHouse-Format", format);
                extra.put("X-ClickHouse-Summary", summary(r));
                send(ex, 200, contentType(format), r.data(), extra);
            } else {
                sendError(ex, queryId, r.error(), 500);
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("[chdb-http] request failed: " + e);
            try {
                sendError(ex, null, "Code: 1001. DB::Exception: " + e + " (STD_EXCEPTION)", 500);
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or connection gone
            }
        }
    }

    private ChdbSession.Result execute(byte[] sql, String format, String database, Map<String, String> settings,
            Map<String, String> queryParams) {
        session.lock().lock();
        try {
            if (!database.equals(currentDatabase)) {
                ChdbSession.Result use = session.query("USE " + quoteIdentifier(database), "TabSeparated");
                if (!use.ok()) {
                    currentDatabase = null;
                    return use;
                }
                currentDatabase = database;
            }
            List<String> applied = new ArrayList<>();
            try {
                for (Map.Entry<String, String> s : settings.entrySet()) {
                    ChdbSession.Result set = session.query("SET " + s.getKey() + " = " + quoteString(s.getValue()), "TabSeparated");
                    if (!set.ok()) {
                        return set;
                    }
                    applied.add(s.getKey());
                }
                ChdbSession.Result r = session.query(sql, format, queryParams);
                if (startsWithKeyword(sql, "USE")) {
                    currentDatabase = null;
                }
                return r;
            } finally {
                for (String name : applied) {
                    ChdbSession.Result reset = session.query("SET " + name + " = DEFAULT", "TabSeparated");
                    if (!reset.ok()) {
                        System.err.println("[chdb-http] could not reset setting " + name + ": " + reset.error());
                    }
                }
            }
        } finally {
            session.lock().unlock();
        }
    }

    private void send(HttpExchange ex, int status, String contentType, byte[] body, Map<String, String> extra)
            throws IOException {
        Headers rh = ex.getResponseHeaders();
        rh.set("Content-Type", contentType);
        rh.set("X-ClickHouse-Server-Display-Name", displayName);
        rh.set("X-ClickHouse-Timezone", timezone);
        for (Map.Entry<String, String> e : extra.entrySet()) {
            rh.set(e.getKey(), e.getValue());
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void sendError(HttpExchange ex, String queryId, String message, int status) throws IOException {
        String msg = message.endsWith("\n") ? message : message + "\n";
        Matcher m = ERROR_CODE.matcher(msg);
        String code = m.find() ? m.group(1) : "1001";
        if (!m.reset().find()) {
            msg = "Code: 1001. DB::Exception: " + msg;
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("X-ClickHouse-Exception-Code", code);
        if (queryId != null) {
            extra.put("X-ClickHouse-Query-Id", queryId);
        }
        send(ex, status, "text/plain; charset=UTF-8", msg.getBytes(StandardCharsets.UTF_8), extra);
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
        if (enc != null) {
            switch (enc.trim().toLowerCase(Locale.ROOT)) {
                case "gzip", "x-gzip" -> in = new GZIPInputStream(in);
                case "deflate" -> in = new InflaterInputStream(in);
                case "", "identity" -> { }
                default -> throw new IOException("Unsupported Content-Encoding " + enc + " (use compress=0)");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private String summary(ChdbSession.Result r) {
        long elapsedNs = (long) (r.elapsedSeconds() * 1e9);
        return "{\"read_rows\":\"" + r.readRows() + "\",\"read_bytes\":\"" + r.readBytes()
                + "\",\"written_rows\":\"" + r.writtenRows() + "\",\"written_bytes\":\"" + r.writtenBytes()
                + "\",\"total_rows_to_read\":\"" + r.readRows() + "\",\"result_rows\":\"" + r.resultRows()
                + "\",\"result_bytes\":\"" + r.resultBytes() + "\",\"elapsed_ns\":\"" + elapsedNs + "\"}";
    }

    private static String contentType(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (f.startsWith("json") && !f.contains("eachrow") && !f.contains("lines")) {
            return "application/json; charset=UTF-8";
        }
        if (f.startsWith("jsoneachrow") || f.contains("jsonlines") || f.startsWith("jsoncompacteachrow")
                || f.startsWith("ndjson")) {
            return "application/x-ndjson; charset=UTF-8";
        }
        if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
            return "text/tab-separated-values; charset=UTF-8";
        }
        if (f.startsWith("csv")) {
            return "text/csv; charset=UTF-8";
        }
        if (f.startsWith("pretty") || f.equals("vertical") || f.equals("markdown") || f.equals("values")) {
            return "text/plain; charset=UTF-8";
        }
        return "application/octet-stream";
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String scalar(String sql, String fallback) {
        ChdbSession.Result r = session.query(sql, "TabSeparated");
        if (!r.ok()) {
            return fallback;
        }
        String s = new String(r.data(), StandardCharsets.UTF_8).trim();
        return s.isEmpty() ? fallback : s;
    }

    private Set<String> loadSettingNames() {
        ChdbSession.Result r = session.query("SELECT name FROM system.settings", "TabSeparatedRaw");
        Set<String> out = new HashSet<>();
        if (r.ok()) {
            for (String line : new String(r.data(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
        }
        return out;
    }

    static Map<String, String> parseQueryString(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    static String quoteIdentifier(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String quoteString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static boolean startsWithKeyword(byte[] sql, String keyword) {
        int i = 0;
        while (i < sql.length && Character.isWhitespace(sql[i])) {
            i++;
        }
        if (i + keyword.length() > sql.length) {
            return false;
        }
        String head = new String(sql, i, keyword.length(), StandardCharsets.US_ASCII);
        return head.equalsIgnoreCase(keyword)
                && (i + keyword.length() == sql.length || !Character.isLetterOrDigit(sql[i + keyword.length()]));
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (!Character.isWhitespace(x)) {
                return false;
            }
        }
        return true;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}

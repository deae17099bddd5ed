package io.salespulse.localstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The real ClickHouse engine (chDB) behind ClickHouse's HTTP interface, run as a separate JVM process like a
 * real server ({@link ChdbHttpServer}). Data lives under the given directory and survives restarts.
 *
 * <pre>
 * try (LocalClickHouse ch = LocalClickHouse.start(dir)) {
 *   Connection c = DriverManager.getConnection(ch.jdbcUrl(), "default", "");
 * }
 * </pre>
 *
 * The child's output goes to {@link #logFile()} ({@code <dataDir>/../chdb-server.log}, appended).
 */
public final class LocalClickHouse implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 60_000;
    private static final String HEAP = "-Xmx384m";

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalClickHouse(Process process, int port, Path dataDir, Path logFile, Thread shutdownHook) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.shutdownHook = shutdownHook;
    }

    /** Starts the engine on a free port. */
    public static LocalClickHouse start(Path dataDir) throws IOException {
        return start(dataDir, 0);
    }

    /** Starts the engine on {@code port} (0 = a free port) and waits until it answers {@code /ping}. */
    public static LocalClickHouse start(Path dataDir, int port) throws IOException {
        Path lib = ChdbLibraryLocator.locate();
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path logFile = (dir.getParent() != null ? dir.getParent() : dir).resolve("chdb-server.log");
        Path portFile = Files.createTempFile("salespulse-chdb-", ".port");
        Files.delete(portFile);

        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(HEAP);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(childClasspath());
        cmd.add(ChdbHttpServer.class.getName());
        cmd.add("--host");
        cmd.add("127.0.0.1");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--path");
        cmd.add(dir.toString());
        cmd.add("--lib");
        cmd.add(lib.toString());
        cmd.add("--port-file");
        cmd.add(portFile.toString());
        cmd.add("--exit-on-stdin-eof");

        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put("TZ", "UTC");
        Process process = pb.start();
        Thread hook = new Thread(() -> stopProcess(process), "local-clickhouse-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        try {
            int bound = -1;
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("The ClickHouse engine process exited with code " + process.exitValue()
                            + " before it was ready. Log " + logFile + ":\n" + tail(logFile, logStart));
                }
                if (bound < 0 && Files.exists(portFile)) {
                    String s = Files.readString(portFile).trim();
                    if (!s.isEmpty()) {
                        bound = Integer.parseInt(s);
                    }
                }
                if (bound > 0 && ping(bound)) {
                    return new LocalClickHouse(process, bound, dir, logFile, hook);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("The ClickHouse engine did not answer /ping within " + START_TIMEOUT_MS / 1000
                            + " s. Log " + logFile + ":\n" + tail(logFile, logStart));
                }
                Thread.sleep(100);
            }
        } catch (IOException | RuntimeException e) {
            stopProcess(process);
            removeHook(hook);
            throw e;
        } catch (InterruptedException e) {
            stopProcess(process);
            removeHook(hook);
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting the ClickHouse engine", e);
        } finally {
            Files.deleteIfExists(portFile);
        }
    }

    /** The engine's process (a JVM around libchdb), for benchmarks that account its CPU time. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} */
    public String httpUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A URL the unchanged clickhouse-jdbc 0.10.0 driver connects with (user "default", any password). */
    public String jdbcUrl() {
        return "jdbc:clickhouse://127.0.0.1:" + port + "/default?compress=0";
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where the server process writes its output. */
    public Path logFile() {
        return logFile;
    }

    /** Stops the server process (SIGTERM, so it closes the engine cleanly) and waits for it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess(process);
        removeHook(shutdownHook);
    }

    private static void stopProcess(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down
        }
    }

    private static boolean ping(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URI("http://127.0.0.1:" + port + "/ping").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200
                        && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).startsWith("Ok.");
            } finally {
                c.disconnect();
            }
        } catch (IOException | URISyntaxException e) {
            return false;
        }
    }

    /** The parent's class path, plus the code sources of this module and JNA in case they come from elsewhere. */
    private static String childClasspath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        for (Class<?> c : new Class<?>[] {ChdbHttpServer.class, com.sun.jna.Native.class}) {
            try {
                var src = c.getProtectionDomain().getCodeSource();
                if (src != null && src.getLocation() != null && "file".equals(src.getLocation().getProtocol())) {
                    entries.add(Paths.get(src.getLocation().toURI()).toString());
                }
            } catch (URISyntaxException | SecurityException ignored) {
                // keep the class path as it is
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String tail(Path log, long from) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            byte[] all = Files.readAllBytes(log);
            int start = (int) Math.min(from, all.length);
            String text = new String(all, start, all.length - start, StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            int first = Math.max(0, lines.length - 40);
            return String.join("\n", List.of(lines).subList(first, lines.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

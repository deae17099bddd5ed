package io.salespulse.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds {@code libchdb.so}, the ClickHouse engine as a library.
 *
 * <ol>
 *   <li>the file named by the environment variable {@value #ENV} (or the system property
 *       {@value #PROPERTY}), if set;</li>
 *   <li>otherwise {@code <repo root>/.local/chdb/node_modules/@chdb/lib-linux-x64-gnu/}, searched
 *       recursively, where {@code bin/install-chdb} puts it. The repo root is the first directory,
 *       walking up from the current directory, that contains {@code bin/salespulse} (or
 *       {@code bin/install-chdb}).</li>
 * </ol>
 */
public final class ChdbLibraryLocator {

    public static final String ENV = "SALESPULSE_CHDB_LIB";
    public static final String PROPERTY = "salespulse.chdb.lib";
    static final String LIB_NAME = "libchdb.so";
    static final String PACKAGE_DIR = ".local/chdb/node_modules/@chdb/lib-linux-x64-gnu";

    private ChdbLibraryLocator() {}

    /** @return the absolute path of libchdb.so; never null */
    public static Path locate() {
        String explicit = System.getenv(ENV);
        String source = "environment variable " + ENV;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getProperty(PROPERTY);
            source = "system property " + PROPERTY;
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Paths.get(explicit.trim()).toAbsolutePath().normalize();
            if (Files.isRegularFile(p)) {
                return p;
            }
            throw new IllegalStateException(source + " points to " + p + ", which is not a file. Set "
                    + ENV + " to the path of libchdb.so, or unset it and run bin/install-chdb.");
        }
        Path cwd = Paths.get("").toAbsolutePath().normalize();
        Optional<Path> root = findRepoRoot(cwd);
        if (root.isEmpty()) {
            throw new IllegalStateException("Cannot find libchdb.so (the ClickHouse engine, chDB): " + ENV
                    + " is not set and no SalesPulse checkout (a directory containing bin/salespulse) was found above "
                    + cwd + ". Run bin/install-chdb in the repository, or set " + ENV + "=/path/to/libchdb.so.");
        }
        Path pkg = root.get().resolve(PACKAGE_DIR);
        Optional<Path> lib = findLib(pkg);
        return lib.orElseThrow(() -> new IllegalStateException("Cannot find libchdb.so (the ClickHouse engine, chDB) under "
                + pkg + ". Run " + root.get().resolve("bin/install-chdb") + " (downloads it from npm, ~178 MB), or set "
                + ENV + "=/path/to/libchdb.so."));
    }

    static Optional<Path> findRepoRoot(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bin/salespulse")) || Files.isRegularFile(dir.resolve("bin/install-chdb"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    static Optional<Path> findLib(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files
                    .filter(p -> p.getFileName().toString().equals(LIB_NAME) && Files.isRegularFile(p))
                    .min(Comparator.comparingInt(Path::getNameCount))
                    .map(p -> p.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot search " + dir + " for " + LIB_NAME, e);
        }
    }
}

package io.salespulse.pipeline.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the ordered SQL migrations shipped under {@code sql/} on the classpath (the repository's
 * {@code sql/} folder, copied into the job jar) and records each one in {@code
 * salespulse.schema_migrations}.
 *
 * <p>A migration is a file named {@code NNN_what.sql} holding exactly one statement. Migrations run
 * in NNN order; one already recorded is skipped, so running {@link #migrate()} again is a no-op.
 * The ledger keeps a SHA-256 of each applied file: editing a migration after it ran is refused
 * (add a new one instead), because production would otherwise silently differ from a fresh
 * install.
 */
public final class Migrator {

    /** The ledger. Created by the Migrator itself, right after the database exists. */
    static final String LEDGER = "salespulse.schema_migrations";

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
    private static final String RESOURCE_DIR = "sql";
    private static final String FIRST = "001_create_database.sql";
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{3})_[A-Za-z0-9_]+\\.sql");
    private static final String CREATE_LEDGER =
            "CREATE TABLE IF NOT EXISTS " + LEDGER + " (version UInt32, name String, checksum String,"
                    + " applied_at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY version"
                    + " COMMENT 'Migrations from sql/ applied by the SalesPulse Migrator'";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final ClassLoader classLoader;

    public Migrator(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, Migrator.class.getClassLoader());
    }

    /** As above, reading {@code sql/} from the given class loader (tests, tools). */
    public Migrator(String jdbcUrl, String user, String password, ClassLoader classLoader) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = user == null ? "default" : user;
        this.password = password == null ? "" : password;
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    /**
     * Applies every migration not yet recorded, in order.
     *
     * @return the file names applied by this call (empty when the schema was up to date)
     * @throws IllegalStateException if an applied migration's file changed, or the files are
     *     malformed (duplicate NNN, more than one statement)
     * @throws SQLException if a statement fails; the message names the file and ClickHouse's error
     */
    public List<String> migrate() throws SQLException {
        List<Migration> migrations = load();
        List<String> applied = new ArrayList<>();
        try (Connection connection = ClickHouseConnections.open(jdbcUrl, user, password)) {
            List<Migration> pending = pending(connection, migrations);
            boolean ledgerReady = false;
            for (Migration migration : pending) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(migration.statement());
                } catch (SQLException e) {
                    throw new SQLException(
                            "Migration " + migration.name() + " failed: " + e.getMessage(),
                            e.getSQLState(),
                            e.getErrorCode(),
                            e);
                }
                // The ledger lives inside the database that 001 creates, so it can only exist now.
                try {
                    if (!ledgerReady) {
                        createLedger(connection);
                        ledgerReady = true;
                    }
                    record(connection, migration);
                } catch (SQLException e) {
                    throw new SQLException(
                            "Migration " + migration.name() + " ran but could not be recorded in " + LEDGER
                                    + " (does 001 create the salespulse database?): " + e.getMessage(),
                            e.getSQLState(),
                            e.getErrorCode(),
                            e);
                }
                applied.add(migration.name());
                LOG.info("Applied migration {}", migration.name());
            }
        }
        if (applied.isEmpty()) {
            LOG.info("ClickHouse schema is up to date ({} migrations)", migrations.size());
        }
        return applied;
    }

    /**
     * Dry run: the file names {@link #migrate()} would apply, in order. Fails like migrate() when an
     * applied migration's file has changed.
     */
    public List<String> pending() throws SQLException {
        List<Migration> migrations = load();
        try (Connection connection = ClickHouseConnections.open(jdbcUrl, user, password)) {
            return pending(connection, migrations).stream().map(Migration::name).toList();
        }
    }

    private List<Migration> pending(Connection connection, List<Migration> migrations)
            throws SQLException {
        Map<Integer, AppliedMigration> applied = readLedger(connection);
        List<Migration> pending = new ArrayList<>();
        for (Migration migration : migrations) {
            AppliedMigration done = applied.get(migration.version());
            if (done == null) {
                pending.add(migration);
            } else if (!done.name().equals(migration.name())) {
                throw new IllegalStateException(
                        "Migration version "
                                + migration.version()
                                + " was applied as "
                                + done.name()
                                + " but the file is now named "
                                + migration.name()
                                + "; never rename or reuse an applied migration, add a new one");
            } else if (!done.checksum().equals(migration.checksum())) {
                throw new IllegalStateException(
                        "Migration "
                                + migration.name()
                                + " changed after it was applied: recorded sha256 "
                                + done.checksum()
                                + ", file sha256 "
                                + migration.checksum()
                                + "; never edit an applied migration, add a new one");
            }
        }
        return pending;
    }

    private static Map<Integer, AppliedMigration> readLedger(Connection connection)
            throws SQLException {
        Map<Integer, AppliedMigration> applied = new TreeMap<>();
        if (!ledgerExists(connection)) {
            return applied;
        }
        String query = "SELECT version, name, checksum FROM " + LEDGER + " FINAL ORDER BY version";
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                int version = rows.getInt(1);
                applied.put(version, new AppliedMigration(version, rows.getString(2), rows.getString(3)));
            }
        }
        return applied;
    }

    private static boolean ledgerExists(Connection connection) throws SQLException {
        String query =
                "SELECT count() FROM system.tables"
                        + " WHERE database = 'salespulse' AND name = 'schema_migrations'";
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            return rows.next() && rows.getLong(1) > 0;
        }
    }

    private static void createLedger(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(CREATE_LEDGER);
        }
    }

    private static void record(Connection connection, Migration migration) throws SQLException {
        String insert =
                "INSERT INTO " + LEDGER + " (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)";
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            statement.setLong(1, migration.version());
            statement.setString(2, migration.name());
            statement.setString(3, migration.checksum());
            ClickHouseBindings.setInstant(statement, 4, Instant.now());
            statement.executeUpdate();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading the migration files

    /** The migration files found under {@code sql/} on the class path, sorted by version. */
    List<Migration> load() {
        Map<String, byte[]> files = new TreeMap<>();
        try {
            // The first root on the class path wins for a given name, as with any resource.
            for (URL root : roots()) {
                readRoot(root).forEach(files::putIfAbsent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the migrations under " + RESOURCE_DIR + "/", e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException(
                    "No migrations found under " + RESOURCE_DIR + "/ on the class path");
        }
        Map<Integer, Migration> byVersion = new TreeMap<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Matcher name = FILE_NAME.matcher(file.getKey());
            if (!name.matches()) {
                continue;
            }
            int version = Integer.parseInt(name.group(1));
            Migration migration =
                    new Migration(
                            version,
                            file.getKey(),
                            sha256(file.getValue()),
                            MigrationSql.singleStatement(
                                    file.getKey(), new String(file.getValue(), StandardCharsets.UTF_8)));
            Migration clash = byVersion.putIfAbsent(version, migration);
            if (clash != null) {
                throw new IllegalStateException(
                        "Two migrations share version "
                                + version
                                + ": "
                                + clash.name()
                                + " and "
                                + file.getKey());
            }
        }
        return List.copyOf(byVersion.values());
    }

    /**
     * The {@code sql/} directories on the class path. Jars written without directory entries do not
     * answer for {@code sql} itself, so the folder holding the first migration counts too.
     */
    private Set<URL> roots() throws IOException {
        Map<String, URL> roots = new LinkedHashMap<>();
        for (URL root : Collections.list(classLoader.getResources(RESOURCE_DIR))) {
            roots.putIfAbsent(withoutTrailingSlash(root.toString()), root);
        }
        for (URL first : Collections.list(classLoader.getResources(RESOURCE_DIR + "/" + FIRST))) {
            String text = first.toString();
            String dir = text.substring(0, text.length() - FIRST.length() - 1);
            roots.putIfAbsent(dir, new URL(dir));
        }
        return new LinkedHashSet<>(roots.values());
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Map<String, byte[]> readRoot(URL root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        switch (root.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Paths.get(root.toURI());
                } catch (URISyntaxException e) {
                    throw new IOException("Bad migrations directory URL " + root, e);
                }
                try (Stream<Path> entries = Files.list(dir)) {
                    for (Path file : entries.filter(Files::isRegularFile).toList()) {
                        files.put(file.getFileName().toString(), Files.readAllBytes(file));
                    }
                }
            }
            case "jar" -> {
                // Open the jar itself: asking for the sql entry fails when the jar has no entry for it.
                String url = root.toString();
                URL jarRoot = new URL(url.substring(0, url.indexOf("!/") + 2));
                JarURLConnection connection = (JarURLConnection) jarRoot.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    String prefix = RESOURCE_DIR + "/";
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        String name = entry.getName();
                        if (!entry.isDirectory()
                                && name.startsWith(prefix)
                                && name.indexOf('/', prefix.length()) < 0) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                files.put(name.substring(prefix.length()), in.readAllBytes());
                            }
                        }
                    }
                }
            }
            default -> LOG.warn("Ignoring migrations at {}: unsupported URL protocol", root);
        }
        return files;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** One migration file: {@code statement} is its SQL without comments or the final semicolon. */
    record Migration(int version, String name, String checksum, String statement) {}

    private record AppliedMigration(int version, String name, String checksum) {}
}

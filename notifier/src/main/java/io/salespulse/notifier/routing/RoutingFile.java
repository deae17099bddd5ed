package io.salespulse.notifier.routing;

import io.salespulse.notifier.config.NotifierConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing file and the keys, reloaded when the file (or the secrets file) changes. Polling the
 * modification time needs no signals and works on mounted config maps. At start-up a bad file is fatal;
 * later, a bad edit is logged (naming the key) and the last good rules stay in force.
 */
public final class RoutingFile {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingFile.class);

    /** One consistent set of rules and the keys of their routes. */
    public record Routing(RoutingRules rules, WebhookKeys keys) {}

    private final Path file;
    private final Path secretsFile;
    private final Map<String, String> env;
    private volatile Routing current;
    private FileTime fileTime;
    private FileTime secretsTime;

    private RoutingFile(Path file, Path secretsFile, Map<String, String> env) {
        this.file = file;
        this.secretsFile = secretsFile;
        this.env = env;
    }

    /** Loads and validates; throws {@link NotifierConfigException} naming the bad key. */
    public static RoutingFile load(Path file, Path secretsFile, Map<String, String> env) {
        RoutingFile f = new RoutingFile(file, secretsFile, env);
        f.fileTime = mtime(file);
        f.secretsTime = secretsFile == null ? null : mtime(secretsFile);
        f.current = f.read();
        return f;
    }

    public Routing current() {
        return current;
    }

    /** Reloads when a file changed; returns true when new rules are in force. */
    public boolean reloadIfChanged() {
        FileTime ft;
        FileTime st;
        try {
            ft = mtime(file);
            st = secretsFile == null ? null : mtime(secretsFile);
        } catch (NotifierConfigException e) {
            LOG.warn("{}; keeping the routing in force", e.getMessage());
            return false;
        }
        if (Objects.equals(ft, fileTime) && Objects.equals(st, secretsTime)) {
            return false;
        }
        fileTime = ft;
        secretsTime = st;
        try {
            current = read();
            LOG.info("Reloaded routing from {}: routes {}", file, current.rules().routes().stream().map(Route::name).toList());
            return true;
        } catch (NotifierConfigException e) {
            LOG.error("{}; keeping the routing in force", e.getMessage());
            return false;
        }
    }

    private Routing read() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NotifierConfigException("Cannot read the routing file " + file + " (setting notifier.routes): "
                    + e.getClass().getSimpleName());
        }
        RoutingRules rules = RoutingRules.parse(text, file.toString());
        return new Routing(rules, WebhookKeys.resolve(rules.routes(), env, secretsFile));
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new NotifierConfigException("Cannot read " + p + ": " + e.getClass().getSimpleName()
                    + " (settings notifier.routes / notifier.secrets-file)");
        }
    }
}

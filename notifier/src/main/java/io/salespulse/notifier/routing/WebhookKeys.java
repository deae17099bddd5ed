package io.salespulse.notifier.routing;

import io.salespulse.notifier.config.NotifierConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The webhook key of each route, from the route's environment variable or else from the secrets file
 * ({@code route-name=key} lines). Keys stay inside this class and the request URL; {@link #toString()},
 * errors and logs only ever show route names.
 */
public final class WebhookKeys {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{8,128}");

    private final Map<String, String> byRoute;

    private WebhookKeys(Map<String, String> byRoute) {
        this.byRoute = byRoute;
    }

    /** Resolves a key for every route or fails naming the route and where its key was looked for. */
    public static WebhookKeys resolve(Collection<Route> routes, Map<String, String> env, Path secretsFile) {
        Properties secrets = new Properties();
        if (secretsFile != null) {
            try {
                secrets.load(new StringReader(Files.readString(secretsFile, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new NotifierConfigException("Cannot read the secrets file " + secretsFile
                        + " (setting notifier.secrets-file): " + e.getClass().getSimpleName());
            }
        }
        Map<String, String> keys = new HashMap<>();
        for (Route r : routes) {
            String key = env.get(r.keyEnv());
            String from = "env " + r.keyEnv();
            if (key == null || key.isBlank()) {
                key = secrets.getProperty(r.name());
                from = "secrets file entry '" + r.name() + "'";
            }
            if (key == null || key.isBlank()) {
                throw new NotifierConfigException("No webhook key for route '" + r.name() + "': set env " + r.keyEnv()
                        + (secretsFile == null ? "" : " or the entry '" + r.name() + "' in " + secretsFile)
                        + " (key routes." + r.name() + ")");
            }
            key = key.trim();
            if (!KEY.matcher(key).matches()) {
                // The value is a secret: say where it came from, never what it is.
                throw new NotifierConfigException("The webhook key of route '" + r.name() + "' (from " + from
                        + ") is malformed: expected 8-128 letters, digits, '-' or '_'");
            }
            keys.put(r.name(), key);
        }
        return new WebhookKeys(Map.copyOf(keys));
    }

    /** The key of a route; only the WeCom client calls this, to build the request URL. */
    public String keyOf(String route) {
        String k = byRoute.get(route);
        if (k == null) {
            throw new IllegalStateException("No webhook key for route '" + route + "'");
        }
        return k;
    }

    /** Whether {@code route} has the same key here as in {@code other} (a reload that changed it). */
    public boolean sameKey(String route, WebhookKeys other) {
        return Objects.equals(byRoute.get(route), other.byRoute.get(route));
    }

    /** Every key, so a log scrubber or a test can look for them. */
    public Collection<String> all() {
        return byRoute.values();
    }

    @Override
    public String toString() {
        return "WebhookKeys" + byRoute.keySet() + " (values hidden)";
    }
}

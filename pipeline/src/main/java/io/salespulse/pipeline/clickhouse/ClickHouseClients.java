package io.salespulse.pipeline.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.jdbc.DriverProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Opens ClickHouse Java clients (client-v2) for the sink, from the same JDBC URL, user and password as the JDBC
 * connections ({@link ClickHouseConnections}), read as the JDBC driver reads them:
 * {@code jdbc:clickhouse:[http[s]:]//host[:port][/database][?option=value&...]} (or {@code jdbc:ch:...}). The
 * endpoint is HTTP on port 8123 unless the URL says otherwise (HTTPS and 8443 with {@code https:} or
 * {@code ssl=true}); the database is {@code default} unless the URL names one; every other URL option is a client
 * option ({@code compress=0}, {@code socket_timeout=...}), except those that only configure the JDBC driver.
 */
final class ClickHouseClients {

    /** URL options of the JDBC driver itself, which a client does not know (and would refuse). */
    private static final Set<String> JDBC_ONLY = Stream.of(DriverProperties.values()).map(DriverProperties::getKey)
            .collect(Collectors.toUnmodifiableSet());
    private static final String SSL = DriverProperties.SECURE_CONNECTION.getKey();

    private ClickHouseClients() {}

    /** A new client; it connects on its first request. Options in the URL win over {@code user} and {@code password}. */
    static Client open(String jdbcUrl, String user, String password) {
        Endpoint endpoint = Endpoint.parse(jdbcUrl);
        return new Client.Builder()
                .addEndpoint(endpoint.url())
                .setUsername(user)
                .setPassword(password)
                .setDefaultDatabase(endpoint.database())
                .setOptions(endpoint.options())
                .build();
    }

    /** What a JDBC URL says about the server: its HTTP(S) address, the database and the client options. */
    record Endpoint(String url, String database, Map<String, String> options) {

        /** @throws IllegalArgumentException naming the URL without its query string, which may carry a password */
        static Endpoint parse(String jdbcUrl) {
            String rest;
            if (jdbcUrl.startsWith("jdbc:clickhouse:")) {
                rest = jdbcUrl.substring("jdbc:clickhouse:".length());
            } else if (jdbcUrl.startsWith("jdbc:ch:")) {
                rest = jdbcUrl.substring("jdbc:ch:".length());
            } else {
                throw invalid(jdbcUrl, "expected jdbc:clickhouse://host:port/database");
            }
            URI uri;
            try {
                uri = new URI(rest.startsWith("//") ? "http:" + rest : rest);
            } catch (URISyntaxException e) {
                throw invalid(jdbcUrl, e.getReason()); // not the exception: its message repeats the whole URL
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw invalid(jdbcUrl, "only http and https are supported, not " + scheme);
            }
            if (uri.getHost() == null || uri.getRawAuthority().contains(",")) {
                throw invalid(jdbcUrl, "expected one host");
            }
            Map<String, String> options = options(jdbcUrl, uri.getRawQuery());
            boolean ssl = scheme.equals("https") || Boolean.parseBoolean(options.remove(SSL));
            options.keySet().removeAll(JDBC_ONLY);
            int port = uri.getPort() >= 0 ? uri.getPort() : ssl ? 8443 : 8123;

            // The path's last segment is the database; anything before it is the server's HTTP path (a proxy's).
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            int slash = path.lastIndexOf('/');
            String database = slash < 0 ? "" : decode(path.substring(slash + 1));
            String prefix = slash <= 0 ? "" : path.substring(0, slash);
            String url = (ssl ? "https" : "http") + "://" + uri.getHost() + ":" + port + prefix;
            return new Endpoint(url, database.isBlank() ? "default" : database, options);
        }

        /** {@code a=1&b=2}; an option without a value is {@code true}. */
        private static Map<String, String> options(String jdbcUrl, String query) {
            Map<String, String> options = new LinkedHashMap<>();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                String[] keyValue = pair.split("=", 2);
                String key = decode(keyValue[0]).trim();
                if (key.isEmpty() && !pair.isEmpty()) {
                    throw invalid(jdbcUrl, "an option without a name");
                } else if (!key.isEmpty()) {
                    options.put(key, keyValue.length == 1 ? "true" : decode(keyValue[1]).trim());
                }
            }
            return options;
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }

        private static IllegalArgumentException invalid(String jdbcUrl, String why) {
            return new IllegalArgumentException(
                    "Not a ClickHouse JDBC URL: " + ClickHouseConnections.redactUrl(jdbcUrl) + " (" + why + ")");
        }
    }
}

package io.salespulse.producers.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-tenant bearer tokens, stored only as SHA-256 hashes. The file is JSON:
 * <pre>{"tenants": {"weijiang": ["&lt;sha256 hex&gt;", "&lt;a second token while rotating&gt;"]}}</pre>
 * A token is looked up by hashing it and comparing against every stored hash in constant time
 * ({@link MessageDigest#isEqual}), without stopping at the first match, so the answer time does not
 * tell how much of a hash matched. Tokens are random (see {@link #generateToken()}), so an unsalted
 * hash is enough: there is no dictionary to try.
 */
public final class TenantTokens {
    private static final HexFormat HEX = HexFormat.of();

    private record Entry(String tenant, byte[] hash) {}

    private final List<Entry> entries;

    private TenantTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** @throws IllegalArgumentException naming the file and the bad entry */
    public static TenantTokens load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the gateway tokens file " + file + ": " + e.getMessage());
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("the gateway tokens file " + file + " is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode tenants = root == null ? null : root.get("tenants");
        if (tenants == null || !tenants.isObject() || tenants.isEmpty()) {
            throw new IllegalArgumentException("the gateway tokens file " + file
                    + " must look like {\"tenants\": {\"<tenant>\": [\"<sha256 hex of a token>\"]}} with at least one tenant");
        }
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tenants.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> t = it.next();
            JsonNode hashes = t.getValue().isTextual() ? Json.MAPPER.createArrayNode().add(t.getValue()) : t.getValue();
            if (!hashes.isArray() || hashes.isEmpty()) {
                throw new IllegalArgumentException("tenant '" + t.getKey() + "' in " + file
                        + " needs a list of SHA-256 hex token hashes");
            }
            for (JsonNode h : hashes) {
                String hex = h.asText("").trim().toLowerCase(java.util.Locale.ROOT);
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("tenant '" + t.getKey() + "' in " + file
                            + " has an entry that is not a SHA-256 hex hash (64 hex digits); store hashes, never tokens: "
                            + "`salespulse gateway hash-token`");
                }
                entries.add(new Entry(t.getKey(), HEX.parseHex(hex)));
            }
        }
        return new TenantTokens(entries);
    }

    public static TenantTokens of(Map<String, String> tenantToHashHex) {
        List<Entry> entries = new ArrayList<>();
        tenantToHashHex.forEach((tenant, hex) -> entries.add(new Entry(tenant, HEX.parseHex(hex))));
        return new TenantTokens(entries);
    }

    /** The tenant the token belongs to; empty for an unknown token. */
    public Optional<String> tenantOf(String token) {
        byte[] hash = sha256(token);
        String found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(hash, e.hash()) && found == null) {
                found = e.tenant();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    /** Lower-case hex SHA-256 of the token's UTF-8 bytes: what goes into the tokens file. */
    public static String hashHex(String token) {
        return HEX.formatHex(sha256(token));
    }

    /** 32 random bytes, URL-safe base64 without padding (43 characters). */
    public static String generateToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

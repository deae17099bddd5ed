package io.salespulse.producers.gateway;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * New import ids, {@code imp-<UTC yyyyMMdd-HHmmss>-<6 random base32 characters>}: sortable by when the import was
 * opened, readable in logs, and unlikely to meet another import of the same second (2^30 choices). The gateway
 * assigns one when {@code POST /v1/imports} comes without an id; the importer uses the same form for its own.
 */
public final class ImportIds {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ImportIds() {}

    public static String newId(Instant now) {
        StringBuilder id = new StringBuilder("imp-").append(STAMP.format(now)).append('-');
        for (int i = 0; i < 6; i++) {
            id.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return id.toString();
    }
}

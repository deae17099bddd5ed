package io.salespulse.producers.importer;

import java.nio.file.Path;

/**
 * A record that was not sent, or that the gateway refused: where it stands in which file, why, and its text.
 *
 * @param code the contract parser's code ({@code missing_field}, {@code bad_timestamp}, ...) or the importer's
 *     ({@code not_json}, {@code bad_csv}, {@code unknown_kind}, {@code tenant_mismatch})
 */
public record Reject(Path file, long line, String code, String message, String raw) {}

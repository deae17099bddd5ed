package io.salespulse.contract;

import java.time.Duration;

/**
 * The checks every SalesPulse service applies to its setting values, with the same wording everywhere.
 * Each service turns a bad value into its own exception, naming the setting's key, flag and variable
 * ({@link Invalid}); see the jobs' {@code PipelineConfig} and the notifier's {@code NotifierConfig}.
 */
public final class SettingValues {
    private SettingValues() {}

    /** Builds the service's exception for a bad value of one setting. */
    @FunctionalInterface
    public interface Invalid {
        RuntimeException of(String value, String reason);
    }

    /** A value that must not be empty. */
    public static String text(String value, Invalid invalid) {
        if (value == null || value.isBlank()) {
            throw invalid.of(String.valueOf(value), "must not be empty");
        }
        return value;
    }

    /** A whole number between {@code min} and {@code max}. */
    public static int integer(String value, int min, int max, Invalid invalid) {
        String t = text(value, invalid);
        int v;
        try {
            v = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw invalid.of(value, "not a whole number");
        }
        if (v < min || v > max) {
            throw invalid.of(value, "must be between " + min + " and " + max);
        }
        return v;
    }

    /** A duration ({@link Durations}) that is not negative and, unless {@code zeroAllowed}, not zero. */
    public static Duration duration(String value, boolean zeroAllowed, Invalid invalid) {
        String t = text(value, invalid);
        Duration d;
        try {
            d = Durations.parse(t);
        } catch (IllegalArgumentException e) {
            throw invalid.of(value, e.getMessage());
        }
        if (d.isNegative()) {
            throw invalid.of(value, "must not be negative");
        }
        if (d.isZero() && !zeroAllowed) {
            throw invalid.of(value, "must be longer than zero");
        }
        return d;
    }
}

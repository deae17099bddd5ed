package io.salespulse.contract.settings;

import io.salespulse.contract.Durations;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What kind of value a setting takes: how its text is parsed and checked, and a short summary for
 * docs/configuration.md. A bad value fails with {@link IllegalArgumentException} whose message is only the
 * reason ({@code must be between 1 and 9}); {@link SettingSpec#parse} adds which setting it was.
 */
public final class SettingType<T> {
    private static final Pattern HOST_PORT_LIST =
            Pattern.compile("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5})*");

    /** Turns the text of a value into the value, or throws {@link IllegalArgumentException} with the reason. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text);
    }

    private final String summary;
    private final Parser<T> parser;

    private SettingType(String summary, Parser<T> parser) {
        this.summary = summary;
        this.parser = parser;
    }

    /** The value of {@code text} (never null; already trimmed). */
    public T parse(String text) {
        return parser.parse(text);
    }

    /** What values are allowed, in a few words: {@code whole number, 1 to 10000}. */
    public String summary() {
        return summary;
    }

    /** Any text but an empty one. */
    public static SettingType<String> text() {
        return nonEmpty("text", t -> t);
    }

    /** Any text, also an empty one (a password, an optional token). */
    public static SettingType<String> optionalText() {
        return new SettingType<>("text, may be empty", t -> t);
    }

    /** Non-empty text that {@code valid} accepts; otherwise the reason is {@code expected}. */
    public static SettingType<String> text(String summary, Predicate<String> valid, String expected) {
        return nonEmpty(summary, t -> {
            if (!valid.test(t)) {
                throw new IllegalArgumentException(expected);
            }
            return t;
        });
    }

    /** Kafka's {@code host:port[,host:port...]}. */
    public static SettingType<String> hostPortList() {
        return text("host:port[,host:port...]", t -> HOST_PORT_LIST.matcher(t).matches(),
                "expected host:port[,host:port...]");
    }

    /** One of a fixed list of words. */
    public static SettingType<String> oneOf(String... values) {
        List<String> allowed = List.of(values);
        String list = String.join(", ", allowed);
        return text("one of " + list, allowed::contains, "must be one of " + list);
    }

    public static SettingType<Integer> integer(int min, int max) {
        return nonEmpty("whole number, " + min + " to " + max, t -> {
            int v;
            try {
                v = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return v;
        });
    }

    /** A duration of zero or more. */
    public static SettingType<Duration> duration() {
        return duration("duration, 0 or more", true, null);
    }

    /** A duration longer than zero. */
    public static SettingType<Duration> positiveDuration() {
        return duration("duration, more than 0", false, null);
    }

    /** A duration from zero to {@code max}. */
    public static SettingType<Duration> durationAtMost(Duration max) {
        String most = Durations.format(max);
        return duration("duration, 0 to " + most, true, d -> {
            if (d.compareTo(max) > 0) {
                throw new IllegalArgumentException("must be at most " + most);
            }
        });
    }

    /** A duration from {@code min} to {@code max}, both included, as written: {@code durationBetween("3s", "24h")}. */
    public static SettingType<Duration> durationBetween(String min, String max) {
        Duration least = Durations.parse(min);
        Duration most = Durations.parse(max);
        return duration("duration, " + min + " to " + max, least.isZero(), d -> {
            if (d.compareTo(least) < 0 || d.compareTo(most) > 0) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
        });
    }

    /** A bounds check: throws {@link IllegalArgumentException} with the reason. */
    private interface Bounds {
        void check(Duration d);
    }

    private static SettingType<Duration> duration(String summary, boolean zeroAllowed, Bounds bounds) {
        return nonEmpty(summary, t -> {
            Duration d;
            try {
                d = Durations.parse(t);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("is too long");
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            if (bounds != null) {
                bounds.check(d);
            }
            if (d.isZero() && !zeroAllowed) {
                throw new IllegalArgumentException("must be longer than zero");
            }
            return d;
        });
    }

    /** A percentage strictly between 0 and 100 ({@code 15} is 15 %). */
    public static SettingType<Double> percentage() {
        return number("a percentage", 100, "percent, between 0 and 100 (exclusive)");
    }

    /** A fraction strictly between 0 and {@code max}, e.g. a p-value ({@code what} = "a p-value"). */
    public static SettingType<Double> fraction(String what, double max) {
        return number(what, max, "number, between 0 and " + plain(max) + " (exclusive)");
    }

    private static SettingType<Double> number(String what, double max, String summary) {
        return nonEmpty(summary, t -> {
            double v;
            try {
                v = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number");
            }
            if (!(v > 0 && v < max)) {
                throw new IllegalArgumentException("must be " + what + " between 0 and " + plain(max) + " (exclusive)");
            }
            return v;
        });
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    public static SettingType<ZoneId> timeZone() {
        return nonEmpty("time zone id", t -> {
            try {
                return ZoneId.of(t);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("not a time zone id (e.g. Asia/Shanghai)");
            }
        });
    }

    /** A time of day, {@code 08:00}. */
    public static SettingType<LocalTime> localTime() {
        return nonEmpty("time of day, HH:mm", t -> {
            try {
                return LocalTime.parse(t);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("expected a time like 08:00");
            }
        });
    }

    /** A URI with a scheme ({@code file:///...}, {@code s3://...}). */
    public static SettingType<URI> uri() {
        return uri("URI with a scheme", u -> u.getScheme() != null,
                "expected a URI with a scheme, e.g. file:///var/lib/salespulse/checkpoints or s3://bucket/path");
    }

    /**
     * A URI with a scheme, or a path under the user's home written {@code ~/...} (a file URI there): defaults that
     * live in the user's own data directory, not in a {@code /tmp} every user of a machine shares.
     */
    public static SettingType<URI> uriOrHomePath() {
        SettingType<URI> uri = uri();
        return nonEmpty("URI with a scheme, or ~/path", t -> t.startsWith("~/")
                ? Path.of(System.getProperty("user.home"), t.substring(2)).toUri()
                : uri.parse(t));
    }

    /** An {@code http://} or {@code https://} URL with a host. */
    public static SettingType<URI> httpUrl() {
        return uri("http(s) URL", u -> ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
                "expected an http(s) URL");
    }

    private static SettingType<URI> uri(String summary, Predicate<URI> valid, String expected) {
        return nonEmpty(summary, t -> {
            try {
                URI u = URI.create(t);
                if (valid.test(u)) {
                    return u;
                }
            } catch (IllegalArgumentException e) {
                // not a URI at all: the same answer as a URI of the wrong kind
            }
            throw new IllegalArgumentException(expected);
        });
    }

    /** A file path. */
    public static SettingType<Path> path() {
        return nonEmpty("file path", SettingType::toPath);
    }

    /** A file path, or nothing (empty text, read as null). */
    public static SettingType<Path> optionalPath() {
        return new SettingType<>("file path, may be empty", t -> t.isEmpty() ? null : toPath(t));
    }

    private static Path toPath(String t) {
        try {
            return Path.of(t);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a file path: " + e.getReason());
        }
    }

    private static <T> SettingType<T> nonEmpty(String summary, Parser<T> parser) {
        return new SettingType<>(summary, t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return parser.parse(t);
        });
    }
}

package io.salespulse.contract;

import java.util.Locale;
import java.util.function.Function;

/**
 * How every SalesPulse setting key ({@code kafka.bootstrap}) is spelled as a flag ({@code --kafka-bootstrap})
 * and as an environment variable ({@code SALESPULSE_KAFKA_BOOTSTRAP}), shared by the jobs and the notifier.
 */
public final class SettingNames {
    private SettingNames() {}

    public static String flag(String key) {
        return "--" + key.replace('.', '-');
    }

    public static String env(String key) {
        return "SALESPULSE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The setting a flag or key names ({@code --kafka-bootstrap}, {@code --kafka.bootstrap}, {@code kafka.bootstrap}), or null. */
    public static <S> S byName(S[] settings, Function<S, String> key, String name) {
        String n = name.startsWith("--") ? name.substring(2) : name;
        for (S s : settings) {
            String k = key.apply(s);
            if (k.equals(n) || k.replace('.', '-').equals(n)) {
                return s;
            }
        }
        return null;
    }
}

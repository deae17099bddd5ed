package io.salespulse.contract.settings;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one service, in the order they are documented, and how they are read: a flag wins over
 * the environment, which wins over the default. Flags are {@code --name value} or {@code --name=value}, where
 * the name is the flag ({@code --kafka-bootstrap}) or the dotted key ({@code --kafka.bootstrap}).
 *
 * @param <K> the service's setting enum
 */
public final class SettingsSchema<K extends SettingKey> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<K> settings;

    private SettingsSchema(List<K> settings) {
        this.settings = List.copyOf(settings);
    }

    @SafeVarargs
    public static <K extends SettingKey> SettingsSchema<K> of(K... settings) {
        return new SettingsSchema<>(List.of(settings));
    }

    public List<K> settings() {
        return settings;
    }

    /** The setting a flag or key names ({@code --kafka-bootstrap}, {@code --kafka.bootstrap}, {@code kafka.bootstrap}), or null. */
    public K byName(String name) {
        for (K k : settings) {
            if (k.spec().isNamedBy(name)) {
                return k;
            }
        }
        return null;
    }

    /** Reads flags, then the environment, then the defaults; every value is checked. */
    public Settings<K> load(String[] args, Map<String, String> env) {
        return load(parseArgs(args, false), env);
    }

    /** As {@link #load(String[], Map)}, skipping flags (and their values) that name none of these settings. */
    public Settings<K> loadIgnoringOtherFlags(String[] args, Map<String, String> env) {
        return load(parseArgs(args, true), env);
    }

    /** {@code explicit} are the values given as flags (or by code): they win over {@code env}. */
    public Settings<K> load(Map<K, String> explicit, Map<String, String> env) {
        Map<K, String> raw = new LinkedHashMap<>();
        for (K k : settings) {
            String v = explicit.get(k);
            if (v == null) {
                v = env.get(k.env());
            }
            raw.put(k, v == null ? k.defaultValue() : v.trim());
        }
        return new Settings<>(this, raw);
    }

    /** The values {@code args} give, by setting; an unknown flag is an error unless {@code skipUnknown}. */
    public Map<K, String> parseArgs(String[] args, boolean skipUnknown) {
        Map<K, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new SettingsException("Unexpected argument '" + a + "': settings are given as --name value");
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new SettingsException("Setting " + a + " has no value");
            }
            K k = byName(name);
            if (k == null) {
                if (skipUnknown) {
                    continue;
                }
                throw new SettingsException("Unknown setting " + name + " (see --help or docs/configuration.md)");
            }
            out.put(k, value);
        }
        return out;
    }
}

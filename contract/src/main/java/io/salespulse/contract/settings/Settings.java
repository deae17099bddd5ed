package io.salespulse.contract.settings;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values a service runs with, one per setting of its {@link SettingsSchema}, every one checked when this
 * is built: a bad value never gets past start-up. The typed configuration objects ({@code PipelineConfig},
 * {@code NotifierConfig}, {@code GatewayConfig}) read their fields from here and add the checks that involve
 * several settings ({@link #invalid}).
 */
public final class Settings<K extends SettingKey> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SettingsSchema<K> schema;
    /** The text of each value as given (flag, environment or default), in the schema's order. */
    private final LinkedHashMap<K, String> raw;

    Settings(SettingsSchema<K> schema, Map<K, String> raw) {
        this.schema = schema;
        this.raw = new LinkedHashMap<>(raw);
        for (K k : schema.settings()) {
            k.spec().parse(this.raw.get(k));
        }
    }

    /**
     * The typed value of a setting: {@code Duration ttl = settings.get(Setting.STATE_TTL)}. The type is the
     * setting's {@link SettingType}'s; an enum constant cannot carry a type parameter, so reading it as another
     * type is a programming error that fails on the first load (every service's tests load the defaults).
     */
    @SuppressWarnings("unchecked")
    public <T> T get(K key) {
        return (T) key.spec().parse(raw.get(key));
    }

    /** The text of a setting's value, as given. */
    public String raw(K key) {
        return raw.get(key);
    }

    /** A copy with some values replaced, checked again. */
    public Settings<K> with(Map<K, String> overrides) {
        Map<K, String> copy = new LinkedHashMap<>(raw);
        copy.putAll(overrides);
        return new Settings<>(schema, copy);
    }

    /** For a check across settings: the error naming {@code key} with its current value. */
    public SettingsException invalid(K key, String why) {
        return SettingsException.invalid(key, raw.get(key), why);
    }

    /** Each key and its value as it may be shown: secrets as {@code ***} (or {@code (empty)}). */
    public Map<String, String> shown() {
        Map<String, String> out = new LinkedHashMap<>();
        for (K k : schema.settings()) {
            String v = raw.get(k);
            out.put(k.spec().toString(), k.secret() ? (v.isEmpty() ? "(empty)" : "***") : v);
        }
        return out;
    }

    /** Every setting and its effective value, {@code key = value}, secrets masked: safe to log. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        shown().forEach((k, v) -> lines.add(k + " = " + v));
        return lines;
    }
}

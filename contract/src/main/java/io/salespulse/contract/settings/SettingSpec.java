package io.salespulse.contract.settings;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One setting, declared once: its dotted key ({@code sla.needs}), flag ({@code --sla-needs}), environment
 * variable ({@code SALESPULSE_SLA_NEEDS}), type, default and description. Flag and variable follow from the
 * key unless a service keeps an older flag ({@link #withFlag}). Immutable; the {@code with...} methods return
 * a changed copy, so a service can reuse a shared declaration ({@link SharedSettings}) with its own wording.
 */
public final class SettingSpec<T> implements SettingKey {
    private final String key;
    private final String flag;
    private final String env;
    private final SettingType<T> type;
    private final String defaultValue;
    private final String description;
    private final boolean secret;

    private SettingSpec(String key, String flag, String env, SettingType<T> type, String defaultValue,
            String description, boolean secret) {
        this.key = key;
        this.flag = flag;
        this.env = Objects.requireNonNull(env, "env");
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description, "description");
        this.secret = secret;
    }

    /** A setting with a default: {@code of("sla.needs", SettingType.positiveDuration(), "72h", "...")}. */
    public static <T> SettingSpec<T> of(String key, SettingType<T> type, String defaultValue, String description) {
        return new SettingSpec<>(key, "--" + key.replace('.', '-'),
                "SALESPULSE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), type,
                Objects.requireNonNull(defaultValue, "defaultValue"), description, false);
    }

    /** A setting without a default: start-up stops unless a flag or the environment gives it. */
    public static <T> SettingSpec<T> required(String key, SettingType<T> type, String description) {
        return of(key, type, "", description).withDefault(null);
    }

    /**
     * A variable with no key, read from the environment ({@code SALESPULSE_JAVA_OPTS}); a command may also take
     * it as a flag of its own ({@link #withFlag}), but it is not part of any service's settings.
     */
    public static <T> SettingSpec<T> envOnly(String env, SettingType<T> type, String defaultValue, String description) {
        return new SettingSpec<>(null, null, env, type, defaultValue, description, false);
    }

    /** The same setting under another flag (the gateway's {@code --port} for {@code gateway.port}). */
    public SettingSpec<T> withFlag(String otherFlag) {
        return new SettingSpec<>(key, otherFlag, env, type, defaultValue, description, secret);
    }

    /** The same setting described for another service. */
    public SettingSpec<T> withDescription(String otherDescription) {
        return new SettingSpec<>(key, flag, env, type, defaultValue, otherDescription, secret);
    }

    /** The same setting with another default. */
    public SettingSpec<T> withDefault(String otherDefault) {
        return new SettingSpec<>(key, flag, env, type, otherDefault, description, secret);
    }

    /** The same setting, its value never shown. */
    public SettingSpec<T> asSecret() {
        return new SettingSpec<>(key, flag, env, type, defaultValue, description, true);
    }

    @Override
    public SettingSpec<T> spec() {
        return this;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String flag() {
        return flag;
    }

    @Override
    public String env() {
        return env;
    }

    @Override
    public String defaultValue() {
        return defaultValue;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean secret() {
        return secret;
    }

    public SettingType<T> type() {
        return type;
    }

    /**
     * The value of {@code text}: the flag's, the environment's or the default, as the caller chose; null when
     * none was given. A missing or bad value throws {@link SettingsException} naming this setting.
     */
    public T parse(String text) {
        if (text == null || defaultValue == null && text.isBlank()) {
            throw SettingsException.invalid(this, text, "is required: " + description);
        }
        try {
            return type.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw SettingsException.invalid(this, text, e.getMessage());
        }
    }

    /** The value the environment gives (a variable's only source when it has no flag), else the default. */
    public T fromEnv(Map<String, String> environment) {
        String text = environment.get(env);
        return parse(text == null ? defaultValue : text);
    }

    /** Whether {@code name} names this setting: its flag, or its key with or without {@code --}, dots or dashes. */
    boolean isNamedBy(String name) {
        if (key == null) {
            return false;
        }
        String n = name.startsWith("--") ? name.substring(2) : name;
        return n.equals(key) || n.equals(key.replace('.', '-')) || flag != null && n.equals(flag.substring(2));
    }

    @Override
    public String toString() {
        return key == null ? env : key;
    }
}

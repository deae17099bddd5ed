package io.salespulse.contract.settings;

/**
 * A named setting of a service. Each service lists its settings as an enum implementing this (the jobs'
 * {@code Setting}, the notifier's {@code NotifierSetting}, the gateway's {@code GatewaySetting}), so code can keep
 * overrides as {@code Map<Setting, String>}; every constant carries its {@link SettingSpec}.
 */
public interface SettingKey {
    SettingSpec<?> spec();

    /** The dotted key, {@code sla.needs}; null for a variable that is only read from the environment. */
    default String key() {
        return spec().key();
    }

    /** The flag, {@code --sla-needs}; null when there is none. */
    default String flag() {
        return spec().flag();
    }

    /** The environment variable, {@code SALESPULSE_SLA_NEEDS}. */
    default String env() {
        return spec().env();
    }

    /** The value used when neither flag nor environment gives one; null when the setting is required. */
    default String defaultValue() {
        return spec().defaultValue();
    }

    default String description() {
        return spec().description();
    }

    /** A secret's value is never shown: not in {@code describe()}, not in error messages. */
    default boolean secret() {
        return spec().secret();
    }
}

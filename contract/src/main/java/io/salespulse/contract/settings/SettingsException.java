package io.salespulse.contract.settings;

/**
 * Bad settings: a value that does not pass its check, or a command line that names no setting. The message
 * is one line for the user, e.g. {@code Invalid setting sla.needs (flag --sla-needs, env SALESPULSE_SLA_NEEDS) =
 * 'soon': 'soon' is not a duration (use e.g. 48h, 90m, 7d, 500ms or PT48H)}; a secret's value shows as
 * {@code ***}.
 */
public final class SettingsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SettingsException(String message) {
        super(message);
    }

    /** {@code value} is the text given (null when none was); {@code why} the reason. */
    public static SettingsException invalid(SettingKey setting, String value, String why) {
        String shown = value == null ? "(none)" : setting.secret() ? "***" : "'" + value + "'";
        return new SettingsException("Invalid setting " + name(setting) + " = " + shown + ": " + why);
    }

    /** {@code sla.needs (flag --sla-needs, env SALESPULSE_SLA_NEEDS)}, or just the variable for one without a key. */
    static String name(SettingKey s) {
        if (s.key() == null) {
            return s.env();
        }
        return s.key() + " (" + (s.flag() == null ? "" : "flag " + s.flag() + ", ") + "env " + s.env() + ")";
    }
}

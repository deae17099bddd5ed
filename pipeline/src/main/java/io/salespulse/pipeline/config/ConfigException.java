package io.salespulse.pipeline.config;

/** Bad configuration: the message names the setting (key, flag and environment variable) and what is wrong. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    static ConfigException invalid(Setting s, String value, String why) {
        String shown = s.secret() ? "***" : "'" + value + "'";
        return new ConfigException("Invalid setting " + s.key() + " (flag " + s.flag() + ", env " + s.env() + ") = "
                + shown + ": " + why);
    }
}

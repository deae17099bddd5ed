package io.salespulse.notifier.config;

/** Bad notifier configuration: the message names the setting or the routing-file key and what is wrong. */
public final class NotifierConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotifierConfigException(String message) {
        super(message);
    }

    static NotifierConfigException invalid(NotifierSetting s, String value, String why) {
        String shown = s.secret() ? "***" : "'" + value + "'";
        return new NotifierConfigException("Invalid setting " + s.key() + " (flag " + s.flag() + ", env " + s.env()
                + ") = " + shown + ": " + why);
    }
}

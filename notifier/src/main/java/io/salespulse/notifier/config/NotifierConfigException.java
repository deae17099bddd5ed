package io.salespulse.notifier.config;

/**
 * A bad routing or secrets file: the message names the file and the key in it, and what is wrong. (Bad
 * settings are {@link io.salespulse.contract.settings.SettingsException}s, as in every service.)
 */
public final class NotifierConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotifierConfigException(String message) {
        super(message);
    }
}

package io.salespulse.notifier.routing;

/**
 * A named WeCom group robot. Only the name is ever logged or stored; the webhook key is looked up by
 * name in {@link WebhookKeys} at the moment of sending.
 *
 * @param keyEnv environment variable holding the key (default {@code SALESPULSE_WECOM_KEY_<NAME>})
 */
public record Route(String name, String keyEnv) {

    public static String defaultKeyEnv(String routeName) {
        return "SALESPULSE_WECOM_KEY_" + routeName.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}

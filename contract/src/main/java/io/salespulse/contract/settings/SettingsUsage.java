package io.salespulse.contract.settings;

import java.util.Collection;
import java.util.List;

/**
 * The {@code --help} text of a service started by its own main class (the notifier, the WeCom stand-in): what it
 * does, then each of its settings from the settings model (key, flag, environment variable, default, meaning), so
 * the help cannot drift from what the service reads. The {@code bin/salespulse} commands print theirs with picocli
 * from the same declarations.
 */
public final class SettingsUsage {
    private static final String INDENT = "      ";

    private SettingsUsage() {}

    /** Whether the arguments ask for help: {@code --help} or {@code -h} anywhere. */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code usage}: the synopsis line; {@code about}: lines on what the service does; {@code footer}: lines after
     * the settings (may be empty).
     */
    public static String render(String usage, List<String> about, Collection<? extends SettingKey> settings,
            List<String> footer) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: ").append(usage).append('\n');
        about.forEach(line -> sb.append(line).append('\n'));
        boolean flags = settings.stream().anyMatch(k -> k.flag() != null);
        sb.append('\n').append(flags ? "Settings (a flag wins over the environment, which wins over the default):\n"
                : "Settings (environment variables; the default when unset):\n");
        for (SettingKey s : settings) {
            sb.append("  ");
            if (s.key() == null) {
                sb.append(s.env()).append("  (environment only)");
            } else {
                sb.append(s.key()).append("  (");
                if (s.flag() != null) {
                    sb.append("flag ").append(s.flag()).append(" <value>, ");
                }
                sb.append("env ").append(s.env()).append(')');
            }
            sb.append('\n');
            sb.append(INDENT).append(s.description()).append(" (").append(s.spec().type().summary())
                    .append(s.secret() ? ", secret" : "").append(")\n");
            String shown = s.defaultValue() == null ? "(required)" : s.defaultValue().isEmpty() ? "(empty)"
                    : s.defaultValue();
            sb.append(INDENT).append("default: ").append(shown).append('\n');
        }
        if (!footer.isEmpty()) {
            sb.append('\n');
            footer.forEach(line -> sb.append(line).append('\n'));
        }
        return sb.toString();
    }
}

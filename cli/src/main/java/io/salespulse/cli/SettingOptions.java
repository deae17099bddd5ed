package io.salespulse.cli;

import io.salespulse.contract.settings.SettingKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A service's settings as picocli options, one per setting, generated so that {@code --help} and the accepted
 * flags can never drift from the configuration the service really reads. Values given on the command line are
 * only collected here; the service's {@code SettingsSchema} checks them together with the environment and the
 * defaults, so there is exactly one place that decides what a valid setting is.
 */
final class SettingOptions {

    private SettingOptions() {}

    /** Adds an option per setting to {@code spec}; a value given on the command line is put into {@code given}. */
    static <K extends SettingKey> void addTo(CommandSpec spec, List<K> settings, Map<K, String> given) {
        for (K s : settings) {
            List<String> names = new ArrayList<>(List.of(s.flag()));
            String dotted = "--" + s.key();
            if (!dotted.equals(s.flag())) {
                names.add(dotted);
            }
            String shownDefault = s.defaultValue() == null ? "(required)"
                    : s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue();
            spec.addOption(OptionSpec.builder(names.toArray(String[]::new))
                    .paramLabel("<value>")
                    .type(String.class)
                    .arity("1")
                    // Own lines for default and env, so long URLs are not wrapped in the middle.
                    .description(s.description(), "  default: " + shownDefault, "  env: " + s.env())
                    .setter(new ISetter() {
                        @Override
                        public <T> T set(T value) {
                            // picocli resets every option to null before parsing: that means "not given".
                            if (value == null) {
                                given.remove(s);
                            } else {
                                given.put(s, (String) value);
                            }
                            return null;
                        }
                    })
                    .build());
        }
        spec.usageMessage().footer(
                "",
                "Each setting can also come from its environment variable. A flag wins over the",
                "environment, which wins over the default; --kafka.bootstrap=host:9092 style works too.",
                "All settings: docs/configuration.md.");
    }
}

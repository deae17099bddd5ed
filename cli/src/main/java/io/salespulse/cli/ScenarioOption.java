package io.salespulse.cli;

import io.salespulse.producers.simulator.Scenario;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Scenario names on the command line: {@code small-team}, {@code fmcg-distributor}, {@code food-chain}. */
final class ScenarioOption {
    private ScenarioOption() {}

    static String name(Scenario s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static final class Converter implements ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            String wanted = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Scenario s : Scenario.values()) {
                if (s.name().equals(wanted)) {
                    return s;
                }
            }
            throw new TypeConversionException("unknown scenario '" + value + "'; one of: " + String.join(", ", new Names()));
        }
    }

    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Scenario.values()).map(ScenarioOption::name).iterator();
        }
    }
}

package io.salespulse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shared checks of setting values: what passes, and the reason a bad value is given. */
class SettingValuesTest {
    private static final SettingValues.Invalid INVALID =
            (value, why) -> new IllegalStateException("x.key = '" + value + "': " + why);

    @Test
    void acceptsGoodValues() {
        assertThat(SettingValues.text("a", INVALID)).isEqualTo("a");
        assertThat(SettingValues.integer("0", 0, 65535, INVALID)).isZero();
        assertThat(SettingValues.duration("500ms", false, INVALID)).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingValues.duration("0s", true, INVALID)).isZero();
    }

    @Test
    void namesTheReasonOfABadValue() {
        assertThatThrownBy(() -> SettingValues.text(" ", INVALID)).hasMessage("x.key = ' ': must not be empty");
        assertThatThrownBy(() -> SettingValues.integer("", 1, 9, INVALID)).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> SettingValues.integer("7x", 1, 9, INVALID)).hasMessage("x.key = '7x': not a whole number");
        assertThatThrownBy(() -> SettingValues.integer("10", 1, 9, INVALID))
                .hasMessage("x.key = '10': must be between 1 and 9");
        assertThatThrownBy(() -> SettingValues.duration(null, true, INVALID))
                .hasMessage("x.key = 'null': must not be empty");
        assertThatThrownBy(() -> SettingValues.duration("PT-1S", true, INVALID)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> SettingValues.duration("0s", false, INVALID))
                .hasMessage("x.key = '0s': must be longer than zero");
        assertThatThrownBy(() -> SettingValues.duration("soon", true, INVALID)).hasMessageStartingWith("x.key = 'soon': ");
    }
}

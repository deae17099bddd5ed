package io.salespulse.contract.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Every type of setting value: what it accepts, its bounds, and the reason it gives for a bad value. */
class SettingTypeTest {

    @Test
    void text() {
        assertThat(SettingType.text().parse("a b")).isEqualTo("a b");
        assertReason(SettingType.text(), " ", "must not be empty");
        assertThat(SettingType.optionalText().parse("")).isEmpty();
    }

    @Test
    void textWithACheck() {
        SettingType<String> jdbc = SettingType.text("JDBC URL", t -> t.startsWith("jdbc:"), "expected a JDBC URL");
        assertThat(jdbc.parse("jdbc:x")).isEqualTo("jdbc:x");
        assertReason(jdbc, "http://x", "expected a JDBC URL");
        assertReason(jdbc, "", "must not be empty");
    }

    @Test
    void hostPortList() {
        assertThat(SettingType.hostPortList().parse("k1:9092,k2.example.com:9093")).isEqualTo("k1:9092,k2.example.com:9093");
        assertReason(SettingType.hostPortList(), "nohost", "expected host:port[,host:port...]");
        assertReason(SettingType.hostPortList(), "k1:9092,", "expected host:port[,host:port...]");
    }

    @Test
    void oneOf() {
        SettingType<String> to = SettingType.oneOf("kafka", "gateway");
        assertThat(to.parse("gateway")).isEqualTo("gateway");
        assertReason(to, "pigeon", "must be one of kafka, gateway");
        assertThat(to.summary()).isEqualTo("one of kafka, gateway");
    }

    @Test
    void integerWithBounds() {
        SettingType<Integer> port = SettingType.integer(0, 65535);
        assertThat(port.parse("0")).isZero();
        assertThat(port.parse("65535")).isEqualTo(65535);
        assertReason(port, "65536", "must be between 0 and 65535");
        assertReason(port, "-1", "must be between 0 and 65535");
        assertReason(port, "7x", "not a whole number");
        assertReason(port, "1.5", "not a whole number");
        assertThat(port.summary()).isEqualTo("whole number, 0 to 65535");
    }

    @Test
    void durations() {
        assertThat(SettingType.duration().parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingType.duration().parse("0s")).isZero();
        assertThat(SettingType.duration().parse("PT48H")).isEqualTo(Duration.ofHours(48));
        assertThat(SettingType.duration().parse("7d")).isEqualTo(Duration.ofDays(7));
        assertReason(SettingType.duration(), "PT-1S", "must not be negative");
        assertReason(SettingType.duration(), "soon", "'soon' is not a duration (use e.g. 48h, 90m, 7d, 500ms or PT48H)");
        assertReason(SettingType.duration(), "99999999999999999d", "is too long");

        assertThat(SettingType.positiveDuration().parse("1ms")).isEqualTo(Duration.ofMillis(1));
        assertReason(SettingType.positiveDuration(), "0s", "must be longer than zero");

        SettingType<Duration> grace = SettingType.durationAtMost(Duration.ofHours(24));
        assertThat(grace.parse("0s")).isZero();
        assertThat(grace.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertReason(grace, "25h", "must be at most 1d");
        assertThat(grace.summary()).isEqualTo("duration, 0 to 1d");

        SettingType<Duration> timeout = SettingType.durationBetween("3s", "24h");
        assertThat(timeout.parse("3s")).isEqualTo(Duration.ofSeconds(3));
        assertReason(timeout, "1s", "must be between 3s and 24h");
        assertReason(timeout, "0s", "must be between 3s and 24h");
        assertReason(timeout, "2d", "must be between 3s and 24h");
        assertReason(timeout, "PT-3S", "must not be negative");
        assertThat(timeout.summary()).isEqualTo("duration, 3s to 24h");
    }

    @Test
    void percentagesAndFractions() {
        assertThat(SettingType.percentage().parse("15")).isEqualTo(15.0);
        assertThat(SettingType.percentage().parse("99.5")).isEqualTo(99.5);
        assertReason(SettingType.percentage(), "100", "must be a percentage between 0 and 100 (exclusive)");
        assertReason(SettingType.percentage(), "0", "must be a percentage between 0 and 100 (exclusive)");
        assertReason(SettingType.percentage(), "NaN", "must be a percentage between 0 and 100 (exclusive)");
        assertReason(SettingType.percentage(), "many", "not a number");

        SettingType<Double> p = SettingType.fraction("a p-value", 0.5);
        assertThat(p.parse("0.001")).isEqualTo(0.001);
        assertReason(p, "0.5", "must be a p-value between 0 and 0.5 (exclusive)");
        assertThat(p.summary()).isEqualTo("number, between 0 and 0.5 (exclusive)");
    }

    @Test
    void timeZonesAndTimesOfDay() {
        assertThat(SettingType.timeZone().parse("Asia/Shanghai")).isEqualTo(ZoneId.of("Asia/Shanghai"));
        assertReason(SettingType.timeZone(), "Mars/Olympus", "not a time zone id (e.g. Asia/Shanghai)");
        assertThat(SettingType.localTime().parse("08:00")).isEqualTo(LocalTime.of(8, 0));
        assertReason(SettingType.localTime(), "8am", "expected a time like 08:00");
        assertReason(SettingType.localTime(), "25:00", "expected a time like 08:00");
    }

    @Test
    void urisAndPaths() {
        assertThat(SettingType.uri().parse("s3://bucket/path")).isEqualTo(URI.create("s3://bucket/path"));
        assertReason(SettingType.uri(), "relative/dir", "expected a URI with a scheme, e.g. "
                + "file:///var/lib/salespulse/checkpoints or s3://bucket/path");
        assertReason(SettingType.uri(), "file:// bad", "expected a URI with a scheme, e.g. "
                + "file:///var/lib/salespulse/checkpoints or s3://bucket/path");
        assertThat(SettingType.httpUrl().parse("https://qyapi.weixin.qq.com/x")).hasHost("qyapi.weixin.qq.com");
        assertReason(SettingType.httpUrl(), "ftp://host/x", "expected an http(s) URL");
        assertReason(SettingType.httpUrl(), "http:///nohost", "expected an http(s) URL");
        assertThat(SettingType.path().parse("deploy/x.yaml")).isEqualTo(Path.of("deploy/x.yaml"));
        assertReason(SettingType.path(), "", "must not be empty");
        assertThat(SettingType.optionalPath().parse("")).isNull();
        assertReason(SettingType.path(), "a\0b", "not a file path: Nul character not allowed");
    }

    private static void assertReason(SettingType<?> type, String text, String reason) {
        assertThatThrownBy(() -> type.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(reason);
    }
}

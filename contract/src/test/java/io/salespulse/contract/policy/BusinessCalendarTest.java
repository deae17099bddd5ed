package io.salespulse.contract.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * Due times on a working-hours clock, computed by hand. 2026-03-06 is a Friday; office hours are
 * Mon-Fri 09:00-18:00 (9 working hours a day) in Asia/Shanghai unless said otherwise.
 */
class BusinessCalendarTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final Instant FRIDAY_17 = at("2026-03-06T17:00:00+08:00");

    @Test
    void fridayFivePmPlus48WorkingHoursAcrossTheWeekend() {
        // Fri 17-18 = 1 h (47 left); Mon-Thu 9 h each = 36 (11 left); Fri 13th 9 h (2 left); Mon 16th 09:00 + 2 h.
        assertThat(calendar("").addWorkingTime(FRIDAY_17, Duration.ofHours(48)))
                .isEqualTo(at("2026-03-16T11:00:00+08:00"));
    }

    @Test
    void aHolidayPushesTheDueTimeOneWorkingDay() {
        // Wednesday 11th off: the 2 h left move from Monday 16th to Tuesday 17th.
        assertThat(calendar("\"holidays\":[\"2026-03-11\"]").addWorkingTime(FRIDAY_17, Duration.ofHours(48)))
                .isEqualTo(at("2026-03-17T11:00:00+08:00"));
    }

    @Test
    void anAdjustedWorkingSaturdayCountsLikeAWeekday() {
        // 调休: Wednesday 11th off, Saturday 14th worked with Monday's hours. The Saturday makes up for the
        // holiday: Fri 1 h, Mon 9, Tue 9, Thu 9, Fri 9, Sat 9 = 46 h; Monday 16th 09:00 + 2 h.
        BusinessCalendar c = calendar("\"holidays\":[\"2026-03-11\"],\"working_days\":[\"2026-03-14\"]");
        assertThat(c.addWorkingTime(FRIDAY_17, Duration.ofHours(48))).isEqualTo(at("2026-03-16T11:00:00+08:00"));
        // 45 h: 37 h by Friday 18:00, 8 h left: Saturday 09:00 + 8 h = 17:00 on the worked Saturday.
        assertThat(c.addWorkingTime(FRIDAY_17, Duration.ofHours(45))).isEqualTo(at("2026-03-14T17:00:00+08:00"));
    }

    @Test
    void theTenantsTimeZoneDecidesWhatWorkingHoursMean() {
        // Fri 17:00 Shanghai = Fri 10:00 in Berlin (CET, +01:00): 8 h that Friday (40 left), Mon-Thu 36 (4 left),
        // Fri 13th 09:00 + 4 h = 13:00 Berlin = 12:00Z.
        BusinessCalendar berlin = calendar("\"time_zone\":\"Europe/Berlin\"");
        assertThat(berlin.addWorkingTime(FRIDAY_17, Duration.ofHours(48))).isEqualTo(Instant.parse("2026-03-13T12:00:00Z"));
    }

    @Test
    void aClockThatRunsOutAtClosingTimeFallsDueAtTheNextOpeningNotAtNight() {
        assertThat(calendar("").addWorkingTime(FRIDAY_17, Duration.ofHours(1)))
                .isEqualTo(at("2026-03-09T09:00:00+08:00"));
        // A card at 23:00 starts counting at the next opening.
        assertThat(calendar("").addWorkingTime(at("2026-03-10T23:00:00+08:00"), Duration.ofHours(2)))
                .isEqualTo(at("2026-03-11T11:00:00+08:00"));
    }

    @Test
    void splitWorkingDaysSkipTheLunchBreak() {
        BusinessCalendar c = calendar("\"working_hours\":{\"mon\":\"09:00-12:00,13:00-18:00\"}");
        // Monday 11:00 + 2 h: 11-12 (1 h), lunch, 13:00 + 1 h.
        assertThat(c.addWorkingTime(at("2026-03-09T11:00:00+08:00"), Duration.ofHours(2)))
                .isEqualTo(at("2026-03-09T14:00:00+08:00"));
        // Only Mondays work: 8 h a week. Monday 09:00 + 10 h = next Monday 09:00 + 2 h.
        assertThat(c.addWorkingTime(at("2026-03-09T09:00:00+08:00"), Duration.ofHours(10)))
                .isEqualTo(at("2026-03-16T11:00:00+08:00"));
    }

    @Test
    void dueTimesAlwaysLieInsideWorkingTime() {
        BusinessCalendar c = calendar("\"holidays\":[\"2026-03-11\"]");
        for (int h = 1; h <= 60; h++) {
            for (int startHour = 0; startHour < 24; startHour += 5) {
                Instant start = at("2026-03-06T00:00:00+08:00").plus(Duration.ofHours(startHour));
                assertThat(c.isWorkingTime(c.addWorkingTime(start, Duration.ofHours(h)))).isTrue();
            }
        }
    }

    @Test
    void aCalendarWithoutWorkingHoursIsRejected() {
        assertThatThrownBy(() -> parse("\"working_hours\":{\"mon\":null}"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("no working hours");
        assertThatThrownBy(() -> parse("\"holidays\":[\"2026-03-14\"],\"working_days\":[\"2026-03-14\"]"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("2026-03-14");
    }

    static BusinessCalendar calendar(String fields) {
        try {
            return parse(fields);
        } catch (InvalidEventException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    private static BusinessCalendar parse(String fields) throws InvalidEventException {
        String doc = "{\"version\":1,\"updated_at\":\"2026-03-01T09:00:00+08:00\",\"updated_by\":\"u-chen\","
                + "\"calendar\":{" + fields + "}}";
        return new PolicyParser(Duration.ofDays(30), SHANGHAI).parse("weijiang", doc.getBytes(StandardCharsets.UTF_8))
                .calendar();
    }

    private static Instant at(String iso) {
        return OffsetDateTime.parse(iso).toInstant();
    }
}

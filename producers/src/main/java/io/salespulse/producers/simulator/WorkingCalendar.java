package io.salespulse.producers.simulator;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.SplittableRandom;

/**
 * When field sales people work, in Asia/Shanghai: 09:00-18:30 Monday to Friday, fewer on Saturday,
 * rarely on Sunday, and a few cards filled in during the evening.
 */
final class WorkingCalendar {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final LocalTime DAY_START = LocalTime.of(9, 0);
    private static final LocalTime DAY_END = LocalTime.of(18, 30);
    private static final LocalTime EVENING_END = LocalTime.of(21, 30);
    private static final int MAX_TRIES = 400;

    private WorkingCalendar() {}

    /** How likely field work happens at {@code t}, 0..1. */
    static double activity(Instant t) {
        ZonedDateTime local = t.atZone(ZONE);
        LocalTime time = local.toLocalTime();
        DayOfWeek day = local.getDayOfWeek();
        boolean dayTime = !time.isBefore(DAY_START) && time.isBefore(DAY_END);
        boolean evening = !time.isBefore(DAY_END) && time.isBefore(EVENING_END);
        double dayWeight = day == DayOfWeek.SUNDAY ? 0.04 : day == DayOfWeek.SATURDAY ? 0.4 : 1.0;
        if (dayTime) {
            return dayWeight;
        }
        return evening ? 0.02 * dayWeight : 0.0;
    }

    /** Monday to Friday, 09:00-18:30 local: what the realism checks call a working-hour event. */
    static boolean isWeekdayWorkingHours(Instant t) {
        ZonedDateTime local = t.atZone(ZONE);
        LocalTime time = local.toLocalTime();
        DayOfWeek day = local.getDayOfWeek();
        return day != DayOfWeek.SATURDAY && day != DayOfWeek.SUNDAY && !time.isBefore(DAY_START)
                && time.isBefore(DAY_END);
    }

    /**
     * A whole-second instant in {@code [from, to]} weighted by {@link #activity}. Falls back to a plain
     * uniform instant when the range has (almost) no working time, so the result is always in range.
     */
    static Instant sample(Instant from, Instant to, SplittableRandom rnd) {
        long a = ceilSeconds(from);
        long b = to.getEpochSecond();
        if (b <= a) {
            return Instant.ofEpochSecond(a);
        }
        for (int i = 0; i < MAX_TRIES; i++) {
            Instant t = Instant.ofEpochSecond(a + rnd.nextLong(b - a + 1));
            if (rnd.nextDouble() < activity(t)) {
                return t;
            }
        }
        return Instant.ofEpochSecond(a + rnd.nextLong(b - a + 1));
    }

    private static long ceilSeconds(Instant t) {
        return t.getNano() == 0 ? t.getEpochSecond() : t.getEpochSecond() + 1;
    }
}

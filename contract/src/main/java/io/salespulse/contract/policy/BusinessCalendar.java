package io.salespulse.contract.policy;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tenant's working time: working hours per weekday in the tenant's time zone, holidays (no work) and
 * adjusted working days (a weekend day worked like a normal Monday, e.g. China's 调休 days).
 *
 * <p>An SLA on this calendar counts working time only: {@link #addWorkingTime} returns the instant at
 * which {@code sla} of working time has passed since {@code start}, counting from the next working
 * start when {@code start} lies outside working time. Working periods are half-open {@code [open, close)},
 * and a due time is always inside one: an SLA used up exactly at a closing time falls due at the next
 * working start. So an overdue alert of a working-hours tenant never fires at night; the alerts of the
 * customers whose clocks ran out at closing time fire together at the next opening.
 */
public final class BusinessCalendar implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Looking further than this for working time means the calendar has none (validated against). */
    private static final int MAX_DAYS_AHEAD = 3_660;

    /** A working period within one day. */
    public record Period(LocalTime open, LocalTime close) implements Serializable {
        public Period {
            if (!close.isAfter(open)) {
                throw new IllegalArgumentException("period " + open + "-" + close + " must end after it starts");
            }
        }

        @Override
        public String toString() {
            return open + "-" + close;
        }
    }

    private final ZoneId zone;
    private final EnumMap<DayOfWeek, List<Period>> week;
    private final TreeSet<LocalDate> holidays;
    private final TreeSet<LocalDate> workingDays;

    public BusinessCalendar(ZoneId zone, Map<DayOfWeek, List<Period>> week, Set<LocalDate> holidays,
            Set<LocalDate> workingDays) {
        this.zone = zone;
        this.week = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) {
            List<Period> periods = new ArrayList<>(week.getOrDefault(d, List.of()));
            periods.sort((a, b) -> a.open().compareTo(b.open()));
            for (int i = 1; i < periods.size(); i++) {
                if (periods.get(i).open().isBefore(periods.get(i - 1).close())) {
                    throw new IllegalArgumentException("working hours of " + d + " overlap: " + periods);
                }
            }
            this.week.put(d, Collections.unmodifiableList(periods));
        }
        this.holidays = new TreeSet<>(holidays);
        this.workingDays = new TreeSet<>(workingDays);
        for (LocalDate d : this.holidays) {
            if (this.workingDays.contains(d)) {
                throw new IllegalArgumentException(d + " is listed both as a holiday and as a working day");
            }
        }
        if (this.week.values().stream().allMatch(List::isEmpty)
                && (this.workingDays.isEmpty() || this.week.get(DayOfWeek.MONDAY).isEmpty())) {
            throw new IllegalArgumentException("the calendar has no working hours at all");
        }
    }

    /** Monday to Friday 09:00-18:00 in {@code zone}, no holidays. */
    public static BusinessCalendar officeHours(ZoneId zone) {
        EnumMap<DayOfWeek, List<Period>> week = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek d : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY,
                DayOfWeek.FRIDAY)) {
            week.put(d, List.of(new Period(LocalTime.of(9, 0), LocalTime.of(18, 0))));
        }
        return new BusinessCalendar(zone, week, Set.of(), Set.of());
    }

    public ZoneId zone() {
        return zone;
    }

    public Map<DayOfWeek, List<Period>> week() {
        return Collections.unmodifiableMap(week);
    }

    public Set<LocalDate> holidays() {
        return Collections.unmodifiableSet(holidays);
    }

    public Set<LocalDate> workingDays() {
        return Collections.unmodifiableSet(workingDays);
    }

    /** The working periods of one local date: none on a holiday, Monday's on an adjusted working day. */
    public List<Period> periodsOn(LocalDate date) {
        if (holidays.contains(date)) {
            return List.of();
        }
        if (workingDays.contains(date)) {
            return week.get(DayOfWeek.MONDAY);
        }
        return week.get(date.getDayOfWeek());
    }

    /** The instant at which {@code sla} of working time has passed since {@code start} (see the class comment). */
    public Instant addWorkingTime(Instant start, Duration sla) {
        long remaining = sla.toMillis();
        LocalDate day = start.atZone(zone).toLocalDate();
        for (int i = 0; i <= MAX_DAYS_AHEAD; i++, day = day.plusDays(1)) {
            for (Period p : periodsOn(day)) {
                Instant open = day.atTime(p.open()).atZone(zone).toInstant();
                Instant close = day.atTime(p.close()).atZone(zone).toInstant();
                Instant from = open.isAfter(start) ? open : start;
                if (!from.isBefore(close)) {
                    continue;
                }
                long available = close.toEpochMilli() - from.toEpochMilli();
                if (remaining < available) {
                    return from.plusMillis(remaining);
                }
                remaining -= available;
            }
        }
        throw new IllegalStateException("no working time within " + MAX_DAYS_AHEAD + " days after " + start);
    }

    /** Whether {@code t} lies inside a working period. */
    public boolean isWorkingTime(Instant t) {
        var local = t.atZone(zone);
        LocalTime time = local.toLocalTime();
        for (Period p : periodsOn(local.toLocalDate())) {
            if (!time.isBefore(p.open()) && time.isBefore(p.close())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BusinessCalendar)) return false;
        BusinessCalendar c = (BusinessCalendar) o;
        return zone.equals(c.zone) && week.equals(c.week) && holidays.equals(c.holidays)
                && workingDays.equals(c.workingDays);
    }

    @Override
    public int hashCode() {
        return zone.hashCode() * 31 + week.hashCode();
    }
}

package dev.tokenstats.stats;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;

/**
 * The calendar units buckets are made of, in a time zone. A bucket is identified by the instant it starts:
 * <ul>
 *   <li>minute, hour: {@link ZonedDateTime#truncatedTo} of the instant in the zone (so a repeated hour when
 *   clocks fall back is its own bucket: 25 hours that day; a skipped one is absent: 23 hours; a 30-minute
 *   shift such as Australia/Lord_Howe's makes one hour bucket 90 or 30 minutes long);</li>
 *   <li>day, week (ISO, starting Monday), month: the first instant of the local date, as
 *   {@link LocalDate#atStartOfDay(ZoneId)} resolves it.</li>
 * </ul>
 */
enum Granularity {
    minute, hour, day, week, month;

    /** The start of the bucket containing {@code t}. */
    Instant startOf(Instant t, ZoneId zone) {
        return switch (this) {
            case minute -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 60) * 60);
            case hour -> ZonedDateTime.ofInstant(t, zone).truncatedTo(ChronoUnit.HOURS).toInstant();
            case day, week, month -> {
                LocalDate d = align(ZonedDateTime.ofInstant(t, zone).toLocalDate());
                // Where the local date runs backwards across midnight, the date of t and its bucket may differ.
                while (startOfDate(d, zone).isAfter(t)) {
                    d = step(d, -1);
                }
                while (!startOfDate(step(d, 1), zone).isAfter(t)) {
                    d = step(d, 1);
                }
                yield startOfDate(d, zone);
            }
        };
    }

    /** The start of the bucket after the one starting at {@code start}. */
    Instant next(Instant start, ZoneId zone) {
        return switch (this) {
            case minute -> start.plusSeconds(60);
            case hour -> {
                // One hour on the time line, then back to the earliest bucket start after start (a bucket
                // is 30 to 90 minutes long where a zone shifts by half an hour).
                Instant probe = start.plus(Duration.ofHours(1));
                Instant k = startOf(probe, zone);
                while (!k.isAfter(start)) {
                    probe = probe.plus(Duration.ofHours(1));
                    k = startOf(probe, zone);
                }
                Instant earlier;
                while ((earlier = startOf(k.minusSeconds(60), zone)).isAfter(start)) {
                    k = earlier;
                }
                yield k;
            }
            case day, week, month -> {
                LocalDate d = align(ZonedDateTime.ofInstant(start, zone).toLocalDate());
                Instant n = startOfDate(step(d, 1), zone);
                while (!n.isAfter(start)) {
                    d = step(d, 1);
                    n = startOfDate(step(d, 1), zone);
                }
                yield n;
            }
        };
    }

    private LocalDate align(LocalDate d) {
        return switch (this) {
            case week -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case month -> d.withDayOfMonth(1);
            default -> d;
        };
    }

    private LocalDate step(LocalDate d, int n) {
        return switch (this) {
            case week -> d.plusWeeks(n);
            case month -> d.plusMonths(n);
            default -> d.plusDays(n);
        };
    }

    private static Instant startOfDate(LocalDate d, ZoneId zone) {
        return d.atStartOfDay(zone).toInstant();
    }

    /** The granularity {@code auto} picks for a period of this many minutes. */
    static Granularity auto(long minutes) {
        if (minutes <= 6 * 60) {
            return minute;
        }
        if (minutes <= 7 * 1440) {
            return hour;
        }
        if (minutes <= 120 * 1440) {
            return day;
        }
        if (minutes <= 731 * 1440) {
            return week;
        }
        return month;
    }
}

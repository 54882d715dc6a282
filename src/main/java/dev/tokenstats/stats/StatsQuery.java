package dev.tokenstats.stats;

import dev.tokenstats.store.SeriesFilter;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One validated stats request: the account, the effective period [from, to) in whole minutes, the zone,
 * the buckets and the filter. {@link #parse} turns the raw request parameters into one, or throws
 * {@link IllegalArgumentException} with a message that says what to send instead.
 */
record StatsQuery(String account, Instant from, Instant to, ZoneId zone, Buckets buckets, SeriesFilter filter,
                  Instant now) {

    static final Duration DEFAULT_PERIOD = Duration.ofDays(7);
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

    Granularity granularity() {
        return buckets.granularity();
    }

    long fromMinute() {
        return from.getEpochSecond() / 60;
    }

    long toMinute() {
        return to.getEpochSecond() / 60;
    }

    /**
     * @param account     the account to read (already decided by the caller)
     * @param from        RFC 3339 instant or null (default: {@code to} - 7 days)
     * @param to          RFC 3339 instant or null (default: now)
     * @param tz          IANA zone id or null (UTC)
     * @param granularity minute|hour|day|week|month|auto or null (auto)
     * @param models      model names to keep, or null/empty for all
     * @param keys        API keys to keep, or null/empty for all
     * @param statuses    success and/or error, or null/empty for both
     * @param now         the current time
     */
    static StatsQuery parse(String account, String from, String to, String tz, String granularity,
                            List<String> models, List<String> keys, List<String> statuses, Instant now) {
        ZoneId zone = zone(tz);
        Instant end = isBlank(to) ? ceilMinute(now) : ceilMinute(instant("to", to));
        Instant start = isBlank(from) ? end.minus(DEFAULT_PERIOD) : floorMinute(instant("from", from));
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("to must be later than from (the period is [from, to)); got from="
                    + format(start, zone) + " to=" + format(end, zone));
        }
        if (start.isBefore(EARLIEST) || end.isAfter(LATEST)) {
            throw new IllegalArgumentException("from and to must lie between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z");
        }
        Buckets buckets = buckets(granularity, zone, start, end);
        SeriesFilter filter = new SeriesFilter(account, names(models), names(keys), errors(statuses));
        return new StatsQuery(account, start, end, zone, buckets, filter, now);
    }

    private static ZoneId zone(String tz) {
        if (isBlank(tz)) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(tz.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown tz '" + tz + "': use an IANA zone id such as Europe/Berlin,"
                    + " America/New_York, Asia/Kolkata or UTC");
        }
    }

    private static Instant instant(String name, String value) {
        // An unencoded '+' of an offset arrives as a space; take it back.
        String v = value.strip().replace(' ', '+');
        try {
            return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " '" + value + "' is not an RFC 3339 instant: send it with"
                    + " date, time and offset, such as 2026-03-01T00:00:00Z or 2026-03-01T00:00:00+05:30"
                    + " (URL-encode + as %2B)");
        }
    }

    private static Buckets buckets(String requested, ZoneId zone, Instant from, Instant to) {
        long minutes = Duration.between(from, to).toMinutes();
        Granularity g;
        if (isBlank(requested) || requested.strip().equalsIgnoreCase("auto")) {
            g = Granularity.auto(minutes);
        } else {
            try {
                g = Granularity.valueOf(requested.strip().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown granularity '" + requested
                        + "': use minute, hour, day, week, month or auto");
            }
        }
        Buckets b = Buckets.of(g, zone, from, to, Buckets.MAX);
        if (b != null) {
            return b;
        }
        for (Granularity coarser : Granularity.values()) {
            if (coarser.ordinal() > g.ordinal() && Buckets.of(coarser, zone, from, to, Buckets.MAX) != null) {
                throw new IllegalArgumentException("the period has more than " + Buckets.MAX + " " + g
                        + " buckets: use granularity=" + coarser + " or coarser, or a shorter period");
            }
        }
        throw new IllegalArgumentException("the period has more than " + Buckets.MAX + " " + g
                + " buckets, and more than " + Buckets.MAX + " months: ask for a shorter period");
    }

    /** The values to keep; empty values are ignored, none means all. */
    private static Set<String> names(List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        if (values != null) {
            for (String v : values) {
                if (v != null && !v.isEmpty()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** null for both statuses, true for errors only, false for successes only. */
    private static Boolean errors(List<String> statuses) {
        boolean success = false, error = false;
        if (statuses != null) {
            for (String s : statuses) {
                String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
                if (v.isEmpty()) {
                    continue;
                }
                switch (v) {
                    case "success" -> success = true;
                    case "error" -> error = true;
                    default -> throw new IllegalArgumentException("unknown status '" + s
                            + "': use status=success or status=error (both, or none, for all)");
                }
            }
        }
        return success == error ? null : error;
    }

    static Instant floorMinute(Instant t) {
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 60) * 60);
    }

    static Instant ceilMinute(Instant t) {
        Instant f = floorMinute(t);
        return f.equals(t) ? f : f.plusSeconds(60);
    }

    /**
     * RFC 3339 with the zone's offset at that instant, as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes
     * it ("Z" for a zero offset). An answer holds one per bucket boundary (1,441 for a day by minute), so whole
     * seconds in years 1000–9999 with whole-minute offsets are written digit by digit; the rest by the formatter.
     */
    static String format(Instant t, ZoneId zone) {
        int offset = zone.getRules().getOffset(t).getTotalSeconds();
        long local = t.getEpochSecond() + offset;
        java.time.LocalDate day = java.time.LocalDate.ofEpochDay(Math.floorDiv(local, 86_400));
        if (t.getNano() != 0 || offset % 60 != 0 || day.getYear() < 1000 || day.getYear() > 9999) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atZone(zone).toOffsetDateTime());
        }
        int second = (int) Math.floorMod(local, 86_400);
        byte[] b = new byte[offset == 0 ? 20 : 25];
        digits(b, 0, day.getYear(), 4);
        b[4] = '-';
        digits(b, 5, day.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, day.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, second / 3600, 2);
        b[13] = ':';
        digits(b, 14, second / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, second % 60, 2);
        if (offset == 0) {
            b[19] = 'Z';
        } else {
            int abs = Math.abs(offset) / 60;
            b[19] = (byte) (offset < 0 ? '-' : '+');
            digits(b, 20, abs / 60, 2);
            b[22] = ':';
            digits(b, 23, abs % 60, 2);
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}

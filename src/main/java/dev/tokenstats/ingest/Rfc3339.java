package dev.tokenstats.ingest;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Event times sent as RFC 3339 text, read to epoch milliseconds. Gateways send one shape almost always
 * ({@code 2026-11-28T09:30:00.123Z} or with a {@code +05:30} offset); that shape is read by hand here.
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} took a quarter of the request threads' samples in a JFR
 * profile of ingestion. Anything else (lowercase letters, no seconds, offsets with seconds, five-digit
 * years, out-of-range fields) goes to that formatter, so both accept and reject exactly the same texts.
 */
final class Rfc3339 {

    private Rfc3339() {
    }

    /** The epoch milliseconds of {@code text} (fractions below a millisecond are cut), or null when it is no valid time. */
    static Long toEpochMillis(String text) {
        long fast = common(text);
        if (fast != NOT_COMMON) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    static final long NOT_COMMON = Long.MIN_VALUE;

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)} with every field in range, or {@link #NOT_COMMON}:
     * then the formatter decides.
     */
    static long common(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return NOT_COMMON;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return NOT_COMMON;
        }
        int i = 19;
        long nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 10 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return NOT_COMMON;
            }
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
            if ((oh | om) < 0 || oh > 17 || om > 59) {
                return NOT_COMMON;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return NOT_COMMON;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return NOT_COMMON; // 2026-02-30 and the like: the formatter names them invalid
        }
        long epochSecond = epochDay * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1_000 + nanos / 1_000_000;
    }

    /** The {@code count} decimal digits at {@code from}, or -1 when one of them is no digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}

package dev.tokenstats.store.postgres;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many rollup rows of one series fall into one bucket decides where a period's sums are added up: in
 * PostgreSQL (GROUP BY) when many rows make one bucket, in the store when about one row is one bucket. The
 * sums themselves are checked against raw events on the real server in {@code UsageStoreContractTest}.
 */
class PostgresReadShapeTest {

    static final long MIDNIGHT = Instant.parse("2026-11-29T00:00:00Z").getEpochSecond() / 60;

    /** Buckets of {@code width} minutes over {@code days} from a midnight of the zone, the first shortened. */
    static long[] boundaries(String zone, int days, int width, int shortened) {
        ZonedDateTime start = Instant.ofEpochSecond(MIDNIGHT * 60).atZone(ZoneId.of(zone)).toLocalDate()
                .atStartOfDay(ZoneId.of(zone));
        long[] boundaries = new long[days * 1440 / width + 1];
        for (int i = 0; i < boundaries.length; i++) {
            boundaries[i] = start.toEpochSecond() / 60 + (long) i * width;
        }
        boundaries[0] += shortened;
        return boundaries;
    }

    /** Where {@code sql} reads {@code table} over a range of minutes: groups 1 and 2 are its ends. */
    static java.util.regex.Matcher rangeOf(String sql, String table) {
        java.util.regex.Matcher range = java.util.regex.Pattern
                .compile("FROM " + table + " WHERE series = s.id AND minute >= (\\d+) AND minute < (\\d+)").matcher(sql);
        assertThat(range.find()).as(sql).isTrue();
        return range;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // view,                         zone,          days, bucket minutes, key/status filter, rows per bucket
            "30 days by hour,                UTC,           30,   60,   false, 1",
            "30 days by hour (India),        Asia/Kolkata,  30,   60,   false, 4",
            "30 days by hour (key filter),   UTC,           30,   60,   true,  4",
            "90 days by day,                 UTC,           90,   1440, false, 24",
            "24 h by minute,                 UTC,           1,    1,    false, 1",
            "7 days by quarter (Nepal),      Asia/Kathmandu, 7,   15,   false, 1",
    })
    void rowsPerBucketFollowTheTierThatAnswersTheMiddle(String view, String zone, int days, int width, boolean full,
                                                        double expected) {
        long[] boundaries = boundaries(zone, days, width, 0);
        int[] tiers = full ? new int[] {15, 1} : new int[] {60, 15, 1};
        assertThat(PostgresUsageStore.rowsPerBucket(boundaries, tiers)).as(view).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // view,                       zone,           days, bucket minutes, first bucket shortened by, hours cut
            "90 days by day (India),       Asia/Kolkata,   90,   1440, 0,   89",
            "90 days by day (Nepal),       Asia/Kathmandu, 90,   1440, 0,   89",
            "7 days by day (India; ragged start), Asia/Kolkata, 7,    1440, 100, 6",
            "90 days by day (UTC),         UTC,            90,   1440, 0,   -1",
            "30 days by hour (India),      Asia/Kolkata,   30,   60,   0,   -1",
    })
    void longBucketsCutWithinHoursReadQuartersOnlyForTheHoursTheyCut(String view, String zone, int days, int width,
                                                                     int shortened, int cut) {
        long[] boundaries = boundaries(zone, days, width, shortened);
        String sql = PostgresUsageStore.hoursBetweenUnalignedBoundaries(boundaries, 60, 15, 1);
        if (cut < 0) {
            assertThat(sql).as(view).isNull();
            return;
        }
        java.util.regex.Matcher hours = java.util.regex.Pattern.compile("<> ALL \\('\\{([0-9,]+)}'").matcher(sql);
        java.util.regex.Matcher quarters = java.util.regex.Pattern.compile("= ANY \\('\\{([0-9,]+)}'").matcher(sql);
        assertThat(hours.find() && quarters.find()).as(sql).isTrue();
        assertThat(hours.group(1).split(",")).as(view).hasSize(cut);
        assertThat(quarters.group(1).split(",")).as(view).hasSize(4 * cut);
        assertThat(sql).as(view).contains("FROM rollup_1h WHERE series = s.id AND minute >= ").contains("FROM rollup_15m WHERE series = s.id AND minute = ANY");
    }
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // view,                        zone,             days, bucket minutes, first bucket shortened by, key/status filter, six-hour rows (-1: not read from them), blocks cut, ends from finer tiers
            "90 days by day (UTC),          UTC,              90,   1440,  0,   false, 360, 0,  false",
            "90 days by day (New York),     America/New_York, 90,   1440,  0,   false, 359, 89, true",
            "90 days by day (UTC; ragged start), UTC,         90,   1440,  100, false, 359, 0,  true",
            "12 weeks by week (New York),   America/New_York, 84,   10080, 0,   false, 335, 11, true",
            "30 days by 12 hours (UTC),     UTC,              30,   720,   0,   false, 120, 0,  false",
            "one bucket of 30 days from 03:00 UTC, UTC,       30,   43200, 180, false, 119, 0,  true",
            "30 days by hour (UTC),         UTC,              30,   60,    0,   false, -1,  0,  false",
            "90 days by day (India),        Asia/Kolkata,     90,   1440,  0,   false, -1,  0,  false",
            "90 days by day (UTC; key filter), UTC,           90,   1440,  0,   true,  -1,  0,  false",
    })
    void longBucketsOnWholeHoursReadSixHourBlocksAndOnlyTheHoursOfTheBlocksTheyCut(String view, String zone, int days, int width,
                                                                                  int shortened, boolean full, int rows, int cut, boolean ends) {
        long[] boundaries = boundaries(zone, days, width, shortened);
        String sql = PostgresUsageStore.sixHourBlocks(boundaries, full ? new int[] {15, 1} : new int[] {60, 15, 1});
        if (rows < 0) {
            assertThat(sql).as(view).isNull();
            return;
        }
        java.util.regex.Matcher range = rangeOf(sql, "rollup_6h");
        long a = Long.parseLong(range.group(1)), b = Long.parseLong(range.group(2));
        assertThat(Math.floorMod(a, 360)).as(view).isZero();
        assertThat((b - a) / 360).as(view).isEqualTo(rows);
        java.util.regex.Matcher blocks = java.util.regex.Pattern.compile("<> ALL \\('\\{([0-9,]+)}'").matcher(sql);
        java.util.regex.Matcher hours = java.util.regex.Pattern.compile("FROM rollup_1h WHERE series = s.id AND minute = ANY \\('\\{([0-9,]+)}'").matcher(sql);
        if (cut == 0) {
            assertThat(blocks.find() || hours.find()).as(sql).isFalse();
        } else {
            assertThat(blocks.find() && hours.find()).as(sql).isTrue();
            assertThat(blocks.group(1).split(",")).as(view).hasSize(cut);
            assertThat(hours.group(1).split(",")).as(view).hasSize(6 * cut);
        }
        assertThat(sql.substring(range.end()).contains("minute >= ")).as(view + ": " + sql).isEqualTo(ends);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // view,                       zone,           days, bucket minutes, first bucket shortened by, key/status filter, hours read (-1: none), from (minute of the hour), ends from finer tiers
            "30 days by hour (India),      Asia/Kolkata,   30,   60,   0,   false, 720,  30, false",
            "90 days by day (India),       Asia/Kolkata,   90,   1440, 0,   false, 2160, 30, false",
            "7 days by day (India; ragged start), Asia/Kolkata, 7, 1440, 100, false, 166, 30, true",
            "30 days by hour (India; from a whole UTC hour), Asia/Kolkata, 30, 60, 30, false, 719, 30, true",
            "30 days by hour (Iran),       Asia/Tehran,    30,   60,   0,   false, 720,  30, false",
            "30 days by hour (Nepal),      Asia/Kathmandu, 30,   60,   0,   false, 720,  15, false",
            "90 days by day (Nepal),       Asia/Kathmandu, 90,   1440, 0,   false, 2160, 15, false",
            "30 days by hour (Nepal; from a whole UTC hour), Asia/Kathmandu, 30, 60, 15, false, 719, 15, true",
            "30 days by hour (Chatham Islands), Pacific/Chatham, 30, 60, 0, false, 720, 15, false",
            "30 days by hour (India; key filter), Asia/Kolkata, 30, 60, 0, true,  -1,   0,  false",
            "24 h by minute (India),       Asia/Kolkata,   1,    1,    0,   false, -1,   0,  false",
            "7 days by quarter (Nepal),    Asia/Kathmandu, 7,    15,   0,   false, -1,   0,  false",
            "30 days by hour (UTC),        UTC,            30,   60,   0,   false, -1,   0,  false",
    })
    void bucketsAtHalfOrAQuarterPastReadTheHoursFromThere(String view, String zone, int days, int width, int shortened,
                                                          boolean full, int rows, int minute, boolean ends) {
        long[] boundaries = boundaries(zone, days, width, shortened);
        String sql = PostgresUsageStore.offsetHours(boundaries, full ? new int[] {15, 1} : new int[] {60, 15, 1});
        if (rows < 0) {
            assertThat(sql).as(view).isNull();
            return;
        }
        java.util.regex.Matcher range = rangeOf(sql, minute == 30 ? "rollup_1h30" : "rollup_1h15");
        long a = Long.parseLong(range.group(1)), b = Long.parseLong(range.group(2));
        assertThat(Math.floorMod(a, 60)).as(view).isEqualTo(minute);
        assertThat((b - a) / 60).as(view).isEqualTo(rows);
        assertThat(sql.contains("UNION ALL")).as(view + ": " + sql).isEqualTo(ends);
    }
}

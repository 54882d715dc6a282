package dev.tokenstats.store.duckdb;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket index expression, evaluated by DuckDB for every minute of a period. */
class RollupSqlTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("one bucket", new long[] {29_000_000, 29_000_777}),
                Arguments.of("minutes", step(29_000_003, 90, 1)),
                Arguments.of("hours", step(29_000_040, 48, 60)),
                Arguments.of("New York days across spring forward", calendar("America/New_York", "2026-03-01T00:00:00Z", ChronoUnit.DAYS, 20)),
                Arguments.of("New York days across fall back", calendar("America/New_York", "2026-10-25T00:00:00Z", ChronoUnit.DAYS, 20)),
                Arguments.of("Lord Howe days (30-minute DST)", calendar("Australia/Lord_Howe", "2026-03-25T00:00:00Z", ChronoUnit.DAYS, 20)),
                Arguments.of("Lord Howe hours across its change", calendar("Australia/Lord_Howe", "2026-04-04T10:00:00Z", ChronoUnit.HOURS, 30)),
                Arguments.of("Kathmandu weeks", calendar("Asia/Kathmandu", "2026-01-05T00:00:00Z", ChronoUnit.WEEKS, 30)),
                Arguments.of("Kolkata months over two years", calendar("Asia/Kolkata", "2025-01-01T00:00:00Z", ChronoUnit.MONTHS, 24)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void everyMinuteFallsIntoTheBucketItsBoundariesSay(String name, long[] b) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + RollupSql.bucket(b) + " AS idx, min(minute), max(minute), count(*)"
                     + " FROM (SELECT unnest(range(" + b[0] + ", " + b[b.length - 1] + ")) AS minute) GROUP BY 1 ORDER BY 1")) {
            List<long[]> got = new ArrayList<>();
            while (rs.next()) {
                got.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
            }
            List<long[]> want = new ArrayList<>();
            for (int i = 0; i < b.length - 1; i++) {
                want.add(new long[] {i, b[i], b[i + 1] - 1, b[i + 1] - b[i]});
            }
            assertThat(got).as(RollupSql.bucket(b)).containsExactlyElementsOf(want);
        }
    }

    static long[] step(long from, int n, long width) {
        long[] b = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            b[i] = from + i * width;
        }
        return b;
    }

    static long[] calendar(String zone, String from, ChronoUnit unit, int n) {
        ZonedDateTime start = Instant.parse(from).atZone(ZoneId.of(zone));
        start = switch (unit) {
            case HOURS -> start.truncatedTo(ChronoUnit.HOURS);
            case WEEKS -> start.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHS -> start.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
            default -> start.truncatedTo(ChronoUnit.DAYS);
        };
        long[] b = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            b[i] = start.plus(i, unit).toInstant().toEpochMilli() / 60_000;
        }
        return b;
    }
}

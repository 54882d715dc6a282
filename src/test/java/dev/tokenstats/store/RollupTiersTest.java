package dev.tokenstats.store;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static dev.tokenstats.store.StoreTestData.NOW;
import static dev.tokenstats.store.StoreTestData.NOW_MIN;
import static dev.tokenstats.store.StoreTestData.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's rollup tiers (minute, quarter hour, hour with its busiest minute), partitioned by
 * series kind and account shard: every sum and peak equals the raw events before a fold, after it, with
 * late events in folded hours, and after migrating a V4 file.
 */
class RollupTiersTest {

    @TempDir
    Path dir;

    static final List<String> ACCOUNTS = List.of("acct", "other-1", "other-2", "other-3", "other-4");

    static final List<SeriesFilter> FILTERS = List.of(
            SeriesFilter.all("acct"),
            new SeriesFilter("acct", Set.of("model-1"), Set.of(), null),
            new SeriesFilter("acct", Set.of("model-1", "model-3"), Set.of(), null),
            new SeriesFilter("acct", Set.of(), Set.of("key-0", ""), null),
            new SeriesFilter("acct", Set.of("model-2"), Set.of(), true));

    /** Three days of events over several accounts, a quarter of them in bursts that make clear busiest minutes. */
    static List<UsageEvent> events(Random r, int n) {
        List<UsageEvent> events = new ArrayList<>();
        long[] bursts = new long[8];
        for (int i = 0; i < bursts.length; i++) {
            bursts[i] = (NOW_MIN - 1 - r.nextInt(3 * 1440)) * 60_000;
        }
        for (int i = 0; i < n; i++) {
            String account = i % 3 == 0 ? ACCOUNTS.get(1 + r.nextInt(ACCOUNTS.size() - 1)) : "acct";
            long t = i % 4 == 0 ? bursts[r.nextInt(bursts.length)] + r.nextInt(60_000)
                    : NOW.toEpochMilli() - 1 - (long) r.nextInt(3 * 86_400) * 1000L;
            events.add(event(r, account, "e-" + i, t));
        }
        return events;
    }

    /** The events with their ids prefixed: as many more events, none a duplicate of the originals. */
    static List<UsageEvent> renamed(List<UsageEvent> events, String prefix) {
        return events.stream().map(e -> new UsageEvent(e.account(), prefix + e.id(), e.timeMillis(), e.model(), e.key(),
                e.promptTokens(), e.completionTokens(), e.cachedTokens(), e.quota(), e.creditNanos(), e.durationMs(),
                e.error(), e.stream(), e.group(), e.channel())).toList();
    }

    /** Periods that start and end on and off hour and quarter boundaries. */
    static List<long[]> periods() {
        long h = Math.floorDiv(NOW_MIN, 60) * 60;
        return List.of(new long[] {NOW_MIN - 3 * 1440 - 5, NOW_MIN + 1}, new long[] {h - 2000, h - 60},
                new long[] {NOW_MIN - 2000 + 7, NOW_MIN - 13}, new long[] {h - 300 + 5, h - 300 + 50},
                new long[] {h - 1440 + 15, h - 45}, new long[] {h - 61, h + 60});
    }

    static List<long[]> layouts() {
        return List.of(
                new long[] {NOW_MIN - 3 * 1440, NOW_MIN + 1},
                UsageStoreContractTest.minutes(NOW_MIN - 90, NOW_MIN - 17, 1),
                UsageStoreContractTest.minutes(NOW_MIN - 3 * 1440 + 7, NOW_MIN + 1, 60),
                UsageStoreContractTest.minutes(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440, NOW_MIN + 60, 60),
                UsageStoreContractTest.zoneDays("Asia/Kathmandu", NOW.minus(Duration.ofDays(4)), 5),
                UsageStoreContractTest.zoneDays("Asia/Kolkata", NOW.minus(Duration.ofDays(4)), 5),
                UsageStoreContractTest.zoneDays("America/New_York", Instant.parse("2026-11-01T00:00:00Z"), 20),
                UsageStoreContractTest.minutes(Math.floorDiv(NOW_MIN, 1440) * 1440 - 4 * 1440, NOW_MIN + 1440, 1440), // UTC days
                UsageStoreContractTest.minutes(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440 - 180, NOW_MIN + 1, 720), // halves of days from 03:00
                UsageStoreContractTest.minutes(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440 + 30, NOW_MIN + 1, 60), // Kolkata's hours
                UsageStoreContractTest.minutes(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440 + 15, NOW_MIN + 1, 60), // Kathmandu's hours
                kolkataHoursInUtcHours(Math.floorDiv(NOW_MIN, 60) * 60 - 3 * 1440, 3 * 24 + 1));
    }

    /** Hours of a zone at half past (+05:30) from and to whole UTC hours: the first and last bucket are half hours. */
    static long[] kolkataHoursInUtcHours(long fromHour, int hours) {
        long[] b = new long[hours + 2];
        b[0] = fromHour;
        for (int i = 1; i <= hours; i++) {
            b[i] = fromHour + 30 + 60L * (i - 1);
        }
        b[hours + 1] = fromHour + 60L * hours;
        return b;
    }

    @Test
    void sumsAndPeaksEqualTheRawEventsBeforeAndAfterFolding() {
        MutableClock clock = new MutableClock(NOW);
        List<UsageEvent> events = events(new Random(11), 6000);
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            db.store.append(events);
            assertEverySumAndPeak(db.store, events, "recent rows only");
            foldNow(db, clock);
            assertEverySumAndPeak(db.store, events, "after a fold");
        }
    }

    @Test
    void aLateEventRaisesTheBusiestMinuteOfAnAlreadyFoldedHour() {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(3);
        long hour = Math.floorDiv(NOW_MIN, 60) * 60 - 180;
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 4 per minute in the first ten minutes of the hour
            events.add(event(r, "acct", "a-" + i, (hour + i / 4) * 60_000 + i * 100));
        }
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            db.store.append(events);
            foldNow(db, clock);
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(4);

            List<UsageEvent> late = new ArrayList<>();
            for (int i = 0; i < 9; i++) { // minute 37 of the hour becomes its busiest
                late.add(event(r, "acct", "late-" + i, (hour + 37) * 60_000 + i * 1000));
            }
            db.store.append(late);
            events.addAll(late);
            assertEverySumAndPeak(db.store, events, "late rows pending");
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(9);
            foldNow(db, clock);
            assertEverySumAndPeak(db.store, events, "late rows folded");
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(9);
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour, hour + 30).requestsPerMinute())
                    .as("a period that ends before the late minute").isEqualTo(4);
        }
    }

    @Test
    void aVersion4FileMigratesWithEverySumAndPeakIntact() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        List<UsageEvent> events = events(new Random(17), 5000);
        Random r = new Random(19);
        List<UsageEvent> bulk = new ArrayList<>(); // more minute rows than a row group holds, in one account
        for (int i = 0; i < 150_000; i++) {
            bulk.add(event(r, "bulk", "b-" + i, (NOW_MIN - 150_000 + i) * 60_000 + r.nextInt(60_000)));
        }
        List<UsageEvent> all = new ArrayList<>(events);
        all.addAll(bulk);
        writeVersion4(all, NOW_MIN - 83); // not on a quarter: the open quarter holds folded and unfolded minutes
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            assertEverySumAndPeak(db.store, events, "migrated");
            assertBulk(db.store, bulk);
            List<UsageEvent> more = events(new Random(18), 2000).stream()
                    .map(e -> new UsageEvent(e.account().equals("acct") ? "acct" : "new-" + e.account(), "m-" + e.id(),
                            e.timeMillis(), e.model(), e.key(), e.promptTokens(), e.completionTokens(), e.cachedTokens(),
                            e.quota(), e.creditNanos(), e.durationMs(), e.error(), e.stream(), e.group(), e.channel()))
                    .toList();
            assertThat(db.store.append(more).accepted()).isEqualTo(more.size());
            events.addAll(more);
            foldNow(db, clock);
            assertEverySumAndPeak(db.store, events, "migrated, then written and folded");
        }
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            assertEverySumAndPeak(db.store, events, "reopened");
            assertBulk(db.store, bulk);
        }
    }

    static void assertBulk(UsageStore store, List<UsageEvent> bulk) {
        SeriesFilter f = SeriesFilter.all("bulk");
        long[] days = UsageStoreContractTest.minutes(NOW_MIN - 150_000, NOW_MIN + 1, 1440);
        for (boolean byModel : new boolean[] {false, true}) {
            assertThat(UsageStoreContractTest.normalise(store.sum(f, days, byModel)))
                    .isEqualTo(UsageStoreContractTest.oracle(bulk, f, days, byModel));
        }
        assertThat(store.peak(f, NOW_MIN - 150_000, NOW_MIN)).isEqualTo(peak(bulk, f, NOW_MIN - 150_000, NOW_MIN));
        assertThat(store.peak(new SeriesFilter("bulk", Set.of("model-1"), Set.of(), null), NOW_MIN - 150_000, NOW_MIN))
                .isEqualTo(peak(bulk, new SeriesFilter("bulk", Set.of("model-1"), Set.of(), null), NOW_MIN - 150_000, NOW_MIN));
    }

    /** Lets the writer fold: moves the clock past its idle interval and waits for the next fold. */
    static void foldNow(DuckDbFixture db, MutableClock clock) {
        foldNow(db.store, clock);
    }

    /** Moves the clock past the idle fold interval and waits for the fold. */
    static void foldNow(dev.tokenstats.store.duckdb.DuckDbUsageStore store, MutableClock clock) {
        long folds = store.folds();
        clock.advance(Duration.ofSeconds(3));
        long deadline = System.currentTimeMillis() + 10_000;
        while (store.folds() == folds && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(store.folds()).as("a fold").isGreaterThan(folds);
    }

    static void assertEverySumAndPeak(UsageStore store, List<UsageEvent> events, String stage) {
        for (long[] b : layouts()) {
            for (SeriesFilter f : FILTERS) {
                for (boolean byModel : new boolean[] {false, true}) {
                    assertThat(UsageStoreContractTest.normalise(store.sum(f, b, byModel)))
                            .as("%s: layout of %d buckets from %d, filter %s, byModel %s", stage, b.length - 1, b[0], f, byModel)
                            .isEqualTo(UsageStoreContractTest.oracle(events, f, b, byModel));
                }
                UsageStoreContractTest.assertPeriod(store, events, f, b);
            }
        }
        for (long[] p : periods()) {
            for (SeriesFilter f : FILTERS) {
                assertThat(store.peak(f, p[0], p[1])).as("%s: peak in [%d, %d) of %s", stage, p[0], p[1], f)
                        .isEqualTo(peak(events, f, p[0], p[1]));
            }
        }
        for (String account : ACCOUNTS) {
            assertThat(store.sum(SeriesFilter.all(account), new long[] {NOW_MIN - 4 * 1440, NOW_MIN + 1}, false))
                    .isEqualTo(List.copyOf(UsageStoreContractTest.oracle(events, SeriesFilter.all(account),
                            new long[] {NOW_MIN - 4 * 1440, NOW_MIN + 1}, false).values()));
        }
    }

    /** The busiest minute straight from the events. */
    static Peak peak(List<UsageEvent> events, SeriesFilter f, long from, long to) {
        Predicate<UsageEvent> match = e -> e.account().equals(f.account())
                && (f.models().isEmpty() || f.models().contains(e.model()))
                && (f.keys().isEmpty() || f.keys().contains(e.key()))
                && (f.errors() == null || f.errors() == e.error());
        Map<Long, long[]> perMinute = new HashMap<>();
        for (UsageEvent e : events) {
            long m = Math.floorDiv(e.timeMillis(), 60_000);
            if (match.test(e) && m >= from && m < to) {
                long[] s = perMinute.computeIfAbsent(m, x -> new long[2]);
                s[0]++;
                s[1] += e.tokens();
            }
        }
        return new Peak(perMinute.values().stream().mapToLong(s -> s[0]).max().orElse(0),
                perMinute.values().stream().mapToLong(s -> s[1]).max().orElse(0));
    }

    /**
     * A store file as version 4 wrote it: raw events; series; minute rollups with minutes before
     * {@code foldedBefore} folded (some as two rows, like late events) and the rest in the recent table; quarter
     * rollups with the quarters before {@code foldedBefore}'s folded and the open quarter, all of its minutes,
     * in the recent table (commits wrote every tier's recent table then; V6 takes the unfolded minutes out).
     */
    void writeVersion4(List<UsageEvent> events, long foldedBefore) throws Exception {
        try (DuckDbFixture.Raw raw = new DuckDbFixture.Raw(dir)) {
            Flyway.configure().dataSource(raw.dataSource()).locations("classpath:db/duckdb").target("4").load().migrate();
            try (Connection c = raw.dataSource().getConnection()) {
                try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender("main", "events")) {
                    for (UsageEvent e : events) {
                        a.beginRow();
                        a.append(e.account());
                        a.append(e.id());
                        a.append(e.timeMillis());
                        a.append(e.model());
                        a.append(e.key());
                        a.append(e.promptTokens());
                        a.append(e.completionTokens());
                        a.append(e.cachedTokens());
                        a.append(e.quota());
                        a.append(e.creditNanos());
                        if (e.durationMs() < 0) a.appendNull(); else a.append(e.durationMs());
                        a.append(e.error());
                        if (e.stream() == null) a.appendNull(); else a.append(e.stream().booleanValue());
                        a.append(e.group());
                        a.append(e.channel());
                        a.endRow();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO series SELECT row_number() OVER (ORDER BY account, model NULLS FIRST,"
                            + " api_key NULLS FIRST, error NULLS FIRST) - 1, * FROM ("
                            + " SELECT DISTINCT account, model, api_key, error FROM events"
                            + " UNION SELECT DISTINCT account, model, NULL, NULL FROM events"
                            + " UNION SELECT DISTINCT account, NULL, NULL, NULL FROM events)");
                    String series = "JOIN series s ON s.account = e.account AND s.model IS NOT DISTINCT FROM %s"
                            + " AND s.api_key IS NOT DISTINCT FROM %s AND s.error IS NOT DISTINCT FROM %s";
                    List<String> kinds = List.of(String.format(series, "e.model", "e.api_key", "e.error"),
                            String.format(series, "e.model", "NULL", "NULL"), String.format(series, "NULL", "NULL", "NULL"));
                    for (int tier : new int[] {1, 15}) {
                        String minute = "(e.time_ms // 60000) // " + tier + " * " + tier;
                        for (String join : kinds) {
                            String select = " SELECT s.id, " + minute + ", count(*), sum(e.error::INT), sum(quota),"
                                    + " sum(credit_nanos), sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens),"
                                    + " coalesce(sum(duration_ms), 0), count(duration_ms) FROM events e " + join + " WHERE ";
                            String folded = "e.time_ms // 60000 < " + Math.floorDiv(foldedBefore, tier) * tier;
                            s.execute("INSERT INTO rollup_" + tier + "m" + select + folded + " AND hash(e.id) % 2 = 0 GROUP BY 1, 2");
                            s.execute("INSERT INTO rollup_" + tier + "m" + select + folded + " AND hash(e.id) % 2 = 1 GROUP BY 1, 2");
                            s.execute("INSERT INTO rollup_" + tier + "m_recent" + select + "NOT " + folded + " GROUP BY 1, 2");
                        }
                    }
                    s.execute("INSERT INTO account_span SELECT account, min(time_ms), max(time_ms) FROM events GROUP BY account");
                }
            }
        }
    }
}

package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.duckdb.DuckDbUsageStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import static dev.tokenstats.store.StoreTestData.NOW;
import static dev.tokenstats.store.StoreTestData.NOW_MIN;
import static dev.tokenstats.store.StoreTestData.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store keeps the folded hourly rollup of account and model series in memory: reads of whole
 * folded hours make no DuckDB statement, pending hours (late events) are read from the recent rows, and
 * a read that runs while folds and writes go on shows a whole number of committed batches, never a fold half
 * seen.
 */
class HourlyTierTest {

    @TempDir
    Path dir;

    static final long HOUR = Math.floorDiv(NOW_MIN, 60) * 60;

    /** A DataSource that counts the connections the store asks for: one per read statement. */
    static final class Counting implements DataSource {
        final HikariDataSource target;
        final AtomicInteger connections = new AtomicInteger();

        Counting(HikariDataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            connections.incrementAndGet();
            return target.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws java.sql.SQLException {
            connections.incrementAndGet();
            return target.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws java.sql.SQLException {
            return target.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(target);
        }
    }

    static HikariDataSource duckdb(Path dir) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:duckdb:" + dir.resolve("tokenstats.duckdb"));
        ds.setMaximumPoolSize(4);
        ds.setMaxLifetime(0);
        Flyway.configure().dataSource(ds).locations("classpath:db/duckdb").load().migrate();
        return ds;
    }

    @Test
    void wholeFoldedHoursAreAnsweredFromMemoryAndLateEventsStillCount() {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(5);
        List<UsageEvent> events = lastThreeDays(r);
        long[] hours = UsageStoreContractTest.minutes(HOUR - 48 * 60, HOUR, 60);
        long[] day = {HOUR - 48 * 60, HOUR - 24 * 60, HOUR};
        SeriesFilter all = SeriesFilter.all("acct");
        SeriesFilter twoModels = new SeriesFilter("acct", Set.of("model-1", "model-3"), Set.of(), null);
        try (HikariDataSource ds = duckdb(dir)) {
            Counting counting = new Counting(ds);
            DuckDbUsageStore store = new DuckDbUsageStore(counting, clock, Duration.ofDays(36));
            try {
                store.append(events);
                clock.advance(Duration.ofMinutes(5)); // the last hour closes
                RollupTiersTest.foldNow(store, clock);
                store.period(all, hours); // loads the account's hours
                int before = counting.connections.get();
                UsageStoreContractTest.assertPeriod(store, events, all, hours);
                UsageStoreContractTest.assertPeriod(store, events, twoModels, day);
                assertThat(UsageStoreContractTest.normalise(store.sum(all, day, false)))
                        .isEqualTo(UsageStoreContractTest.oracle(events, all, day, false));
                assertThat(UsageStoreContractTest.normalise(store.sum(twoModels, hours, true)))
                        .isEqualTo(UsageStoreContractTest.oracle(events, twoModels, hours, true));
                assertThat(store.peak(all, HOUR - 48 * 60, HOUR)).isEqualTo(RollupTiersTest.peak(events, all, HOUR - 48 * 60, HOUR));
                assertThat(counting.connections.get()).as("statements for whole folded hours").isEqualTo(before);

                // a period with a partial hour at each end reads those minutes, and only those, from DuckDB
                long[] ragged = {HOUR - 48 * 60 + 7, HOUR - 60, HOUR - 13};
                UsageStoreContractTest.assertPeriod(store, events, all, ragged);
                assertThat(store.peak(all, ragged[0], ragged[2])).isEqualTo(RollupTiersTest.peak(events, all, ragged[0], ragged[2]));
                assertThat(counting.connections.get()).as("the ends are read").isGreaterThan(before);

                // a late event in a folded hour is in memory at once; that hour's busiest minute is read from
                // DuckDB until the next fold finds it
                List<UsageEvent> late = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    late.add(event(r, "acct", "late-" + i, (HOUR - 30 * 60 + 17) * 60_000 + i * 1000));
                }
                store.append(late);
                events.addAll(late);
                before = counting.connections.get();
                UsageStoreContractTest.assertPeriod(store, events, all, hours);
                UsageStoreContractTest.assertPeriod(store, events, twoModels, day);
                assertThat(counting.connections.get()).as("late rows are in memory").isEqualTo(before);
                assertThat(store.peak(all, HOUR - 48 * 60, HOUR)).isEqualTo(RollupTiersTest.peak(events, all, HOUR - 48 * 60, HOUR));
                assertThat(counting.connections.get()).as("the late hour's peak is read").isGreaterThan(before);
                RollupTiersTest.foldNow(store, clock);
                before = counting.connections.get();
                UsageStoreContractTest.assertPeriod(store, events, all, hours);
                UsageStoreContractTest.assertPeriod(store, events, twoModels, day);
                assertThat(store.peak(all, HOUR - 48 * 60, HOUR)).isEqualTo(RollupTiersTest.peak(events, all, HOUR - 48 * 60, HOUR));
                assertThat(store.peak(all, HOUR - 48 * 60, HOUR).requestsPerMinute()).isGreaterThanOrEqualTo(30);
                assertThat(counting.connections.get()).as("folded again: from memory").isEqualTo(before);

                // the open hour: its sums and its busiest minute are in memory as they are written
                appendToOpenHour(store, r, events);
                long[] withOpenHour = UsageStoreContractTest.minutes(HOUR - 47 * 60, HOUR + 60, 60);
                before = counting.connections.get();
                UsageStoreContractTest.assertPeriod(store, events, all, withOpenHour);
                UsageStoreContractTest.assertPeriod(store, events, twoModels, withOpenHour);
                assertThat(store.peak(all, HOUR - 47 * 60, HOUR + 60)).isEqualTo(RollupTiersTest.peak(events, all, HOUR - 47 * 60, HOUR + 60));
                assertThat(store.peak(all, HOUR, HOUR + 60).requestsPerMinute()).isEqualTo(20);
                assertThat(counting.connections.get()).as("the open hour from memory").isEqualTo(before);
            } finally {
                store.close();
            }
        }
    }

    @Test
    void theLastDayByMinuteByHalfHourAndWithRaggedEndsIsAnsweredFromMemory() {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(7);
        List<UsageEvent> events = lastThreeDays(r);
        long[] ragged = {HOUR - 20 * 60 + 7, HOUR - 10 * 60, HOUR - 13};
        for (int i = 0; i < 3; i++) { // a model with rows in the hour of the ragged start, none after it
            UsageEvent e = event(r, "acct", "solo-" + i, (ragged[0] - 1) * 60_000 + i);
            events.add(new UsageEvent(e.account(), e.id(), e.timeMillis(), "model-solo", e.key(), e.promptTokens(),
                    e.completionTokens(), e.cachedTokens(), e.quota(), e.creditNanos(), e.durationMs(), e.error(),
                    e.stream(), e.group(), e.channel()));
        }
        long[] byMinute = UsageStoreContractTest.minutes(HOUR - 24 * 60 + 5, HOUR + 5, 1);
        long[] halfHours = UsageStoreContractTest.minutes(HOUR - 24 * 60 + 30, HOUR - 30, 60); // as in +05:30
        SeriesFilter all = SeriesFilter.all("acct");
        SeriesFilter withSolo = new SeriesFilter("acct", Set.of("model-1", "model-solo"), Set.of(), null);
        try (HikariDataSource ds = duckdb(dir)) {
            Counting counting = new Counting(ds);
            DuckDbUsageStore store = new DuckDbUsageStore(counting, clock, Duration.ofDays(36));
            try {
                store.append(events);
                clock.advance(Duration.ofMinutes(5));
                RollupTiersTest.foldNow(store, clock);
                store.period(all, byMinute); // loads the account
                int before = counting.connections.get();
                for (long[] b : List.of(byMinute, halfHours, ragged)) {
                    UsageStoreContractTest.assertPeriod(store, events, all, b);
                    UsageStoreContractTest.assertPeriod(store, events, withSolo, b);
                    assertThat(UsageStoreContractTest.normalise(store.sum(withSolo, b, true)))
                            .isEqualTo(UsageStoreContractTest.oracle(events, withSolo, b, true));
                    long from = b[0], to = b[b.length - 1];
                    assertThat(store.peak(all, from, to)).isEqualTo(RollupTiersTest.peak(events, all, from, to));
                }
                assertThat(store.peak(all, ragged[0], ragged[0] + 30)).isEqualTo(RollupTiersTest.peak(events, all, ragged[0], ragged[0] + 30));
                assertThat(store.period(withSolo, ragged).perModel()).extracting(Totals::model).doesNotContain("model-solo");
                assertThat(counting.connections.get()).as("statements for minutes of the last day").isEqualTo(before);

                // a fold keeps the minutes of the window; the clock moving on drops those left behind
                appendToOpenHour(store, r, events);
                clock.advance(Duration.ofHours(3)); // the window starts 23 h before HOUR now
                RollupTiersTest.foldNow(store, clock);
                before = counting.connections.get();
                long[] lastDay = UsageStoreContractTest.minutes(HOUR - 22 * 60 + 1, HOUR + 121, 1);
                UsageStoreContractTest.assertPeriod(store, events, all, lastDay);
                assertThat(store.peak(all, lastDay[0], HOUR + 121)).isEqualTo(RollupTiersTest.peak(events, all, lastDay[0], HOUR + 121));
                assertThat(counting.connections.get()).as("after a fold: from memory").isEqualTo(before);
                UsageStoreContractTest.assertPeriod(store, events, all, byMinute);
                assertThat(store.peak(all, byMinute[0], HOUR + 5)).isEqualTo(RollupTiersTest.peak(events, all, byMinute[0], HOUR + 5));
                assertThat(counting.connections.get()).as("minutes left behind by the clock are read").isGreaterThan(before);
            } finally {
                store.close();
            }
        }
    }

    /**
     * One writer appends batches of distinct sizes (late events, into hours that are folded again and again),
     * a clock thread keeps folds coming, and readers add up whole hours, hours with ragged ends (the first one
     * before the minute window: DuckDB; the last one within it: memory) and minutes: every answer must be the
     * total of the first k batches for a k between what was acknowledged before the read and what was sent by
     * its end.
     */
    @Test
    void readsDuringWritesAndFoldsShowAWholeNumberOfBatches() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        SeriesFilter all = SeriesFilter.all("acct");
        long[] period = UsageStoreContractTest.minutes(HOUR - 30 * 60, HOUR, 60); // straddles the minute window
        long[] ragged = period.clone(); // partial hours at both ends
        ragged[0] += 7;
        ragged[ragged.length - 1] -= 13;
        long[] byMinute = UsageStoreContractTest.minutes(HOUR - 6 * 60 + 3, HOUR - 13, 1);
        List<long[]> periods = List.of(period, ragged, byMinute);
        List<List<Long>> prefixes = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>()); // per period: the requests in it after k batches
        AtomicLong acknowledged = new AtomicLong(), sent = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicInteger reads = new AtomicInteger();
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            Random r = new Random(23);
            List<UsageEvent> first = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                first.add(event(r, "acct", "f-" + i, (HOUR - 30 * 60) * 60_000 + (long) r.nextInt(30 * 3_600_000)));
            }
            db.store.append(first);
            for (int p = 0; p < periods.size(); p++) {
                long[] b = periods.get(p);
                prefixes.get(p).add(first.stream().filter(e -> within(e, b)).count());
            }
            RollupTiersTest.foldNow(db, clock);

            Thread writer = new Thread(() -> {
                Random w = new Random(29);
                for (int b = 1; b <= 60; b++) {
                    List<UsageEvent> batch = new ArrayList<>();
                    for (int i = 0; i < b; i++) { // batch b has b events: the totals after k batches are distinct
                        long minute = switch (i % 4) { // one in each partial hour of the ragged period
                            case 0 -> ragged[0] + w.nextInt(60 - 7);
                            case 1 -> ragged[ragged.length - 1] - 1 - w.nextInt(60 - 13);
                            case 2 -> byMinute[0] + w.nextInt(6 * 60 - 16);
                            default -> HOUR - 30 * 60 + w.nextInt(30 * 60);
                        };
                        batch.add(event(w, "acct", "b" + b + "-" + i, minute * 60_000 + w.nextInt(60_000)));
                    }
                    for (int p = 0; p < periods.size(); p++) {
                        long[] bounds = periods.get(p);
                        List<Long> totals = prefixes.get(p);
                        totals.add(totals.get(totals.size() - 1) + batch.stream().filter(e -> within(e, bounds)).count());
                    }
                    sent.set(b);
                    db.store.append(batch);
                    acknowledged.set(b);
                    clock.advance(Duration.ofSeconds(3)); // the next idle moment folds
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                done.set(true);
            });
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < periods.size(); t++) { // memory alone; memory and DuckDB; minutes in memory
                long[] boundaries = periods.get(t);
                List<Long> totals = prefixes.get(t);
                readers.add(new Thread(() -> {
                    while (!done.get()) {
                        long low = acknowledged.get();
                        PeriodTotals p = db.store.period(all, boundaries);
                        long high = sent.get();
                        long requests = p.perBucket().stream().mapToLong(Totals::requests).sum();
                        long byModel = p.perModel().stream().mapToLong(Totals::requests).sum();
                        Set<Long> allowed = new TreeSet<>(List.copyOf(totals).subList((int) low, (int) high + 1));
                        if (!allowed.contains(requests) || requests != byModel) {
                            wrong.add(requests + " / " + byModel + " not in " + allowed);
                        }
                        reads.incrementAndGet();
                    }
                }));
            }
            long folds = db.store.folds();
            writer.start();
            readers.forEach(Thread::start);
            writer.join(120_000);
            done.set(true);
            for (Thread t : readers) {
                t.join(30_000);
            }
            assertThat(wrong).as("reads that no sequence of commits explains").isEmpty();
            assertThat(reads.get()).isGreaterThan(30);
            assertThat(db.store.folds() - folds).as("folds during the reads").isGreaterThan(5);
            for (int p = 0; p < periods.size(); p++) {
                List<Long> totals = prefixes.get(p);
                assertThat(db.store.period(all, periods.get(p)).perBucket().stream().mapToLong(Totals::requests).sum())
                        .isEqualTo(totals.get(totals.size() - 1));
            }
        }
    }

    /** 4,000 events over the 3 days before NOW, three in four of account "acct", the rest of "other". */
    static List<UsageEvent> lastThreeDays(Random r) {
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            events.add(event(r, i % 4 == 0 ? "other" : "acct", "e-" + i, (NOW_MIN - 1 - r.nextInt(3 * 1440)) * 60_000 + r.nextInt(60_000)));
        }
        return events;
    }

    /** Appends 40 events of "acct" in the open hour, 20 in each of its minutes 2 and 3, and adds them to events. */
    static void appendToOpenHour(UsageStore store, Random r, List<UsageEvent> events) {
        List<UsageEvent> now = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            now.add(event(r, "acct", "now-" + i, (HOUR + 2 + i % 2) * 60_000 + i * 100));
        }
        store.append(now);
        events.addAll(now);
    }

    static boolean within(UsageEvent e, long[] boundaries) {
        long minute = Math.floorDiv(e.timeMillis(), 60_000);
        return minute >= boundaries[0] && minute < boundaries[boundaries.length - 1];
    }
}

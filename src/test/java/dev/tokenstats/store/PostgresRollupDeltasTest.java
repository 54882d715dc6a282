package dev.tokenstats.store;

import dev.tokenstats.store.postgres.PostgresUsageStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL store's rollup deltas (V7): appends only add rows to {@code rollup_pending}, one instance at
 * a time folds them into the tiers, and every figure is exact whether its events are folded, waiting or both
 * (on the real server).
 */
class PostgresRollupDeltasTest {

    final String schema = PostgresFixture.freshSchema("deltas");

    @AfterEach
    void drop() {
        PostgresFixture.drop(schema);
    }

    @Test
    void sumsPeaksAndSpansAreExactWithTheirEventsWaitingFoldedOrBoth() throws Exception {
        List<UsageEvent> all = new ArrayList<>(RollupTiersTest.events(new Random(21), 6000));
        Collections.shuffle(all, new Random(20));
        List<UsageEvent> stored = new ArrayList<>();
        long firstSize = 0;
        try (PostgresFixture db = new PostgresFixture(schema)) {
            for (int part = 0; part < 3; part++) { // every third event: the parts share minutes, hours and accounts
                List<UsageEvent> batch = new ArrayList<>();
                for (int i = part; i < all.size(); i += 3) {
                    batch.add(all.get(i));
                }
                db.store.append(batch);
                stored.addAll(batch);
                assertExact(db.store, stored, "part " + part + " appended");
                long waiting = pending();
                assertThat(waiting).as("part %d waits as deltas", part).isPositive();
                assertThat(db.store.fold()).isEqualTo(waiting);
                assertThat(pending()).isZero();
                long size = query("SELECT sum(pg_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'rollup_pending'::regclass");
                if (part == 0) {
                    firstSize = size;
                }
                assertThat(size).as("part %d: the folds vacuumed the deltas' partitions, so later parts reuse the space", part)
                        .isLessThanOrEqualTo(firstSize + firstSize / 4);
                assertExact(db.store, stored, "part " + part + " folded");
            }
            assertThat(db.store.fold()).as("nothing left to fold").isZero();
        }
    }

    private long pending() throws Exception {
        return query("SELECT count(*) FROM rollup_pending");
    }

    private long query(String sql) throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertExact(UsageStore store, List<UsageEvent> events, String stage) {
        RollupTiersTest.assertEverySumAndPeak(store, events, stage);
        for (String account : RollupTiersTest.ACCOUNTS) {
            List<Long> times = events.stream().filter(e -> e.account().equals(account)).map(UsageEvent::timeMillis).toList();
            Optional<long[]> span = store.timeRange(account);
            assertThat(span).as("%s: span of %s", stage, account).isPresent();
            assertThat(span.get()).as("%s: span of %s", stage, account)
                    .containsExactly(Collections.min(times), Collections.max(times));
        }
        assertThat(store.timeRange("nobody")).isEmpty();
    }

    @Test
    void twoInstancesFoldingEveryFewMillisecondsWhileFourThreadsAppendLoseAndDoubleNothing() throws Exception {
        List<UsageEvent> events = new ArrayList<>(RollupTiersTest.events(new Random(22), 12_000));
        Collections.shuffle(events, new Random(23));
        try (PostgresFixture db = new PostgresFixture(schema);
             PostgresUsageStore first = new PostgresUsageStore(db.dataSource, Duration.ofMillis(3));
             PostgresUsageStore second = new PostgresUsageStore(db.dataSource, Duration.ofMillis(3))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                PostgresUsageStore store = t % 2 == 0 ? first : second;
                List<UsageEvent> mine = new ArrayList<>();
                for (int i = t; i < events.size(); i += 4) {
                    mine.add(events.get(i));
                }
                done.add(pool.submit(() -> {
                    for (int from = 0; from < mine.size(); from += 100) {
                        List<UsageEvent> batch = mine.subList(from, Math.min(mine.size(), from + 100));
                        store.append(batch);
                        store.append(batch.subList(0, batch.size() / 2)); // a retry: all duplicates
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            first.close();
            second.close();
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM rollup_1m), (SELECT count(*) FROM rollup_pending)")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the instances folded while appends went on").isPositive();
            }
            RollupTiersTest.assertEverySumAndPeak(first, events, "folds running");
            first.fold();
            assertThat(pending()).isZero();
            RollupTiersTest.assertEverySumAndPeak(second, events, "all folded");
        }
    }

    @Test
    void aFoldSkipsThePartitionAnotherFoldHoldsAndFoldsTheRest() throws Exception {
        List<UsageEvent> events = RollupTiersTest.events(new Random(24), 3000);
        try (PostgresFixture db = new PostgresFixture(schema); Connection other = connect()) {
            db.store.append(events);
            long waiting = pending(), held = query("SELECT count(*) FROM rollup_pending_0");
            assertThat(held).isPositive().isLessThan(waiting);
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) { // another fold of partition 0 is in progress
                s.execute("SELECT pg_advisory_xact_lock('rollup_pending_0'::regclass::oid::bigint)");
            }
            assertThat(db.store.fold()).isEqualTo(waiting - held);
            assertThat(pending()).isEqualTo(held);
            assertThat(query("SELECT count(*) FROM rollup_pending_0")).isEqualTo(held);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "partition 0 waiting, the rest folded");
            other.rollback();
            assertThat(db.store.fold()).isEqualTo(held);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "folded after the other let go");
        }
    }

    @Test
    void appendersFoldThemselvesWhenTheDeltasPileUp() throws Exception {
        List<UsageEvent> events = RollupTiersTest.events(new Random(25), 60_000); // three days: a minute row almost each
        try (PostgresFixture db = new PostgresFixture(schema)) { // no background folds
            for (int from = 0; from < events.size(); from += 2000) {
                db.store.append(events.subList(from, from + 2000));
                assertThat(pending()).as("deltas waiting after %d events", from + 2000).isLessThanOrEqualTo(110_000); // 100k and a batch
            }
            assertThat(query("SELECT count(*) FROM rollup_1m")).as("the appenders folded").isPositive();
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "folded by the appenders, the rest waiting");
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "");
    }
}

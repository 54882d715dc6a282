package dev.tokenstats.store;

import dev.tokenstats.store.internal.RollupMetrics;
import dev.tokenstats.store.postgres.PostgresUsageStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PostgreSQL store's rollup deltas (V7, V8): appends only add rows to {@code rollup_pending}, one row per
 * full series and minute; one instance at a time folds a partition of them into the tiers of the full, model and
 * account series; and every figure is exact whether its events are folded, waiting or both (on the real server).
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
            long waiting = pending();
            String partition = null;
            long held = 0;
            for (int p = 0; p < 8 && partition == null; p++) { // one that holds some of the accounts' deltas
                held = query("SELECT count(*) FROM rollup_pending_p" + p);
                partition = held > 0 && held < waiting ? "rollup_pending_p" + p : null;
            }
            assertThat(partition).as("the five accounts' deltas spread over more than one partition").isNotNull();
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) { // another fold of that partition is in progress
                s.execute("SELECT pg_advisory_xact_lock('" + partition + "'::regclass::oid::bigint)");
            }
            assertThat(db.store.fold()).isEqualTo(waiting - held);
            assertThat(pending()).isEqualTo(held);
            assertThat(query("SELECT count(*) FROM " + partition)).isEqualTo(held);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, partition + " waiting, the rest folded");
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
                assertThat(pending()).as("deltas waiting after %d events", from + 2000).isLessThanOrEqualTo(42_000); // 40k and a batch
            }
            assertThat(query("SELECT count(*) FROM rollup_1m")).as("the appenders folded").isPositive();
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "folded by the appenders, the rest waiting");
        }
    }

    @Test
    void deltasThatVersion7LeftWaitingAreFoldedByTheMigrationWithEverySumPeakAndSpanExact() throws Exception {
        List<UsageEvent> all = new ArrayList<>(RollupTiersTest.events(new Random(26), 6000));
        Collections.shuffle(all, new Random(27));
        PostgresRollupHoursTest.writeVersion4(schema, all.subList(0, 2000)); // folded before version 7
        Flyway.configure().dataSource(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "")
                .schemas(schema).defaultSchema(schema).locations("classpath:db/postgres").target("7").load().migrate();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            PostgresRollupHoursTest.loadEvents(c, "waiting", all.subList(2000, 4000));
            PostgresRollupHoursTest.loadEvents(c, "half", all.subList(4000, 6000));
            s.execute("INSERT INTO series (account, model, api_key, error) SELECT DISTINCT e.account, k.m, k.a, k.x"
                    + " FROM (SELECT * FROM waiting UNION ALL SELECT * FROM half) e"
                    + " CROSS JOIN LATERAL (VALUES (model, api_key, error), (model, NULL, NULL), (NULL, NULL, NULL)) k (m, a, x)"
                    + " ON CONFLICT DO NOTHING");
            String delta = "INSERT INTO rollup_pending SELECT s.id, e.time_ms / 60000, " + PostgresRollupHoursTest.SUMS
                    + ", min(e.time_ms), max(e.time_ms) FROM %s e %s GROUP BY 1, 2";
            for (String join : PostgresRollupHoursTest.SERIES_JOINS) { // each of their three series waiting
                s.execute(String.format(delta, "waiting", join));
            }
            // version 7 folded each series' partition on its own: here the full series' deltas have been folded
            // (they have no hourly tier), their model and account series' deltas still wait
            for (int tier : new int[] {1, 15}) {
                s.execute("INSERT INTO rollup_" + tier + "m SELECT s.id, (e.time_ms / 60000) / " + tier + " * " + tier + ", "
                        + PostgresRollupHoursTest.SUMS + " FROM half e " + PostgresRollupHoursTest.SERIES_JOINS.get(0)
                        + " GROUP BY 1, 2 ON CONFLICT (series, minute) DO UPDATE SET "
                        + Stream.of(RollupMetrics.NAMES).map(m -> m + " = rollup_" + tier + "m." + m + " + excluded." + m)
                        .collect(Collectors.joining(", ")));
            }
            for (String join : PostgresRollupHoursTest.SERIES_JOINS.subList(1, 3)) {
                s.execute(String.format(delta, "half", join));
            }
        }
        try (PostgresFixture db = new PostgresFixture(schema)) { // migrates to the latest version
            assertThat(pending()).as("the migration folded version 7's deltas").isZero();
            assertExact(db.store, all, "migrated");
            try (Connection c = connect(); Statement s = c.createStatement()) { // as version 7's appends, folds and reads do
                assertThatThrownBy(() -> s.executeQuery("SELECT series, minute FROM rollup_pending"))
                        .as("an instance still on version 7 fails on the new deltas instead of folding them into full series alone")
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42703"));
            }
            List<UsageEvent> more = RollupTiersTest.renamed(RollupTiersTest.events(new Random(28), 2000), "m-");
            assertThat(db.store.append(more).accepted()).isEqualTo(more.size());
            all.addAll(more);
            assertExact(db.store, all, "migrated, then written");
            db.store.fold();
            assertExact(db.store, all, "migrated, written and folded");
        }
    }

    @Test
    void aFoldLeavesTheDeltasAloneOnceAMigrationOfANewerBuildCommitsEvenOneItWaitedFor() throws Exception {
        List<UsageEvent> events = new ArrayList<>(RollupTiersTest.events(new Random(26), 3000));
        UsageEvent e = events.get(0);
        for (int a = 0; a < 80; a++) { // accounts enough for deltas in every partition, whichever the fold starts at
            events.add(new UsageEvent("spread-" + a, "spread", e.timeMillis(), e.model(), e.key(), 1, 1, 0, 1, 0, 1, false,
                    false, e.group(), e.channel()));
        }
        try (PostgresFixture db = new PostgresFixture(schema); Connection newer = connect()) {
            db.store.append(events);
            long waiting = pending();
            assertThat(query("SELECT count(DISTINCT tableoid) FROM rollup_pending")).as("partitions with deltas").isEqualTo(8);
            assertThat(query("SELECT count(*) FROM generate_series(0, 7) n WHERE to_regclass('rollup_pending_' || n) IS NOT NULL"))
                    .as("the partitions that builds before this check fold by name (V10 renamed them)").isZero();
            long next = query("SELECT max(version::int) FROM flyway_schema_history") + 1;
            newer.setAutoCommit(false);
            try (Statement s = newer.createStatement()) { // a later build's migration, as V9 did: deltas locked first
                s.execute("LOCK TABLE rollup_pending IN ACCESS EXCLUSIVE MODE");
                s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                        + " installed_by, execution_time, success) VALUES (" + next + ", '" + next + "', 'a new tier', 'SQL', 'V"
                        + next + "__a_new_tier.sql', 0, 'test', 0, true)");
            }
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<Long> fold = pool.submit(db.store::fold);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (query("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation IN"
                    + " (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'rollup_pending'::regclass)") == 0
                    && !fold.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(fold.isDone()).as("the fold waits for the migration").isFalse();
            newer.commit();
            assertThat(fold.get()).as("the fold, once the newer schema committed").isEqualTo(-1);
            pool.shutdown();
            assertThat(pending()).isEqualTo(waiting);
            assertThat(query("SELECT count(*) FROM rollup_1m")).as("nothing folded into the newer schema").isZero();
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "deltas left to the newer build");

            try (Statement s = newer.createStatement()) { // as if that build's instances were rolled back
                s.execute("DELETE FROM flyway_schema_history WHERE installed_rank = " + next);
            }
            newer.commit();
            assertThat(db.store.fold()).isEqualTo(waiting);
            assertExact(db.store, events, "folded on the schema this build knows");
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "");
    }
}

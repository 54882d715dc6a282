package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.postgres.PostgresUsageStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.tokenstats.store.StoreTestData.NOW_MIN;
import static dev.tokenstats.store.StoreTestData.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL store's hourly tier: each hour's busiest minute is exact at every commit, late events
 * included (waiting as deltas over a folded hour, and folded), and a version 4 schema migrates with every sum and peak intact (on the real server).
 */
class PostgresRollupHoursTest {

    final String schema = PostgresFixture.freshSchema("hours");

    @AfterEach
    void drop() {
        PostgresFixture.drop(schema);
    }

    /** JIT starts at an estimated cost, which short reads can pass (60 ms of compiling for an 18 ms read at 10M). */
    @Test
    void theStoresSessionsDoNotCompileStatementsJustInTime() throws Exception {
        try (PostgresFixture db = new PostgresFixture(schema); HikariDataSource one = new HikariDataSource()) {
            one.setJdbcUrl(PostgresFixture.URL + "?currentSchema=" + schema);
            one.setUsername(PostgresFixture.USER);
            one.setMaximumPoolSize(1);
            assertThat(jit(one)).as("the server's default, which the store's sessions change").isEqualTo("on");
            PostgresUsageStore store = new PostgresUsageStore(one);
            store.append(List.of(event(new Random(9), "acct", "e-1", NOW_MIN * 60_000)));
            assertThat(store.timeRange("acct")).isPresent();
            assertThat(jit(one)).as("the one session the store used").isEqualTo("off");
        }
    }

    private static String jit(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); var rs = s.executeQuery("SHOW jit")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aLateEventRaisesTheBusiestMinuteOfItsHour() {
        Random r = new Random(3);
        long hour = Math.floorDiv(NOW_MIN, 60) * 60 - 180;
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 4 per minute in the first ten minutes of the hour
            events.add(event(r, "acct", "a-" + i, (hour + i / 4) * 60_000 + i * 100));
        }
        try (PostgresFixture db = new PostgresFixture(schema)) {
            db.store.append(events);
            db.store.fold(); // the hour is folded; the late events below wait as deltas over it
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(4);
            List<UsageEvent> late = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                late.add(event(r, "acct", "late-" + i, (hour + 37) * 60_000 + i * 1000));
            }
            db.store.append(late);
            events.addAll(late);
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(9);
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour, hour + 30).requestsPerMinute())
                    .as("a period that ends before the late minute").isEqualTo(4);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "late events waiting");
            db.store.fold();
            assertThat(db.store.peak(SeriesFilter.all("acct"), hour - 60, hour + 120).requestsPerMinute()).isEqualTo(9);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "late events folded");
        }
    }

    @Test
    void aVersion4SchemaMigratesWithEverySumAndPeakIntact() throws Exception {
        List<UsageEvent> events = RollupTiersTest.events(new Random(17), 5000);
        writeVersion4(events);
        try (PostgresFixture db = new PostgresFixture(schema)) {
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "migrated");
            List<UsageEvent> more = RollupTiersTest.renamed(RollupTiersTest.events(new Random(18), 2000), "m-");
            assertThat(db.store.append(more).accepted()).isEqualTo(more.size());
            events.addAll(more);
            RollupTiersTest.assertEverySumAndPeak(db.store, events, "migrated, then written");
        }
    }

    @Test
    void afterTheStoresMaintenanceWholeHoursAreReadFromTheIndexAlone() throws Exception {
        Random r = new Random(5);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event(r, "acct", "e-" + i, (NOW_MIN - 3 * 1440) * 60_000 + (long) r.nextInt(3 * 86_400) * 1000L));
        }
        try (PostgresFixture db = new PostgresFixture(schema)) {
            db.store.append(events);
            db.store.maintain();
        }
        try (Connection c = DriverManager.getConnection(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "");
             Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off"); // a table this small would be read whole otherwise
            StringBuilder plan = new StringBuilder();
            try (var rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) SELECT series, minute, requests, errors, quota,"
                    + " credit_nanos, prompt_tokens, completion_tokens, cached_tokens, duration_sum, duration_count,"
                    + " peak_requests, peak_tokens FROM rollup_1h WHERE series = (SELECT id FROM series WHERE model IS NULL)"
                    + " AND minute >= " + (NOW_MIN - 3 * 1440) + " AND minute < " + NOW_MIN)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            // 72 hours of the account series, every one from the index
            assertThat(plan.toString()).containsPattern("Index Only Scan using rollup_1h_pkey on rollup_1h \\(actual [^)]* rows=72 ")
                    .contains("Heap Fetches: 0");
        }
    }

    void writeVersion4(List<UsageEvent> events) throws Exception {
        writeVersion4(schema, events);
    }

    /** The schema as version 4 left it: series, minute and quarter-hour rollups, account spans. */
    static void writeVersion4(String schema, List<UsageEvent> events) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "")) {
            Flyway.configure().dataSource(PostgresFixture.URL + "?currentSchema=" + schema, PostgresFixture.USER, "")
                    .schemas(schema).defaultSchema(schema).locations("classpath:db/postgres").target("4").load().migrate();
            loadEvents(c, "ev", events);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO series (account, model, api_key, error)"
                        + " SELECT DISTINCT account, model, api_key, error FROM ev"
                        + " UNION SELECT DISTINCT account, model, NULL::text, NULL::boolean FROM ev"
                        + " UNION SELECT DISTINCT account, NULL::text, NULL::text, NULL::boolean FROM ev");
                for (int tier : new int[] {1, 15}) {
                    for (String join : SERIES_JOINS) {
                        s.execute("INSERT INTO rollup_" + tier + "m SELECT s.id, (e.time_ms / 60000) / " + tier + " * " + tier
                                + ", " + SUMS + " FROM ev e " + join + " GROUP BY 1, 2");
                    }
                }
                s.execute("INSERT INTO account_span SELECT account, min(time_ms), max(time_ms) FROM ev GROUP BY account");
            }
        }
    }

    /** The figures of a rollup row, summed over events e. */
    static final String SUMS = "count(*), sum(e.error::int), sum(quota), sum(credit_nanos), sum(prompt_tokens),"
            + " sum(completion_tokens), sum(cached_tokens), coalesce(sum(duration_ms), 0), count(duration_ms)";

    /** Joins events e to their full, model and account series s. */
    static final List<String> SERIES_JOINS = Stream.of("e.model, e.api_key, e.error", "e.model, NULL::text, NULL::boolean",
                    "NULL::text, NULL::text, NULL::boolean")
            .map(k -> "JOIN series s ON (s.account, s.model, s.api_key, s.error) IS NOT DISTINCT FROM (e.account, " + k + ")")
            .toList();

    /** The events as a temporary table of connection c. */
    static void loadEvents(Connection c, String table, List<UsageEvent> events) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE " + table + " (account text, id text, time_ms bigint, model text, api_key text,"
                    + " error boolean, prompt_tokens bigint, completion_tokens bigint, cached_tokens bigint, quota bigint,"
                    + " credit_nanos bigint, duration_ms bigint)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (UsageEvent e : events) {
                Object[] v = {e.account(), e.id(), e.timeMillis(), e.model(), e.key(), e.error(), e.promptTokens(),
                        e.completionTokens(), e.cachedTokens(), e.quota(), e.creditNanos(),
                        e.durationMs() < 0 ? null : e.durationMs()};
                for (int i = 0; i < v.length; i++) {
                    p.setObject(i + 1, v[i]);
                }
                p.addBatch();
            }
            p.executeBatch();
        }
    }
}

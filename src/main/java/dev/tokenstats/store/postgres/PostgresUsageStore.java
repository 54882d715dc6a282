package dev.tokenstats.store.postgres;

import dev.tokenstats.store.AccountTotals;
import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.EventQuery;
import dev.tokenstats.store.Peak;
import dev.tokenstats.store.PeriodTotals;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.StoreUnavailableException;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import dev.tokenstats.store.internal.RollupMetrics;
import dev.tokenstats.store.internal.RollupPlan;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The shared store: one PostgreSQL database for several tokenstats instances.
 *
 * <p>An append is one transaction on the caller's thread: it first inserts the batch's keys into
 * {@code event_keys} (ON CONFLICT DO NOTHING RETURNING), which tells exactly which events are new even
 * when another instance stores the same event at the same moment (the second waits on the first's
 * uncommitted key, then sees the conflict); then the new raw events, and their per-(full series, minute) sums
 * as rows of {@code rollup_pending}, each naming the model and account series it also adds to. PostgreSQL
 * commits durably.
 *
 * <p>The rollup tiers are never updated by an append. Every batch of a busy platform adds to the same rows
 * (each account's series in the current minute), and when appends upserted them, each transaction held those
 * row locks until its commit and the instances took turns. Instead folds ({@link #fold}, every half second from
 * each instance, and from the appending threads when the deltas pile up) move the committed deltas into
 * {@code rollup_1m}, {@code rollup_15m}, {@code rollup_1h} and {@code account_span}, one statement per partition
 * of {@code rollup_pending}; a partition holds whole accounts, so folds of different partitions run at once and
 * never touch the same row, and an advisory lock keeps each partition to one fold at a time.
 * Reads add the deltas not folded yet: every read is one statement, so it sees a fold entirely or not at all,
 * and its figures are exact at every commit.
 */
public final class PostgresUsageStore implements UsageStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresUsageStore.class);

    private static final String[] METRICS = RollupMetrics.NAMES;
    /** The sums of {@link RollupMetrics#NAMES}, in that order (as {@link #totals} reads them). */
    private static final String SUMS = Arrays.stream(METRICS)
            .map(m -> "sum(" + m + ")::" + (m.equals("credit_nanos") ? "numeric" : "bigint")).collect(Collectors.joining(", "));
    private static final String EVENT_COLUMNS = "account, id, time_ms, model, api_key, prompt_tokens,"
            + " completion_tokens, cached_tokens, quota, credit_nanos, duration_ms, error, stream, grp, channel";

    /**
     * A series: model, key and error are null for the account series, key and error for a model series. Looked
     * up for every event, so equals and hashCode are written out: a record's generated ones went through method
     * handles that the JIT left as calls (a third of the request threads' time in a profile).
     */
    private record SeriesKey(String account, String model, String key, Boolean error) {
        @Override
        public int hashCode() {
            return ((account.hashCode() * 31 + Objects.hashCode(model)) * 31 + Objects.hashCode(key)) * 31 + Objects.hashCode(error);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SeriesKey k && account.equals(k.account) && Objects.equals(model, k.model)
                    && Objects.equals(key, k.key) && Objects.equals(error, k.error);
        }
    }

    private final DataSource dataSource;
    private final ScheduledExecutorService folder; // null: deltas are folded by maintain() and fold() only
    private final Map<SeriesKey, Integer> seriesIds = new ConcurrentHashMap<>();
    /** Full series key to the ids of its full, model and account series: one lookup an event instead of three. */
    private final Map<SeriesKey, int[]> lineage = new ConcurrentHashMap<>();
    private final Set<String> partitions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextPartition = new AtomicInteger(ThreadLocalRandom.current().nextInt(PARTITIONS));
    private final AtomicLong unfolded = new AtomicLong();
    private volatile boolean newerSchemaSeen;

    /** A store that folds its rollup deltas only when {@link #maintain} or {@link #fold} is called. */
    public PostgresUsageStore(DataSource dataSource) {
        this(dataSource, Duration.ZERO);
    }

    /** With a positive {@code foldEvery}, a daemon thread {@link #fold folds} the rollup deltas at that interval. */
    public PostgresUsageStore(DataSource dataSource, Duration foldEvery) {
        this.dataSource = dataSource;
        if (foldEvery.isZero() || foldEvery.isNegative()) {
            folder = null;
        } else {
            folder = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tokenstats-fold");
                t.setDaemon(true);
                return t;
            });
            folder.scheduleWithFixedDelay(this::foldQuietly, foldEvery.toMillis(), foldEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Physical connections this store has turned JIT off on (pooled ones come back; held weakly, by identity). */
    private final Set<PGConnection> jitOff = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /**
     * A connection of the pool, with PostgreSQL's JIT compilation off for its session. JIT starts at an estimated
     * plan cost (jit_above_cost), and estimates of this store's statements can pass it where the statement is
     * short: a 90-day read by day in Asia/Kolkata at 10M events was estimated at 105,594 and spent 60 ms compiling
     * for an 18 ms read. No statement here runs long enough to gain from it.
     */
    private Connection connection() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            PGConnection session = c.unwrap(PGConnection.class);
            if (!jitOff.contains(session)) {
                try (var s = c.createStatement()) {
                    s.execute("SET jit = off");
                }
                jitOff.add(session);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public AppendResult append(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return new AppendResult(0, 0);
        }
        Written written;
        try (Connection c = connection()) {
            ensurePartitions(c, events);
            int[][] series = seriesIds(c, events);
            written = inTransaction(c, () -> {
                int[] fresh = claimKeys(c, events);
                if (fresh.length == 0) {
                    return new Written(fresh, 0);
                }
                insertEvents(c, events, fresh);
                return new Written(fresh, insertPending(c, events, series, fresh));
            });
        } catch (SQLException e) {
            throw new StoreUnavailableException("store write failed: " + e.getMessage(), e);
        }
        foldIfBehind(written.deltas()); // with the batch's connection back in the pool
        return new AppendResult(written.fresh().length, events.size() - written.fresh().length);
    }

    /** What an append stored: the positions of its new events, and how many delta rows they made. */
    private record Written(int[] fresh, int deltas) {
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} as one transaction on {@code c}: committed when it returns, rolled back when it throws. */
    private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Inserts the keys in key order; the events whose key this transaction inserted are new (first one wins).
     * Returns their positions in {@code events}.
     */
    private int[] claimKeys(Connection c, List<UsageEvent> events) throws SQLException {
        List<UsageEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(UsageEvent::account).thenComparing(UsageEvent::id));
        int n = sorted.size();
        String[] accounts = new String[n], ids = new String[n];
        Long[] times = new Long[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = sorted.get(i).account();
            ids[i] = sorted.get(i).id();
            times[i] = sorted.get(i).timeMillis();
        }
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_keys (account, id, time_ms)"
                + " SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) ON CONFLICT DO NOTHING RETURNING account, id")) {
            ps.setArray(1, c.createArrayOf("text", accounts));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("bigint", times));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1) + '\n' + rs.getString(2));
                }
            }
        }
        int[] fresh = new int[inserted.size()];
        int found = 0;
        for (int i = 0; i < events.size() && found < fresh.length; i++) {
            UsageEvent e = events.get(i);
            if (inserted.remove(e.account() + '\n' + e.id())) {
                fresh[found++] = i;
            }
        }
        return fresh;
    }

    /**
     * The new events, through {@code COPY}: PostgreSQL writes them page by page (one WAL record per page of
     * rows instead of one per row) and runs no per-row projection as {@code INSERT ... SELECT unnest} does.
     */
    private static void insertEvents(Connection c, List<UsageEvent> events, int[] fresh) throws SQLException {
        StringBuilder rows = new StringBuilder(fresh.length * 200);
        for (int i : fresh) {
            UsageEvent e = events.get(i);
            copyText(rows, e.account()).append('\t');
            copyText(rows, e.id()).append('\t').append(e.timeMillis()).append('\t');
            copyText(rows, e.model()).append('\t');
            copyText(rows, e.key()).append('\t').append(e.promptTokens()).append('\t').append(e.completionTokens())
                    .append('\t').append(e.cachedTokens()).append('\t').append(e.quota()).append('\t').append(e.creditNanos())
                    .append('\t');
            if (e.durationMs() < 0) {
                rows.append("\\N");
            } else {
                rows.append(e.durationMs());
            }
            rows.append('\t').append(e.error() ? 't' : 'f').append('\t')
                    .append(e.stream() == null ? "\\N" : e.stream() ? "t" : "f").append('\t');
            copyText(rows, e.group()).append('\t');
            copyText(rows, e.channel()).append('\n');
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY events (" + EVENT_COLUMNS + ") FROM STDIN",
                    new java.io.ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY of events failed: " + e.getMessage(), e);
        }
    }

    /** {@code value} as a field of COPY's text format: backslash, tab, newline and carriage return escaped. */
    private static StringBuilder copyText(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
        return out;
    }

    /**
     * The batch's rollup deltas: one row per (full series, minute), naming the model and account series it also
     * adds to, appended to {@code rollup_pending}. Appends take no row locks, so concurrent batches from any
     * instance never wait for each other here; {@link #fold} adds the rows into the tiers of all three series.
     */
    private static int insertPending(Connection c, List<UsageEvent> events, int[][] series, int[] fresh) throws SQLException {
        int first = METRICS.length, last = first + 1;
        Map<Long, Delta> rows = new HashMap<>(); // by full series and minute
        for (int i : fresh) {
            UsageEvent e = events.get(i);
            long minute = e.epochMinute();
            long[] row = rows.computeIfAbsent(((long) series[i][0] << 32) | minute, x -> {
                long[] r = new long[METRICS.length + 2];
                r[first] = Long.MAX_VALUE;
                r[last] = Long.MIN_VALUE;
                return new Delta(series[i], (int) minute, r);
            }).figures();
            RollupMetrics.add(row, e);
            row[first] = Math.min(row[first], e.timeMillis());
            row[last] = Math.max(row[last], e.timeMillis());
        }
        int n = rows.size(), width = METRICS.length + 2;
        Integer[] ids = new Integer[n], models = new Integer[n], accounts = new Integer[n], minutes = new Integer[n];
        Long[][] figures = new Long[width][n];
        int i = 0;
        for (Delta d : rows.values()) {
            ids[i] = d.series()[0];
            models[i] = d.series()[1];
            accounts[i] = d.series()[2];
            minutes[i] = d.minute();
            for (int m = 0; m < width; m++) {
                figures[m][i] = d.figures()[m];
            }
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_pending (full_series, model_series, account_series, minute, "
                + String.join(", ", METRICS) + ", first_ms, last_ms) SELECT * FROM unnest(?::int[], ?::int[], ?::int[], ?::int[]"
                + ", ?::bigint[]".repeat(width) + ")")) {
            ps.setArray(1, c.createArrayOf("integer", ids));
            ps.setArray(2, c.createArrayOf("integer", models));
            ps.setArray(3, c.createArrayOf("integer", accounts));
            ps.setArray(4, c.createArrayOf("integer", minutes));
            for (int m = 0; m < width; m++) {
                ps.setArray(5 + m, c.createArrayOf("bigint", figures[m]));
            }
            ps.executeUpdate();
        }
        return n;
    }

    /** A delta row: its full, model and account series ids, its minute, its figures with first_ms and last_ms. */
    private record Delta(int[] series, int minute, long[] figures) {
    }

    /** The three series an event adds to: full (model, key, status), model, account. */
    private static List<SeriesKey> seriesOf(UsageEvent e) {
        return List.of(new SeriesKey(e.account(), e.model(), e.key(), e.error()),
                new SeriesKey(e.account(), e.model(), null, null), new SeriesKey(e.account(), null, null, null));
    }

    /**
     * Hours from half past (V9), of the model and account series: rows cover [minute, minute + 60) with minute at
     * half past a UTC hour, for zones whose offset is a whole hour and a half (see {@link #offsetHours}).
     */
    static final String HALF_PAST = "rollup_1h30";

    /**
     * Hours from a quarter past (V11), of the model and account series: rows cover [minute, minute + 60) with minute
     * at a quarter past a UTC hour, for zones whose offset is a whole hour and three quarters (see {@link #offsetHours}).
     */
    static final String QUARTER_PAST = "rollup_1h15";

    /**
     * Six hours (V10), of the model and account series: rows cover [minute, minute + 360) with minute a multiple of
     * 360, for long buckets in zones whose offset is a whole number of hours (see {@link #sixHourBlocks}).
     */
    static final String SIX_HOURS = "rollup_6h";

    /** The partitions of {@code rollup_pending} (V8): folds of different partitions run at once. */
    static final int PARTITIONS = 8;

    /** The name of partition n of {@code rollup_pending} is this and n (V10 renamed them from rollup_pending_n). */
    static final String PARTITION = "rollup_pending_p";

    /**
     * The newest schema (Flyway's version) whose tiers this build's folds write. In a rolling upgrade, instances of
     * the old build run beside the new one on the new schema; if the new schema adds a tier, an old fold would add
     * its deltas to every tier but that one, and the sums read from it would miss them for good. So a fold first
     * reads the schema's version, under a lock that a migration of the deltas' table waits for, and where the
     * schema is newer it leaves the deltas to the instances that know it: reads add waiting deltas, so every figure
     * stays exact meanwhile. Raise it with each migration, once {@link #FOLD} writes what the migration adds.
     */
    static final int SCHEMA = 11;

    /**
     * Unfolded delta rows this instance wrote, above which its appenders fold too (backfills, imports). A row
     * of a backfill is about three rows of the tiers (its full, model and account series in a minute of its own).
     */
    static final long FOLD_AT = 40_000;

    /**
     * One statement moves every committed delta of partition %d into the tiers: it deletes them (rows that
     * concurrent appends commit meanwhile are not in its snapshot and stay for the next fold), adds them up per
     * full series and minute, and from those per model series and per account series; adds these sums per
     * minute, quarter hour, hour, hour from half past, hour from a quarter past and six hours (the last four for model
     * and account series only),
     * keeps each hour's busiest minute from the minute rows' new totals, and widens the account spans. Its count
     * is the number of delta rows moved.
     */
    private static final String FOLD;

    static {
        String figures = String.join(", ", METRICS);
        String sums = Arrays.stream(METRICS).map(m -> "sum(" + m + ") AS " + m).collect(Collectors.joining(", "));
        FOLD = "WITH moved AS (DELETE FROM " + PARTITION + "%d RETURNING *),"
                + " f AS (SELECT full_series AS series, model_series, account_series, minute, " + sums + ", min(first_ms) AS first_ms,"
                + " max(last_ms) AS last_ms FROM moved GROUP BY 1, 2, 3, 4),"
                + " m AS (SELECT series, minute, " + figures + ", false AS hourly FROM f"
                + " UNION ALL SELECT model_series, minute, " + sums + ", true FROM f GROUP BY 1, 2"
                + " UNION ALL SELECT account_series, minute, " + sums + ", true FROM f GROUP BY 1, 2),"
                + " minutes AS (INSERT INTO " + RollupPlan.MINUTE + " (series, minute, " + figures + ") SELECT series, minute, "
                + figures + " FROM m ORDER BY 1, 2 " + onConflictAdd(RollupPlan.MINUTE)
                + " RETURNING series, minute, requests, prompt_tokens + completion_tokens AS tokens),"
                + " quarters AS (INSERT INTO " + RollupPlan.QUARTER + " (series, minute, " + figures + ") SELECT series, minute / 15 * 15, "
                + sums + " FROM m GROUP BY 1, 2 ORDER BY 1, 2 " + onConflictAdd(RollupPlan.QUARTER) + "),"
                + " sixes AS (INSERT INTO " + SIX_HOURS + " (series, minute, " + figures + ") SELECT series, minute / 360 * 360, "
                + sums + " FROM m WHERE hourly GROUP BY 1, 2 ORDER BY 1, 2 " + onConflictAdd(SIX_HOURS) + "),"
                + " quarters_past AS (INSERT INTO " + QUARTER_PAST + " (series, minute, " + figures + ") SELECT series, minute - mod(minute + 45, 60), "
                + sums + " FROM m WHERE hourly GROUP BY 1, 2 ORDER BY 1, 2 " + onConflictAdd(QUARTER_PAST) + "),"
                + " halves AS (INSERT INTO " + HALF_PAST + " (series, minute, " + figures + ") SELECT series, minute - mod(minute + 30, 60), "
                + sums + " FROM m WHERE hourly GROUP BY 1, 2 ORDER BY 1, 2 " + onConflictAdd(HALF_PAST) + "),"
                + " hours AS (INSERT INTO " + RollupPlan.HOUR + " (series, minute, " + figures + ", peak_requests, peak_tokens)"
                + " SELECT h.*, p.requests, p.tokens FROM (SELECT series, minute / 60 * 60 AS minute, " + sums
                + " FROM m WHERE hourly GROUP BY 1, 2) h"
                + " JOIN (SELECT series, minute / 60 * 60 AS minute, max(requests) AS requests, max(tokens) AS tokens"
                + " FROM minutes GROUP BY 1, 2) p USING (series, minute) ORDER BY 1, 2 " + onConflictAdd(RollupPlan.HOUR)
                + ", peak_requests = greatest(" + RollupPlan.HOUR + ".peak_requests, excluded.peak_requests)"
                + ", peak_tokens = greatest(" + RollupPlan.HOUR + ".peak_tokens, excluded.peak_tokens)),"
                + " spans AS (INSERT INTO account_span (account, first_ms, last_ms) SELECT s.account, min(f.first_ms), max(f.last_ms)"
                + " FROM f JOIN series s ON s.id = f.account_series GROUP BY s.account ORDER BY 1"
                + " ON CONFLICT (account) DO UPDATE SET first_ms = least(account_span.first_ms, excluded.first_ms),"
                + " last_ms = greatest(account_span.last_ms, excluded.last_ms))"
                + " SELECT count(*) FROM moved";
    }

    private static String onConflictAdd(String table) {
        return "ON CONFLICT (series, minute) DO UPDATE SET " + Arrays.stream(METRICS)
                .map(m -> m + " = " + table + "." + m + " + excluded." + m).collect(Collectors.joining(", "));
    }

    /**
     * Folds the committed rollup deltas of every partition that no one else is folding (see {@link #FOLD}),
     * starting at a partition of its own so that concurrent callers spread out. Each partition is one
     * transaction under an advisory lock keyed by the partition's oid (so schemas do not exclude each other),
     * followed by a VACUUM of the partition so its space is reused at once.
     *
     * @return the delta rows folded, or -1 when every partition was being folded by someone else or the schema is
     *     newer than this build knows ({@link #SCHEMA})
     */
    public long fold() {
        long moved = 0;
        int skipped = 0, start = Math.floorMod(nextPartition.getAndIncrement(), PARTITIONS);
        try (Connection c = connection()) {
            for (int i = 0; i < PARTITIONS; i++) {
                long n = fold(c, (start + i) % PARTITIONS);
                if (n == NEWER_SCHEMA) {
                    unfolded.set(0); // appenders need not try again at every append
                    if (!newerSchemaSeen) {
                        newerSchemaSeen = true;
                        log.warn("the schema is newer than version {}, the newest this build folds into: rollup deltas are"
                                + " left to instances of the newer build (figures stay exact; reads slow down as deltas wait)", SCHEMA);
                    }
                    return -1;
                }
                if (n < 0) {
                    skipped++;
                } else {
                    moved += n;
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("fold failed: " + e.getMessage(), e);
        }
        if (skipped < PARTITIONS) {
            unfolded.set(0);
        }
        return skipped == PARTITIONS ? -1 : moved;
    }

    /** What {@link #fold(Connection, int)} returns for a schema newer than {@link #SCHEMA}. */
    private static final long NEWER_SCHEMA = -2;

    private static long fold(Connection c, int partition) throws SQLException {
        long moved = inTransaction(c, () -> {
            try (var s = c.createStatement()) {
                // A migration that changes what folds write locks the deltas' table (as V8 to V11 do): the version is
                // read after this lock, so a fold either runs before such a migration or sees its version.
                s.execute("LOCK TABLE " + PARTITION + partition + " IN ROW EXCLUSIVE MODE");
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock('" + PARTITION + partition
                        + "'::regclass::oid::bigint), (SELECT max(version::int) FROM flyway_schema_history"
                        + " WHERE success AND version ~ '^[0-9]+$')")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return -1L;
                    }
                    if (rs.getInt(2) > SCHEMA) {
                        return NEWER_SCHEMA;
                    }
                }
                // The fold's joins are of whole CTE results, whose sizes PostgreSQL guesses from statistics of a
                // table that is emptied twice a second: a guess of a few rows made it a nested loop over CTE scans,
                // quadratic (one fold of a backfill ran for minutes). Hash joins only. Its hash aggregates hold a
                // group per delta row; at the default 4MB of work_mem they spilled to disk (85k rows: 7.8 s
                // against 2.9 s).
                s.execute("SET LOCAL enable_nestloop = off");
                s.execute("SET LOCAL work_mem = '32MB'");
                try (ResultSet rs = s.executeQuery(String.format(FOLD, partition))) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        if (moved > 0) {
            try (var s = c.createStatement()) {
                s.execute("VACUUM (SKIP_LOCKED, TRUNCATE false) " + PARTITION + partition);
            }
        }
        return moved;
    }

    private void foldQuietly() {
        try {
            fold();
        } catch (RuntimeException e) { // the next run tries again; deltas wait in their table meanwhile
            log.warn("folding rollup deltas failed: {}", e.getMessage());
        }
    }

    /**
     * After a commit: when this instance has written more unfolded delta rows than {@link #FOLD_AT} (the
     * background fold is not keeping up, as in a backfill of history whose every event is a minute row of its
     * own), the appending thread folds too, so the deltas stay bounded and ingestion runs at the speed of the
     * folds. The batch is already stored; a failed fold is left to the next one.
     */
    private void foldIfBehind(long rows) {
        if (unfolded.addAndGet(rows) > FOLD_AT) {
            foldQuietly();
        }
    }

    /** Stops the folding thread (waiting for a fold in progress); nothing is lost, deltas wait in their table. */
    @Override
    public void close() {
        if (folder != null) {
            folder.shutdown();
            try {
                folder.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Monthly partitions of the events table, created on first use by whichever instance gets there first. */
    private void ensurePartitions(Connection c, List<UsageEvent> events) throws SQLException {
        Set<LocalDate> months = new HashSet<>();
        for (UsageEvent e : events) {
            months.add(Instant.ofEpochMilli(e.timeMillis()).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1));
        }
        for (LocalDate month : months) {
            String name = String.format("events_p%04d%02d", month.getYear(), month.getMonthValue());
            if (partitions.contains(name)) {
                continue;
            }
            long from = month.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long to = month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            try (var s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF events FOR VALUES FROM (" + from + ") TO (" + to + ")");
            } catch (SQLException e) {
                if (!"42P07".equals(e.getSQLState())) { // another instance created it a moment ago
                    throw e;
                }
            }
            partitions.add(name);
        }
    }

    /**
     * The ids of the three series of each event (see {@link #seriesOf}), creating the missing ones first: one
     * statement inserts them (outside the append's transaction: an unused series is harmless), in one order on
     * every instance so that two inserting the same new series wait for each other instead of deadlocking;
     * once it returns, every one of them is committed (it waited for any other instance's), and one more
     * statement reads their ids.
     */
    private int[][] seriesIds(Connection c, List<UsageEvent> events) throws SQLException {
        int[][] ids = new int[events.size()][];
        TreeSet<SeriesKey> missing = null;
        for (int i = 0; i < ids.length; i++) {
            UsageEvent e = events.get(i);
            if ((ids[i] = lineage.get(new SeriesKey(e.account(), e.model(), e.key(), e.error()))) != null) {
                continue;
            }
            List<SeriesKey> keys = seriesOf(e);
            int[] three = ids[i] = new int[3];
            for (int j = 0; j < 3; j++) {
                Integer id = seriesIds.get(keys.get(j));
                if (id == null) {
                    if (missing == null) {
                        missing = new TreeSet<>(SERIES_ORDER);
                    }
                    missing.add(keys.get(j));
                } else {
                    three[j] = id;
                }
            }
            if (three[0] != 0 && three[1] != 0 && three[2] != 0) {
                lineage.put(keys.get(0), three); // never written again: ids of stored series do not change
            }
        }
        if (missing == null) {
            return ids;
        }
        int n = missing.size();
        String[] accounts = new String[n], models = new String[n], keys = new String[n];
        Boolean[] errors = new Boolean[n];
        int k = 0;
        for (SeriesKey key : missing) {
            accounts[k] = key.account();
            models[k] = key.model();
            keys[k] = key.key();
            errors[k++] = key.error();
        }
        String unnest = "unnest(?::text[], ?::text[], ?::text[], ?::boolean[])";
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO series (account, model, api_key, error) SELECT * FROM "
                + unnest + " ON CONFLICT DO NOTHING");
             PreparedStatement select = c.prepareStatement("SELECT s.id, s.account, s.model, s.api_key, s.error FROM " + unnest
                     + " AS k (account, model, api_key, error) JOIN series s ON s.account = k.account"
                     + " AND s.model IS NOT DISTINCT FROM k.model AND s.api_key IS NOT DISTINCT FROM k.api_key"
                     + " AND s.error IS NOT DISTINCT FROM k.error")) {
            for (PreparedStatement ps : List.of(insert, select)) {
                ps.setArray(1, c.createArrayOf("text", accounts));
                ps.setArray(2, c.createArrayOf("text", models));
                ps.setArray(3, c.createArrayOf("text", keys));
                ps.setArray(4, c.createArrayOf("boolean", errors));
            }
            insert.executeUpdate();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    seriesIds.put(new SeriesKey(rs.getString(2), rs.getString(3), rs.getString(4),
                            (Boolean) rs.getObject(5)), rs.getInt(1));
                }
            }
        }
        for (int i = 0; i < ids.length; i++) {
            List<SeriesKey> three = seriesOf(events.get(i));
            for (int j = 0; j < 3; j++) {
                if (ids[i][j] == 0) {
                    ids[i][j] = seriesIds.get(three.get(j));
                }
            }
        }
        return ids;
    }

    private static final Comparator<SeriesKey> SERIES_ORDER = Comparator.comparing(SeriesKey::account)
            .thenComparing(SeriesKey::model, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(SeriesKey::key, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(SeriesKey::error, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public Optional<String> unavailable() {
        try (Connection c = connection(); var s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("PostgreSQL is unreachable: " + e.getMessage());
        }
    }

    /** Drops the monthly partitions that end before the cutoff (whole tables, no row deletes), and old dedup keys. */
    @Override
    public long dropRawBefore(long cutoffMillis) {
        List<String> old = new ArrayList<>();
        query("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events' AND c.relnamespace = p.relnamespace",
                List.of(), rs -> {
                    String bound = rs.getString(2); // FOR VALUES FROM ('x') TO ('y')
                    String to = bound.substring(bound.lastIndexOf('(') + 1, bound.lastIndexOf(')')).replace("'", "");
                    if (Long.parseLong(to) <= cutoffMillis) {
                        old.add(rs.getString(1));
                    }
                });
        try (Connection c = connection(); var s = c.createStatement()) {
            for (String table : old) {
                s.execute("DROP TABLE IF EXISTS " + table);
                partitions.remove(table);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_keys WHERE time_ms < ?")) {
                ps.setLong(1, cutoffMillis);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("retention failed: " + e.getMessage(), e);
        }
        return -1;
    }

    /**
     * Folds the rollup deltas, then marks the settled pages of both hourly tiers all-visible, so that whole hours
     * are index-only reads (V6, V9); only the current hour's rows change. Autovacuum would do it too, but may be
     * off or behind; an instance whose neighbour is already at it skips.
     */
    @Override
    public void maintain() {
        fold();
        try (Connection c = connection(); var s = c.createStatement()) {
            s.execute("VACUUM (SKIP_LOCKED) " + RollupPlan.HOUR + ", " + HALF_PAST + ", " + QUARTER_PAST + ", " + SIX_HOURS);
        } catch (SQLException e) {
            throw new StoreUnavailableException("maintenance failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long sizeBytes() {
        long[] size = {-1};
        query("SELECT pg_database_size(current_database())", List.of(), rs -> size[0] = rs.getLong(1));
        return size[0];
    }

    // ---------------------------------------------------------------- reads

    /** The series of {@code filter} as SQL over alias s, with its parameters (see SeriesIndex for the kinds). */
    private static String seriesWhere(SeriesFilter f, boolean byModel, List<Object> params) {
        StringBuilder w = new StringBuilder("s.account = ?");
        params.add(f.account());
        if (f.unfiltered() && !byModel) {
            return w.append(" AND s.model IS NULL").toString();
        }
        if (f.byModelOnly()) {
            w.append(" AND s.model IS NOT NULL AND s.api_key IS NULL");
        } else {
            w.append(" AND s.api_key IS NOT NULL");
        }
        in(w, params, "s.model", f.models());
        in(w, params, "s.api_key", f.keys());
        if (f.errors() != null) {
            w.append(" AND s.error = ?");
            params.add(f.errors());
        }
        return w.toString();
    }

    private static void in(StringBuilder sql, List<Object> params, String column, Set<String> values) {
        if (!values.isEmpty()) {
            sql.append(" AND ").append(column).append(" IN (").append("?,".repeat(values.size() - 1)).append("?)");
            params.addAll(values);
        }
    }

    private static final String COLUMNS = "series, minute, " + String.join(", ", METRICS);

    /** The figures of a delta row p. */
    private static final String PENDING_COLUMNS = Arrays.stream(METRICS).map(m -> "p." + m).collect(Collectors.joining(", "));

    /** The id of the account series of series s. */
    private static final String ACCOUNT_SERIES_OF_S = "(SELECT a.id FROM series a WHERE a.account = s.account AND a.model IS NULL)";

    /** The id of the account series of the account given as the parameter. */
    private static final String ACCOUNT_SERIES_OF_PARAMETER = "(SELECT id FROM series WHERE account = ? AND model IS NULL)";

    /**
     * The rollup rows of series s covering [boundaries[0], boundaries[last]) once, from the given tiers (see
     * RollupPlan), and the deltas of that range not folded yet (minute rows, so they fall into any bucket; a
     * delta row adds to its full series, its model series and its account series, and is found among its
     * account's). Callers join it LATERAL to the series they read, so that every part is an index range per
     * series whatever PostgreSQL estimates (with a plain join, an array condition made it scan whole tiers).
     */
    static String source(long[] boundaries, int... tiers) {
        long from = boundaries[0], to = boundaries[boundaries.length - 1];
        String hours = offsetHours(boundaries, tiers);
        if (hours == null) {
            hours = sixHourBlocks(boundaries, tiers);
        }
        if (hours == null) {
            hours = hoursBetweenUnalignedBoundaries(boundaries, tiers);
        }
        String folded = hours != null ? hours : parts(RollupPlan.parts(boundaries, tiers));
        String pending = "SELECT s.id AS series, p.minute, " + PENDING_COLUMNS + " FROM rollup_pending p"
                + " WHERE p.account_series = " + ACCOUNT_SERIES_OF_S + " AND p.minute >= " + from
                + " AND p.minute < " + to + " AND s.id IN (p.full_series, p.model_series, p.account_series)";
        return folded.isEmpty() ? pending : folded + " UNION ALL " + pending;
    }

    private static String parts(List<RollupPlan.Part> parts) {
        return parts.stream()
                .map(p -> "SELECT " + COLUMNS + " FROM " + RollupPlan.table(p.minutes()) + " WHERE series = s.id AND minute >= " + p.from()
                        + " AND minute < " + p.to())
                .collect(Collectors.joining(" UNION ALL "));
    }

    /**
     * Buckets of an hour or more whose boundaries are all at half past an hour (hours and days in Asia/Kolkata,
     * +05:30, and other zones a whole hour and a half off UTC) or all at a quarter past (Asia/Kathmandu, +05:45):
     * RollupPlan would read them from quarter hours, four rows an hour and series. Instead the hours from half past
     * ({@link #HALF_PAST}) or from a quarter past ({@link #QUARTER_PAST}) answer the middle of the period, one row an
     * hour, and the period's own ends, where they are not on such an hour, come from quarter hours and minutes.
     * Interior boundaries all at the same minute of the hour are whole hours apart, so only the first and last
     * bucket can be shorter (a period from a whole UTC hour). Null where that does not apply (no hourly tier, fewer
     * than two buckets, interior boundaries elsewhere).
     */
    static String offsetHours(long[] boundaries, int... tiers) {
        int n = boundaries.length - 1;
        long from = boundaries[0], to = boundaries[n];
        if (tiers[0] != 60 || n < 2) {
            return null;
        }
        int phase = (int) Math.floorMod(boundaries[1], 60);
        String table = phase == 30 ? HALF_PAST : phase == 15 ? QUARTER_PAST : null;
        if (table == null) {
            return null;
        }
        for (int i = 1; i < n; i++) {
            if (Math.floorMod(boundaries[i], 60) != phase) {
                return null;
            }
        }
        long a = from + Math.floorMod(phase - from, 60), b = to - Math.floorMod(to - phase, 60);
        int[] finer = Arrays.copyOfRange(tiers, 1, tiers.length);
        List<RollupPlan.Part> ends = new ArrayList<>(RollupPlan.parts(new long[] {from, a}, finer));
        ends.addAll(RollupPlan.parts(new long[] {b, to}, finer));
        return "SELECT " + COLUMNS + " FROM " + table + " WHERE series = s.id AND minute >= " + a + " AND minute < " + b
                + (ends.isEmpty() ? "" : " UNION ALL " + parts(ends));
    }

    /**
     * Buckets of 12 hours or more whose boundaries are all on whole hours (days, weeks and months in UTC or
     * America/New_York, and every single-bucket sum of that length): RollupPlan would read them from hours, 24 rows
     * a day and series. Instead the six hours ({@link #SIX_HOURS}) answer every block that lies inside one bucket,
     * the blocks a boundary cuts are read as their hours, and the period's ends outside whole blocks come from
     * hours, quarter hours and minutes: 4 rows a day in UTC, 9 in New York. Null where that does not apply (no
     * hourly tier, shorter buckets, a boundary within an hour, no whole block in the period).
     */
    static String sixHourBlocks(long[] boundaries, int... tiers) {
        int n = boundaries.length - 1;
        if (tiers[0] != 60 || (boundaries[n] - boundaries[0]) / n < 720) {
            return null;
        }
        for (int i = 1; i < n; i++) {
            if (Math.floorMod(boundaries[i], 60) != 0) {
                return null;
            }
        }
        return blocks(boundaries, SIX_HOURS, 360, RollupPlan.HOUR, 60, tiers, false);
    }

    /**
     * Long buckets whose boundaries fall within hours but not all at the same minute of the hour (days across a
     * change of offset by half an hour, as in Australia/Lord_Howe; zones whose boundaries are all at a quarter or half
     * past read {@link #offsetHours} first): RollupPlan would read the whole period from quarter hours, 96 rows a day
     * and series. Instead each hour that a boundary
     * cuts is read as its four quarters, and every other hour from the hourly tier: 23 hours and 4 quarters a day.
     * Null where that does not apply (buckets under 4 hours, boundaries not on quarter hours or all on whole hours,
     * no hourly tier).
     */
    static String hoursBetweenUnalignedBoundaries(long[] boundaries, int... tiers) {
        int n = boundaries.length - 1;
        if (tiers[0] != 60 || n < 2 || (boundaries[n] - boundaries[0]) / n < 240) {
            return null;
        }
        for (int i = 1; i < n; i++) {
            if (Math.floorMod(boundaries[i], 15) != 0) {
                return null;
            }
        }
        return blocks(boundaries, RollupPlan.HOUR, 60, RollupPlan.QUARTER, 15, Arrays.copyOfRange(tiers, 1, tiers.length), true);
    }

    /**
     * The period from the {@code coarse}-minute rows of {@code coarseTable} that lie inside one bucket; the coarse
     * rows that an interior boundary cuts from the {@code fine}-minute rows of {@code fineTable} they consist of
     * (each boundary must fall on one); the ends outside whole coarse rows from the {@code ends} tiers (RollupPlan).
     * The cut rows are passed as arrays ({@code minute <> ALL (...)}, {@code minute = ANY (...)}). Null when no
     * coarse row lies in the period, or, with {@code onlyIfCut}, when no boundary cuts one (RollupPlan reads
     * that from the coarse tier itself).
     */
    private static String blocks(long[] boundaries, String coarseTable, int coarse, String fineTable, int fine, int[] ends,
                                 boolean onlyIfCut) {
        int n = boundaries.length - 1;
        long from = boundaries[0], to = boundaries[n];
        long a = Math.floorDiv(from + coarse - 1, coarse) * coarse, b = Math.floorDiv(to, coarse) * coarse;
        if (a >= b) {
            return null;
        }
        TreeSet<Long> cut = new TreeSet<>();
        for (int i = 1; i < n; i++) {
            long block = Math.floorDiv(boundaries[i], coarse) * coarse;
            if (block != boundaries[i] && block >= a && block + coarse <= b) {
                cut.add(block);
            }
        }
        if (cut.isEmpty() && onlyIfCut) {
            return null;
        }
        List<RollupPlan.Part> outside = new ArrayList<>(RollupPlan.parts(new long[] {from, a}, ends));
        outside.addAll(RollupPlan.parts(new long[] {b, to}, ends));
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + coarseTable + " WHERE series = s.id AND minute >= " + a
                + " AND minute < " + b);
        if (!cut.isEmpty()) {
            String fineRows = cut.stream().flatMap(c -> Stream.iterate(c, m -> m < c + coarse, m -> m + fine))
                    .map(Object::toString).collect(Collectors.joining(","));
            sql.append(" AND minute <> ALL ('{").append(cut.stream().map(Object::toString).collect(Collectors.joining(",")))
                    .append("}'::int[]) UNION ALL SELECT ").append(COLUMNS).append(" FROM ").append(fineTable)
                    .append(" WHERE series = s.id AND minute = ANY ('{").append(fineRows).append("}'::int[])");
        }
        if (!outside.isEmpty()) {
            sql.append(" UNION ALL ").append(parts(outside));
        }
        return sql.toString();
    }

    /** The tiers the series of {@code filter} have: full series (key or status filters) have no hourly tier. */
    private static int[] tiers(SeriesFilter f, boolean byModel) {
        boolean full = !(f.unfiltered() && !byModel) && !f.byModelOnly();
        return full ? new int[] {15, 1} : new int[] {60, 15, 1};
    }

    /** Which of the period's buckets a rollup row r falls into (0 when there is one). */
    private static String bucket(long[] boundaries) {
        if (boundaries.length <= 2) {
            return "0";
        }
        return "width_bucket(r.minute, ARRAY[" + Arrays.stream(boundaries, 1, boundaries.length - 1)
                .mapToObj(Long::toString).collect(Collectors.joining(",")) + "]::int[])";
    }

    @Override
    public List<Totals> sum(SeriesFilter filter, long[] boundaries, boolean byModel) {
        if (boundaries.length < 2) {
            return List.of();
        }
        Map<String, Totals> out = new HashMap<>();
        sumRows(filter, boundaries, byModel, rs -> {
            Totals t = totals(rs, 3, rs.getInt(1), rs.getString(2));
            out.merge(t.bucket() + "\n" + t.model(), t, Totals::plus);
        });
        return new ArrayList<>(out.values());
    }

    /** The rows of {@link #sum} by model, added up as they are read (no {@link Totals} per row). */
    @Override
    public PeriodTotals period(SeriesFilter filter, long[] boundaries) {
        PeriodTotals.Builder period = new PeriodTotals.Builder(Math.max(0, boundaries.length - 1));
        if (boundaries.length >= 2) {
            sumRows(filter, boundaries, true, rs -> {
                BigInteger credit;
                try {
                    credit = BigInteger.valueOf(rs.getLong(6)); // a numeric sum, nearly always within 64 bits
                } catch (SQLException beyondLong) {
                    credit = rs.getBigDecimal(6).toBigIntegerExact();
                }
                period.add(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), credit, rs.getLong(7),
                        rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11));
            });
        }
        return period.build();
    }

    /**
     * The figures of {@code filter}'s series per bucket (and model): column 1 the bucket, 2 the model (null
     * unless {@code byModel}), 3 to 11 the figures as {@link #totals} reads them. A bucket and model may come in
     * more than one row; their sum is the answer.
     */
    private void sumRows(SeriesFilter filter, long[] boundaries, boolean byModel, RowHandler rows) {
        List<Object> params = new ArrayList<>();
        String model = byModel ? "s.model" : "NULL::text";
        int[] tiers = tiers(filter, byModel);
        String from = " FROM series s CROSS JOIN LATERAL (" + source(boundaries, tiers) + ") r WHERE "
                + seriesWhere(filter, byModel, params);
        if (rowsPerBucket(boundaries, tiers) > 4) {
            query("SELECT " + bucket(boundaries) + ", " + model + ", " + SUMS + from + " GROUP BY 1, 2", params, rows);
            return;
        }
        // A few rollup rows per bucket and series (30 days by hour: one hour row, or four quarter rows with a key
        // filter; 24 h by minute: one): the rows are added up here. PostgreSQL's GROUP BY would build almost as many
        // groups as rows, at two to three times the cost of reading them.
        String figures = Arrays.stream(METRICS).map(m -> "r." + m).collect(Collectors.joining(", "));
        query("SELECT " + bucket(boundaries) + ", " + model + ", " + figures + from, params, rows);
    }

    /**
     * Roughly how many rollup rows of one series fall into one bucket: the period's minutes over the
     * coarsest tier that answers its middle, per bucket.
     */
    static double rowsPerBucket(long[] boundaries, int... tiers) {
        long rows = 0;
        for (RollupPlan.Part p : RollupPlan.parts(boundaries, tiers)) {
            rows += (p.to() - p.from()) / p.minutes();
        }
        return (double) rows / (boundaries.length - 1);
    }

    /** The nine sums from column {@code at} on, as {@link #SUMS} selects them. */
    private static Totals totals(ResultSet rs, int at, int bucket, String model) throws SQLException {
        return new Totals(bucket, model, rs.getLong(at), rs.getLong(at + 1), rs.getLong(at + 2),
                rs.getBigDecimal(at + 3).toBigIntegerExact(), rs.getLong(at + 4), rs.getLong(at + 5), rs.getLong(at + 6),
                rs.getLong(at + 7), rs.getLong(at + 8));
    }

    /** The account series (model NULL) of every account, summed over [fromMinute, toMinute). */
    @Override
    public List<AccountTotals> perAccount(long fromMinute, long toMinute) {
        if (toMinute <= fromMinute) {
            return List.of();
        }
        TreeMap<String, Totals> out = new TreeMap<>();
        query("SELECT account FROM series WHERE model IS NULL", List.of(), rs -> out.put(rs.getString(1), Totals.zero(0, null)));
        String sql = "SELECT s.account, " + SUMS + " FROM series s CROSS JOIN LATERAL ("
                + source(new long[] {fromMinute, toMinute}, 60, 15, 1) + ") r WHERE s.model IS NULL GROUP BY s.account";
        query(sql, List.of(), rs -> out.put(rs.getString(1), totals(rs, 2, 0, null)));
        List<AccountTotals> list = new ArrayList<>(out.size());
        out.forEach((account, totals) -> list.add(new AccountTotals(account, totals)));
        return list;
    }

    private static final String MINUTE_FIGURES = "SELECT series, minute, requests, prompt_tokens, completion_tokens,"
            + " prompt_tokens + completion_tokens AS tokens";

    /**
     * The deltas of the account given as the parameter, as {@link #MINUTE_FIGURES} rows: each delta row once for
     * each series it adds to (its full, model and account series).
     */
    private static final String PENDING_FIGURES = "SELECT x.series, p.minute, p.requests, p.prompt_tokens, p.completion_tokens,"
            + " p.prompt_tokens + p.completion_tokens AS tokens FROM rollup_pending p"
            + " CROSS JOIN LATERAL (VALUES (p.full_series), (p.model_series), (p.account_series)) x (series)"
            + " WHERE p.account_series = " + ACCOUNT_SERIES_OF_PARAMETER;

    @Override
    public Peak peak(SeriesFilter filter, long fromMinute, long toMinute) {
        if (toMinute <= fromMinute) {
            return new Peak(0, 0);
        }
        List<Object> filterParams = new ArrayList<>(), params = new ArrayList<>();
        String where = seriesWhere(filter, false, filterParams);
        // A minute's figures: its folded row plus its deltas not folded yet.
        String minutes = "SELECT r.minute, sum(r.requests) AS rq, sum(r.prompt_tokens + r.completion_tokens) AS tk"
                + " FROM (" + MINUTE_FIGURES + " FROM rollup_1m UNION ALL " + PENDING_FIGURES + ") r"
                + " JOIN series s ON s.id = r.series WHERE %s AND " + where + " GROUP BY r.minute";
        List<Object> minutesParams = new ArrayList<>(List.of(filter.account()));
        minutesParams.addAll(filterParams);
        long h0 = Math.floorDiv(fromMinute + 59, 60) * 60, h1 = Math.floorDiv(toMinute, 60) * 60;
        boolean single = filter.unfiltered() || (filter.byModelOnly() && filter.models().size() == 1);
        String rows;
        if (single && h0 < h1) {
            // One account or model series: whole hours give their busiest minute, the ends are summed per minute
            // (each end a range of its own, so each is an index range read).
            // An hour's stored peak is its busiest folded minute; a minute with deltas not folded yet can be busier,
            // so those minutes are candidates too, with their deltas and their folded row (an index probe each).
            rows = "SELECT h.peak_requests AS rq, h.peak_tokens AS tk FROM rollup_1h h JOIN series s ON s.id = h.series"
                    + " WHERE h.minute >= " + h0 + " AND h.minute < " + h1 + " AND " + where
                    + " UNION ALL SELECT pm.rq + coalesce(r.requests, 0), pm.tk + coalesce(r.prompt_tokens + r.completion_tokens, 0)"
                    + " FROM (SELECT x.series, x.minute, sum(x.requests) AS rq, sum(x.tokens) AS tk FROM (" + PENDING_FIGURES
                    + ") x JOIN series s ON s.id = x.series WHERE x.minute >= " + h0 + " AND x.minute < " + h1 + " AND " + where
                    + " GROUP BY 1, 2) pm LEFT JOIN rollup_1m r ON r.series = pm.series AND r.minute = pm.minute";
            params.addAll(filterParams);
            params.addAll(minutesParams);
            for (long[] end : new long[][] {{fromMinute, h0}, {h1, toMinute}}) {
                if (end[0] < end[1]) {
                    rows += " UNION ALL SELECT rq, tk FROM (" + String.format(minutes,
                            "r.minute >= " + end[0] + " AND r.minute < " + end[1]) + ") m" + end[0];
                    params.addAll(minutesParams);
                }
            }
        } else {
            rows = String.format(minutes, "r.minute >= " + fromMinute + " AND r.minute < " + toMinute);
            params.addAll(minutesParams);
        }
        String sql = "SELECT coalesce(max(rq), 0)::bigint, coalesce(max(tk), 0)::bigint FROM (" + rows + ") x";
        long[] out = new long[2];
        query(sql, params, rs -> {
            out[0] = rs.getLong(1);
            out[1] = rs.getLong(2);
        });
        return new Peak(out[0], out[1]);
    }

    @Override
    public Optional<long[]> timeRange(String account) {
        List<long[]> out = new ArrayList<>();
        query("SELECT min(f), max(l) FROM (SELECT first_ms AS f, last_ms AS l FROM account_span WHERE account = ?"
                        + " UNION ALL SELECT first_ms, last_ms FROM rollup_pending WHERE account_series = " + ACCOUNT_SERIES_OF_PARAMETER
                        + ") x", List.of(account, account), rs -> {
                    long first = rs.getLong(1);
                    if (!rs.wasNull()) {
                        out.add(new long[] {first, rs.getLong(2)});
                    }
                });
        return out.stream().findFirst();
    }

    @Override
    public List<UsageEvent> events(String account, long fromMillis, long toMillis) {
        List<UsageEvent> out = new ArrayList<>();
        query("SELECT " + EVENT_COLUMNS + " FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, id",
                List.of(account, fromMillis, toMillis), rs -> out.add(event(rs)));
        return out;
    }

    @Override
    public List<UsageEvent> page(EventQuery q) {
        List<Object> params = new ArrayList<>(List.of(q.filter().account(), q.fromMillis(), q.toMillis()));
        StringBuilder sql = new StringBuilder("SELECT ").append(EVENT_COLUMNS)
                .append(" FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ?");
        if (q.beforeMillis() != null) {
            sql.append(" AND (time_ms, id) < (?, ?)");
            params.add(q.beforeMillis());
            params.add(q.beforeId());
        }
        in(sql, params, "model", q.filter().models());
        in(sql, params, "api_key", q.filter().keys());
        if (q.filter().errors() != null) {
            sql.append(" AND error = ?");
            params.add(q.filter().errors());
        }
        sql.append(" ORDER BY time_ms DESC, id DESC LIMIT ").append(q.limit());
        List<UsageEvent> out = new ArrayList<>();
        query(sql.toString(), params, rs -> out.add(event(rs)));
        return out;
    }

    @Override
    public void scan(EventQuery q, Consumer<UsageEvent> sink) {
        EventQuery next = new EventQuery(q.filter(), q.fromMillis(), q.toMillis(), null, null, 10_000);
        while (true) {
            List<UsageEvent> page = page(next);
            page.forEach(sink);
            if (page.size() < next.limit()) {
                return;
            }
            UsageEvent last = page.get(page.size() - 1);
            next = new EventQuery(q.filter(), q.fromMillis(), q.toMillis(), last.timeMillis(), last.id(), 10_000);
        }
    }

    private static UsageEvent event(ResultSet rs) throws SQLException {
        long duration = rs.getLong(11);
        if (rs.wasNull()) {
            duration = -1;
        }
        return new UsageEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), duration,
                rs.getBoolean(12), (Boolean) rs.getObject(13), rs.getString(14), rs.getString(15));
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private void query(String sql, List<Object> params, RowHandler handler) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }
}

package dev.tokenstats.store.duckdb;

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
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.internal.RollupPlan;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded store: one DuckDB file. Writes go through {@link GroupCommit}; reads add up the rollups, and
 * take whole hours of account and model series from {@link HourlyTier} once an account's stats were read.
 * Rollups are keyed by (series, minute) where a series is an (account[, model[, key, status]])
 * combination from {@link SeriesIndex}; every event adds to three series (full, model, account), so any
 * filter is answered from one series kind without touching raw events.
 */
public final class DuckDbUsageStore implements UsageStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DuckDbUsageStore.class);

    /** Default free disk to keep; below it writes are refused (503) before DuckDB meets a full disk. */
    public static final long MIN_FREE_BYTES = 64L << 20;

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration dedupWindow;
    private final int writers;
    private final long minFreeBytes;
    private final java.nio.file.Path dataDir;
    private final Object recovery = new Object();
    private volatile Open open;
    private volatile String down;

    /** Everything that lives as long as one opening of the DuckDB database. */
    private record Open(SeriesIndex series, Map<String, long[]> spans, Dedup dedup, HourlyTier hours,
                        GroupCommit writes) {
    }

    /**
     * Hours the in-memory hourly tier keeps (about 100–200 bytes each): a tenth of the heap, at most 2M (the
     * heaviest account of the 100M-event bench holds 67k).
     */
    static long hourlyCells() {
        return Math.min(2_000_000L, Runtime.getRuntime().maxMemory() / 10 / 100);
    }

    /**
     * Opens the store on a migrated DuckDB database.
     *
     * @param dedupWindow how far back (by event time) duplicates are recognised
     * @param writers      writer threads (each with its own connection); 2 suits 2 cores
     * @param minFreeBytes writes are refused while the data folder's disk has less free space
     */
    public DuckDbUsageStore(DataSource dataSource, Clock clock, Duration dedupWindow, int writers, long minFreeBytes) {
        this.minFreeBytes = minFreeBytes;
        this.dataSource = dataSource;
        this.clock = clock;
        this.dedupWindow = dedupWindow;
        this.writers = writers;
        try (Connection c = dataSource.getConnection()) {
            this.dataDir = databaseDir(c);
            this.open = open(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the DuckDB store: " + e.getMessage(), e);
        }
    }

    public DuckDbUsageStore(DataSource dataSource, Clock clock, Duration dedupWindow) {
        this(dataSource, clock, dedupWindow, 2, MIN_FREE_BYTES);
    }

    private static java.nio.file.Path databaseDir(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")) {
            rs.next();
            return java.nio.file.Path.of(rs.getString(1)).toAbsolutePath().getParent();
        }
    }

    /** Loads the state (series, spans, dedup keys) from the database and starts the writers. */
    private Open open(Connection c) throws SQLException {
        DuckDBConnection root = c.unwrap(DuckDBConnection.class);
        SeriesIndex series = new SeriesIndex();
        Map<String, long[]> spans = new ConcurrentHashMap<>();
        Dedup dedup = new Dedup(load(root, series, spans));
        HourlyTier hours = new HourlyTier(hourlyCells(), clock);
        List<DuckDBConnection> connections = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            connections.add(root.duplicate());
        }
        GroupCommit writes = new GroupCommit(connections, clock, this::oldestMinute, series, hours, dedup, spans,
                this::writable, this::fatal);
        return new Open(series, spans, dedup, hours, writes);
    }

    /** Null when writes may go ahead, else why not. */
    private String writable() {
        if (down != null) {
            return down;
        }
        try {
            long free = java.nio.file.Files.getFileStore(dataDir).getUsableSpace();
            return free < minFreeBytes ? "the disk of " + dataDir + " is full (" + (free >> 20) + " MiB free)" : null;
        } catch (java.io.IOException e) {
            return "cannot read the free space of " + dataDir + ": " + e.getMessage();
        }
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(writable());
    }

    /** Deletes whole stretches of old rows at once; DuckDB reclaims fully deleted row groups at checkpoint. */
    @Override
    public long dropRawBefore(long cutoffMillis) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            return s.executeUpdate("DELETE FROM events WHERE time_ms < " + cutoffMillis);
        } catch (SQLException e) {
            throw new StoreUnavailableException("retention failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long sizeBytes() {
        long total = 0;
        try (var files = java.nio.file.Files.list(dataDir)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                if (f.getFileName().toString().startsWith("tokenstats.duckdb")) {
                    total += java.nio.file.Files.size(f);
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return total;
    }

    /**
     * DuckDB invalidates a database after a fatal I/O error (such as a full disk during a commit or a
     * checkpoint); it must be opened anew. Refuse writes, stop the writers, drop every pooled connection,
     * then reopen until it works, and reload the state from the database: the outcome of the failed commit
     * is read back from the file, never guessed.
     */
    private void fatal(SQLException cause) {
        synchronized (recovery) {
            if (down != null) {
                return;
            }
            down = "the store is recovering from: " + cause.getMessage();
        }
        log.error("DuckDB failed fatally; reopening: {}", cause.getMessage());
        Thread recoverer = new Thread(() -> {
            open.writes().abort();
            long delay = 500;
            while (true) {
                evictPooledConnections();
                try (Connection c = dataSource.getConnection()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CHECKPOINT");
                    }
                    open = open(c);
                    down = null;
                    log.info("DuckDB store reopened");
                    return;
                } catch (SQLException | RuntimeException e) {
                    log.warn("DuckDB store still unavailable: {}", e.getMessage());
                }
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    return;
                }
                delay = Math.min(delay * 2, 5_000);
            }
        }, "duckdb-recovery");
        recoverer.setDaemon(true);
        recoverer.start();
    }

    private void evictPooledConnections() {
        if (dataSource instanceof com.zaxxer.hikari.HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private int oldestMinute() {
        return (int) (clock.millis() / 60_000 - dedupWindow.toMinutes());
    }

    private KeyIndex load(Connection c, SeriesIndex series, Map<String, long[]> spans) throws SQLException {
        long t0 = System.nanoTime();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, account, model, api_key, error, slot FROM series ORDER BY id")) {
                while (rs.next()) {
                    series.load(new Series(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            (Boolean) rs.getObject(5), rs.getInt(6) % SeriesIndex.SHARDS));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT account, min(first_ms), max(last_ms) FROM account_span GROUP BY account")) {
                while (rs.next()) {
                    spans.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            int oldest = oldestMinute();
            long since = oldest * 60_000L;
            long count;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events WHERE time_ms >= " + since)) {
                rs.next();
                count = rs.getLong(1);
            }
            KeyIndex index = new KeyIndex((int) Math.min(count * 2 + 1024, 1 << 29));
            long[] f = new long[2];
            try (ResultSet rs = s.executeQuery("SELECT account, id, time_ms FROM events WHERE time_ms >= " + since)) {
                while (rs.next()) {
                    KeyIndex.fingerprint(rs.getString(1), rs.getString(2), f, 0);
                    index.add(f[0], f[1], (int) (rs.getLong(3) / 60_000), oldest);
                }
            }
            log.info("DuckDB store open: {} series, {} accounts, {} dedup keys in window ({} MiB) loaded in {} ms",
                    series.size(), spans.size(), index.size(), index.bytes() >> 20,
                    (System.nanoTime() - t0) / 1_000_000);
            return index;
        }
    }

    @Override
    public AppendResult append(List<UsageEvent> events) {
        String reason = writable();
        if (reason != null) {
            throw new StoreUnavailableException(reason, null);
        }
        return events.isEmpty() ? new AppendResult(0, 0) : open.writes().append(events);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<Totals> sum(SeriesFilter filter, long[] boundaries, boolean byModel) {
        List<Series> matching = open.series().matching(filter, byModel);
        if (matching.isEmpty() || boundaries.length < 2) {
            return List.of();
        }
        return withCells(matching, boundaries, plan -> sum(matching, boundaries, byModel, plan));
    }

    private List<Totals> sum(List<Series> matching, long[] boundaries, boolean byModel, Plan plan) {
        Map<Integer, String> modelOf = new HashMap<>();
        matching.forEach(s -> modelOf.put(s.id(), s.model()));
        Map<String, Totals> merged = new LinkedHashMap<>();
        if (!plan.scans().isEmpty()) {
            query(RollupSql.sum(matching, boundaries, byModel, plan.scans()), rs -> {
                int bucket = rs.getInt(1);
                String model = byModel ? modelOf.get(rs.getInt(2)) : null;
                Totals t = totals(rs, 3, bucket, model);
                merged.merge(bucket + "\u0000" + model, t, Totals::plus);
            });
        }
        Map<String, long[][]> sums = new LinkedHashMap<>(); // model (or "" ungrouped) → bucket → nine sums
        int n = boundaries.length - 1;
        plan.eachCell(matching, boundaries, s -> {
            long[][] perBucket = sums.computeIfAbsent(byModel ? s.model() : "", m -> new long[n][]);
            return (bucket, nine, at) ->
                    add(perBucket[bucket] == null ? perBucket[bucket] = new long[SUMS] : perBucket[bucket], nine, at);
        });
        sums.forEach((key, perBucket) -> {
            String model = byModel ? key : null;
            for (int b = 0; b < n; b++) {
                if (perBucket[b] != null) {
                    merged.merge(b + "\u0000" + model, totals(perBucket[b], b, model), Totals::plus);
                }
            }
        });
        return List.copyOf(merged.values());
    }

    // ------------------------------------------------- reads over the in-memory hourly tier

    /** The nine sums of {@link RollupSql#SUMS}. */
    private static final int SUMS = HourlyTier.SUMS;

    /**
     * How one read is split: the parts DuckDB scans, and the parts the loaded account of {@link HourlyTier}
     * answers (none when {@code account} is null): whole hours, and minutes from the account's minute window
     * on. When both are used, the answer holds only if no commit began since {@code commits} (see HourlyTier).
     */
    private record Plan(List<RollupPlan.Part> scans, List<RollupPlan.Part> fromMemory, HourlyTier.Account account,
                        long commits) {

        interface Visitor {
            /** Adds the nine sums {@code nine[at .. at + 9)} of an hour or a minute to a bucket. */
            void add(int bucket, long[] nine, int at);
        }

        boolean holds(HourlyTier tier) {
            return account == null || scans.isEmpty() || tier.noCommitSince(commits);
        }

        /**
         * Visits each hour (60-minute parts) or minute (finer parts) of the series in the parts the memory
         * answers, with its bucket, through the visitor {@code perSeries} gives for its series (asked only for
         * series with rows there).
         *
         * @throws HourlyTier.MemoryMoved when minutes the plan counted on were dropped meanwhile
         */
        void eachCell(List<Series> series, long[] boundaries, java.util.function.Function<Series, Visitor> perSeries) {
            if (account == null) {
                return;
            }
            long[] nine = new long[SUMS];
            account.lock.readLock().lock();
            try {
                for (Series s : series) {
                    HourlyTier.Hours h = account.hours(s.id());
                    if (h == null) {
                        continue;
                    }
                    Visitor visitor = null;
                    for (RollupPlan.Part part : fromMemory) {
                        boolean byHour = part.minutes() == 60;
                        int i = h.from(Math.floorDiv(part.from(), 60) * 60);
                        int b = -1;
                        for (; i < h.size() && h.hour(i) < part.to(); i++) {
                            long hour = h.hour(i);
                            if (byHour) {
                                b = bucket(boundaries, hour, b);
                                for (int m = 0; m < SUMS; m++) {
                                    nine[m] = h.sum(m, i);
                                }
                                visitor = visitor == null ? perSeries.apply(s) : visitor;
                                visitor.add(b, nine, 0);
                                continue;
                            }
                            long[] minutes = h.minutes(i);
                            if (minutes == null) {
                                throw new HourlyTier.MemoryMoved();
                            }
                            int last = (int) Math.min(60, part.to() - hour);
                            for (int k = (int) Math.max(0, part.from() - hour); k < last; k++) {
                                if (minutes[k * SUMS] != 0) { // every row counts one request at least
                                    b = bucket(boundaries, hour + k, b);
                                    visitor = visitor == null ? perSeries.apply(s) : visitor;
                                    visitor.add(b, minutes, k * SUMS);
                                }
                            }
                        }
                    }
                }
            } finally {
                account.lock.readLock().unlock();
            }
        }

        /** The bucket of {@code minute}, walking on from {@code b} (minutes ascend), or searched when b < 0. */
        private static int bucket(long[] boundaries, long minute, int b) {
            if (b < 0) {
                b = java.util.Arrays.binarySearch(boundaries, minute);
                return b >= 0 ? b : -b - 2;
            }
            while (boundaries[b + 1] <= minute) {
                b++;
            }
            return b;
        }
    }

    /**
     * Runs a read with the in-memory hours and minutes for what they can answer, again if a commit began or the
     * minute window moved meanwhile, and from DuckDB alone when the memory cannot answer.
     */
    private <T> T withCells(List<Series> series, long[] boundaries, java.util.function.Function<Plan, T> read) {
        Open o = open;
        for (int attempt = 0; attempt < 3; attempt++) {
            Plan plan = plan(o, series, boundaries);
            if (plan == null) {
                break;
            }
            try {
                T result = read.apply(plan);
                if (plan.holds(o.hours())) {
                    return result;
                }
            } catch (HourlyTier.MemoryMoved moved) {
                // plan again with the account's new window
            } catch (ArithmeticException overflow) {
                break; // a sum beyond a long: DuckDB adds up exactly
            }
        }
        return read.apply(new Plan(RollupSql.parts(series, boundaries), List.of(), null, -1));
    }

    /** The plan with the in-memory hours and minutes, or null when they cannot take part now. */
    private Plan plan(Open o, List<Series> series, long[] boundaries) {
        List<RollupPlan.Part> all = RollupSql.parts(series, boundaries);
        long window = o.hours().minutesFrom();
        if (series.get(0).kind() == SeriesIndex.Kind.FULL
                || all.stream().noneMatch(p -> p.minutes() == 60 || p.to() > window)) {
            return null;
        }
        long commits = o.hours().quietCommits(); // before the memory is read
        HourlyTier.Account account = loadedAccount(o, series.get(0).account());
        if (account == null) {
            return null;
        }
        long from = account.minutesFrom;
        List<RollupPlan.Part> scans = new ArrayList<>(), memory = new ArrayList<>();
        for (RollupPlan.Part p : all) {
            if (p.minutes() == 60 || p.from() >= from) {
                memory.add(p);
            } else if (p.to() <= from) {
                scans.add(p);
            } else { // from is on the hour: both halves stay aligned to the part's tier
                scans.add(new RollupPlan.Part(p.minutes(), p.from(), from));
                memory.add(new RollupPlan.Part(p.minutes(), from, p.to()));
            }
        }
        if (!scans.isEmpty() && commits < 0) {
            return null; // a commit in flight may be in DuckDB and not yet in memory
        }
        return new Plan(scans, memory, account, commits);
    }

    private HourlyTier.Account loadedAccount(Open o, String account) {
        return o.hours().account(account, name -> loadAccount(o, name));
    }

    /**
     * Reads an account's hours (sums of folded and recent rows, stored peaks, the minutes of hours with recent
     * rows) in one snapshot while no commit runs, and publishes them; null if that could not be done now.
     */
    private HourlyTier.Account loadAccount(Open o, String name) {
        return o.writes().exclusively(() -> {
            long t0 = System.nanoTime();
            HourlyTier.Account known = o.hours().loaded(name);
            if (known != null) {
                return known; // loaded by a read that ran in parallel
            }
            List<Series> series = o.series().ofAccount(name).stream().filter(s -> !s.isFull()).toList();
            HourlyTier.Account a = new HourlyTier.Account(o.hours().minutesFrom());
            if (!series.isEmpty()) {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
                        try (ResultSet rs = s.executeQuery(RollupSql.hoursOf(series))) {
                            long[] sums = new long[SUMS];
                            while (rs.next()) {
                                sums(rs, 3, sums);
                                long hour = rs.getLong(2);
                                boolean keepMinutes = rs.getBoolean(14) || hour >= a.minutesFrom; // recent rows, or in the window
                                a.series.computeIfAbsent(rs.getInt(1), x -> new HourlyTier.Hours())
                                        .load(hour, sums, rs.getLong(12), rs.getLong(13), keepMinutes);
                                if (keepMinutes) {
                                    lo = Math.min(lo, hour);
                                    hi = Math.max(hi, hour + 60);
                                }
                            }
                        }
                        if (lo < hi) {
                            try (ResultSet rs = s.executeQuery(RollupSql.minutesOf(series, lo, hi))) {
                                long[] sums = new long[SUMS];
                                while (rs.next()) {
                                    HourlyTier.Hours h = a.series.get(rs.getInt(1));
                                    if (h != null) {
                                        h.addMinute(rs.getLong(2), sums(rs, 3, sums));
                                    }
                                }
                            }
                        }
                    } finally {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                } catch (SQLException e) {
                    throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
                } catch (ArithmeticException tooLarge) {
                    return null; // credits beyond a long: this account is read from DuckDB
                }
            }
            o.hours().publish(name, a);
            log.info("hourly rollup of account {} in memory: {} hours of {} series, read in {} ms", name, a.cells(),
                    a.series.size(), (System.nanoTime() - t0) / 1_000_000);
            return a;
        });
    }

    /** sums += nine[at .. at + 9), exactly (ArithmeticException beyond a long). */
    private static void add(long[] sums, long[] nine, int at) {
        for (int m = 0; m < SUMS; m++) {
            sums[m] = Math.addExact(sums[m], nine[at + m]);
        }
    }

    /** The nine sums of {@link RollupSql#SUMS} from column {@code first} on, into out (credits exact in a long). */
    private static long[] sums(ResultSet rs, int first, long[] out) throws SQLException {
        for (int m = 0; m < SUMS; m++) {
            out[m] = m == 3 ? rs.getBigDecimal(first + m).longValueExact() : rs.getLong(first + m);
        }
        return out;
    }

    private static Totals totals(long[] a, int bucket, String model) {
        return new Totals(bucket, model, a[0], a[1], a[2], BigInteger.valueOf(a[3]), a[4], a[5], a[6], a[7], a[8]);
    }

    /** The nine sums of {@link RollupSql#SUMS}, read from column {@code first} on. */
    private static Totals totals(ResultSet rs, int first, int bucket, String model) throws SQLException {
        return new Totals(bucket, model, rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2),
                rs.getBigDecimal(first + 3).toBigIntegerExact(), rs.getLong(first + 4), rs.getLong(first + 5),
                rs.getLong(first + 6), rs.getLong(first + 7), rs.getLong(first + 8));
    }

    @Override
    public PeriodTotals period(SeriesFilter filter, long[] boundaries) {
        List<Series> matching = open.series().matching(filter, true);
        if (matching.isEmpty() || boundaries.length < 2) {
            return new PeriodTotals(List.of(), List.of(), Map.of());
        }
        return withCells(matching, boundaries, plan -> period(matching, boundaries, plan));
    }

    private PeriodTotals period(List<Series> matching, long[] boundaries, Plan plan) {
        int n = boundaries.length - 1;
        Map<Integer, String> modelOf = new HashMap<>();
        matching.forEach(s -> modelOf.put(s.id(), s.model()));
        Map<Integer, Totals> perBucket = new TreeMap<>();
        Map<String, Totals> perModel = new HashMap<>();
        Map<String, long[]> requests = new HashMap<>();
        if (!plan.scans().isEmpty()) {
            query(RollupSql.period(matching, boundaries, plan.scans()), rs -> {
                int kind = rs.getInt(1), bucket = rs.getInt(2);
                if (kind == 2) {
                    requests.computeIfAbsent(modelOf.get(rs.getInt(3)), m -> new long[n])[bucket] += rs.getLong(4);
                    return;
                }
                String model = kind == 1 ? modelOf.get(rs.getInt(3)) : null;
                Totals t = totals(rs, 4, bucket, model);
                if (kind == 0) {
                    perBucket.merge(bucket, t, Totals::plus);
                } else {
                    perModel.merge(model, t, Totals::plus);
                }
            });
        }
        long[][] bucketSums = new long[n][];
        Map<String, long[]> modelSums = new HashMap<>();
        plan.eachCell(matching, boundaries, s -> {
            long[] model = modelSums.computeIfAbsent(s.model(), m -> new long[SUMS]);
            long[] trend = requests.computeIfAbsent(s.model(), m -> new long[n]);
            return (bucket, nine, at) -> {
                add(bucketSums[bucket] == null ? bucketSums[bucket] = new long[SUMS] : bucketSums[bucket], nine, at);
                add(model, nine, at);
                trend[bucket] += nine[at];
            };
        });
        for (int b = 0; b < n; b++) {
            if (bucketSums[b] != null) {
                perBucket.merge(b, totals(bucketSums[b], b, null), Totals::plus);
            }
        }
        modelSums.forEach((model, a) -> perModel.merge(model, totals(a, 0, model), Totals::plus));
        return new PeriodTotals(List.copyOf(perBucket.values()), List.copyOf(perModel.values()), requests);
    }

    /**
     * The account series of every account (of every shard), summed over one bucket and grouped by series.
     */
    @Override
    public List<AccountTotals> perAccount(long fromMinute, long toMinute) {
        List<Series> accounts = open.series().accountSeries();
        if (accounts.isEmpty() || toMinute <= fromMinute) {
            return List.of();
        }
        Map<Integer, String> accountOf = new HashMap<>();
        accounts.forEach(s -> accountOf.put(s.id(), s.account()));
        TreeMap<String, Totals> out = new TreeMap<>();
        accounts.forEach(s -> out.put(s.account(), Totals.zero(0, null)));
        String sql = RollupSql.sum(accounts, new long[] {fromMinute, toMinute}, true);
        query(sql, rs -> out.merge(accountOf.get(rs.getInt(2)), totals(rs, 3, 0, null), Totals::plus));
        List<AccountTotals> list = new ArrayList<>(out.size());
        out.forEach((account, totals) -> list.add(new AccountTotals(account, totals)));
        return list;
    }

    @Override
    public Peak peak(SeriesFilter filter, long fromMinute, long toMinute) {
        List<Series> matching = open.series().matching(filter, false);
        if (matching.isEmpty() || toMinute <= fromMinute) {
            return new Peak(0, 0);
        }
        long[] out = new long[2];
        Series single = matching.size() == 1 && matching.get(0).kind() != SeriesIndex.Kind.FULL ? matching.get(0) : null;
        if (single == null) {
            query(RollupSql.peak(matching, fromMinute, toMinute), rs -> {
                out[0] = rs.getLong(1);
                out[1] = rs.getLong(2);
            });
            return new Peak(out[0], out[1]);
        }
        Peak fromCells = peakFromCells(single, fromMinute, toMinute);
        if (fromCells != null) {
            return fromCells;
        }
        // Which hours are still pending and their minutes must be read together, in one snapshot.
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                List<Long> pending = new ArrayList<>();
                if (Math.floorDiv(fromMinute + 59, 60) < Math.floorDiv(toMinute, 60)) { // some whole hour inside
                    try (ResultSet rs = s.executeQuery(RollupSql.pendingHours(single, fromMinute, toMinute))) {
                        while (rs.next()) {
                            pending.add(rs.getLong(1));
                        }
                    }
                }
                try (ResultSet rs = s.executeQuery(RollupSql.peakOfSeries(single, fromMinute, toMinute, pending))) {
                    rs.next();
                    out[0] = rs.getLong(1);
                    out[1] = rs.getLong(2);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
        return new Peak(out[0], out[1]);
    }

    /**
     * The busiest minute of one account or model series: the in-memory peaks of the whole hours inside
     * [from, to) and the in-memory minutes of the ends within the minute window; from DuckDB the minutes of
     * the ends before it and of hours whose peak only DuckDB knows (late rows). Null when the memory cannot
     * answer (nothing of the period in it, a commit in flight).
     */
    private Peak peakFromCells(Series single, long fromMinute, long toMinute) {
        long h0 = Math.floorDiv(fromMinute + 59, 60) * 60, h1 = Math.floorDiv(toMinute, 60) * 60;
        Open o = open;
        if (h0 >= h1 && toMinute <= o.hours().minutesFrom()) {
            return null; // no whole hour, and no minute of the window
        }
        List<long[]> ends = new ArrayList<>(2);
        if (h0 >= h1) {
            ends.add(new long[] {fromMinute, toMinute});
        } else {
            if (fromMinute < h0) {
                ends.add(new long[] {fromMinute, h0});
            }
            if (h1 < toMinute) {
                ends.add(new long[] {h1, toMinute});
            }
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            long commits = o.hours().quietCommits(); // before the memory is read
            HourlyTier.Account a = loadedAccount(o, single.account());
            if (a == null) {
                return null;
            }
            long[] out = new long[2];
            List<long[]> minutes = new ArrayList<>(); // read from DuckDB
            a.lock.readLock().lock();
            try {
                HourlyTier.Hours h = a.hours(single.id());
                for (long[] end : ends) {
                    if (!endPeak(h, end[0], end[1], a.minutesFrom, out)) {
                        minutes.add(end);
                    }
                }
                for (int i = h == null ? 0 : h.from(h0); h != null && i < h.size() && h.hour(i) < h1; i++) {
                    if (!h.maxPeakInto(i, out)) {
                        minutes.add(new long[] {h.hour(i), h.hour(i) + 60});
                    }
                }
            } finally {
                a.lock.readLock().unlock();
            }
            if (minutes.isEmpty()) {
                return new Peak(out[0], out[1]);
            }
            if (commits < 0) {
                return null;
            }
            query(RollupSql.peak(List.of(single), minutes), rs -> {
                out[0] = Math.max(out[0], rs.getLong(1));
                out[1] = Math.max(out[1], rs.getLong(2));
            });
            if (o.hours().noCommitSince(commits)) {
                return new Peak(out[0], out[1]);
            }
        }
        return null;
    }

    /**
     * Raises out to the busiest minute in [from, to) (an end of a period, shorter than two hours) from the
     * minutes in memory; false when some of them are not there (before the window, or dropped).
     */
    private static boolean endPeak(HourlyTier.Hours h, long from, long to, long minutesFrom, long[] out) {
        if (from < minutesFrom) {
            return false;
        }
        for (long hour = Math.floorDiv(from, 60) * 60; h != null && hour < to; hour += 60) {
            int i = h.indexOf(hour);
            if (i < 0) {
                continue; // no rows in that hour
            }
            long[] m = h.minutes(i);
            if (m == null) {
                return false;
            }
            HourlyTier.Hours.maxPeakInto(m, (int) Math.max(0, from - hour), (int) Math.min(60, to - hour), out);
        }
        return true;
    }

    @Override
    public Optional<long[]> timeRange(String account) {
        long[] span = open.spans().get(account);
        return span == null ? Optional.empty() : Optional.of(span.clone());
    }

    private static final String EVENT_COLUMNS = "account, id, time_ms, model, api_key, prompt_tokens,"
            + " completion_tokens, cached_tokens, quota, credit_nanos, duration_ms, error, stream, grp, channel";

    @Override
    public List<UsageEvent> events(String account, long fromMillis, long toMillis) {
        return select("SELECT " + EVENT_COLUMNS + " FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ?"
                + " ORDER BY time_ms, id", List.of(account, fromMillis, toMillis));
    }

    /**
     * Newest first without an index: DuckDB skips row groups by their time range, so the page is read
     * from a window below the cursor that widens (x8) until the page is full or the period is exhausted.
     */
    @Override
    public List<UsageEvent> page(EventQuery q) {
        List<UsageEvent> out = new ArrayList<>();
        long hi = q.beforeMillis() == null ? q.toMillis() : Math.min(q.toMillis(), q.beforeMillis() + 1);
        long window = 3_600_000L;
        while (out.size() < q.limit() && hi > q.fromMillis()) {
            long lo = Math.max(q.fromMillis(), hi - window);
            List<Object> params = new ArrayList<>(List.of(q.filter().account(), lo, hi));
            StringBuilder sql = new StringBuilder("SELECT ").append(EVENT_COLUMNS)
                    .append(" FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ?");
            if (q.beforeMillis() != null) {
                sql.append(" AND (time_ms < ? OR (time_ms = ? AND id < ?))");
                params.addAll(List.of(q.beforeMillis(), q.beforeMillis(), q.beforeId()));
            }
            in(sql, params, "model", q.filter().models());
            in(sql, params, "api_key", q.filter().keys());
            if (q.filter().errors() != null) {
                sql.append(" AND error = ?");
                params.add(q.filter().errors());
            }
            sql.append(" ORDER BY time_ms DESC, id DESC LIMIT ").append(q.limit() - out.size());
            out.addAll(select(sql.toString(), params));
            hi = lo;
            window *= 8;
        }
        return out;
    }

    @Override
    public void scan(EventQuery q, java.util.function.Consumer<UsageEvent> sink) {
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

    private static void in(StringBuilder sql, List<Object> params, String column, java.util.Set<String> values) {
        if (!values.isEmpty()) {
            sql.append(" AND ").append(column).append(" IN (").append("?,".repeat(values.size() - 1)).append("?)");
            params.addAll(values);
        }
    }

    private List<UsageEvent> select(String sql, List<Object> params) {
        List<UsageEvent> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long duration = rs.getLong(11);
                    if (rs.wasNull()) {
                        duration = -1;
                    }
                    out.add(new UsageEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10), duration, rs.getBoolean(12), (Boolean) rs.getObject(13),
                            rs.getString(14), rs.getString(15)));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
        return out;
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowHandler handler) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                handler.row(rs);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }

    /** How many times the recent rollups were folded since the store opened. */
    public long folds() {
        return open.writes().folds();
    }

    @Override
    public void close() {
        open.writes().close();
    }
}

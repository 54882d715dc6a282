package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.AccountTotals;
import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.Peak;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.StoreUnavailableException;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import org.duckdb.DuckDBAppender;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The embedded store: one DuckDB file.
 *
 * <p>Design. DuckDB appends fast but wants one writer and few, large transactions; the gateway sends
 * many small requests at once. So every append is handed to a single writer thread that group-commits:
 * it takes whatever requests are queued (up to {@link #MAX_GROUP_EVENTS} events), and in ONE transaction
 * drops duplicates, appends the new raw events, adds their sums into the minute and quarter-hour rollups
 * and the account spans, then commits; only after the commit (DuckDB writes and syncs its WAL) are the
 * waiting requests answered. A failed commit rolls everything back and fails every request of the group,
 * so a request is always all-or-nothing, and an acknowledged one survives a crash.
 *
 * <p>Dedup uses {@link KeyIndex}, an in-memory set of fingerprints of the (account, id) pairs stored
 * within the dedup window, rebuilt from the events table at start and extended only after a commit.
 * Rollups are keyed by (series, minute) where a series is an (account[, model[, key, status]])
 * combination from {@link SeriesIndex}; every event adds to three series (full, model, account), so
 * any filter is answered from one series kind without touching raw events.
 */
public final class DuckDbUsageStore implements UsageStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DuckDbUsageStore.class);
    static final int MAX_GROUP_EVENTS = 50_000;
    private static final String[] METRICS = {"requests", "errors", "quota", "credit_nanos", "prompt_tokens",
            "completion_tokens", "cached_tokens", "duration_sum", "duration_count"};

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration dedupWindow;
    private final SeriesIndex series = new SeriesIndex();
    private final Map<String, long[]> spans = new ConcurrentHashMap<>();
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(256);
    private final KeyIndex keys;
    private final Thread writerThread;
    private final DuckDBConnection writer;
    private volatile boolean running = true;

    private record Pending(List<UsageEvent> events, CompletableFuture<AppendResult> result) {
    }

    public DuckDbUsageStore(DataSource dataSource, Clock clock, Duration dedupWindow) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.dedupWindow = dedupWindow;
        try (Connection c = dataSource.getConnection()) {
            this.writer = c.unwrap(DuckDBConnection.class).duplicate();
            this.keys = load(writer);
            try (Statement s = writer.createStatement()) {
                for (String t : new String[] {"d_1m", "d_15m"}) {
                    s.execute("CREATE TEMP TABLE " + t + " AS SELECT * FROM rollup_1m LIMIT 0");
                }
                s.execute("CREATE TEMP TABLE d_span AS SELECT * FROM account_span LIMIT 0");
            }
            writer.setAutoCommit(false);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the DuckDB store: " + e.getMessage(), e);
        }
        writerThread = new Thread(this::writeLoop, "duckdb-writer");
        writerThread.start();
    }

    private int oldestMinute() {
        return (int) (clock.millis() / 60_000 - dedupWindow.toMinutes());
    }

    private KeyIndex load(Connection c) throws SQLException {
        long t0 = System.nanoTime();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, account, model, api_key, error FROM series ORDER BY id")) {
                while (rs.next()) {
                    series.load(new Series(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            (Boolean) rs.getObject(5)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT account, first_ms, last_ms FROM account_span")) {
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
            try (ResultSet rs = s.executeQuery("SELECT account, id, time_ms FROM events WHERE time_ms >= " + since)) {
                while (rs.next()) {
                    long[] f = index.fingerprint(rs.getString(1), rs.getString(2));
                    index.add(f[0], f[1], (int) (rs.getLong(3) / 60_000), oldest);
                }
            }
            log.info("DuckDB store open: {} series, {} accounts, {} dedup keys in window ({} MiB) loaded in {} ms",
                    series.size(), spans.size(), index.size(), index.bytes() >> 20,
                    (System.nanoTime() - t0) / 1_000_000);
            return index;
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public AppendResult append(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return new AppendResult(0, 0);
        }
        Pending p = new Pending(events, new CompletableFuture<>());
        try {
            if (!running || !queue.offer(p, 30, TimeUnit.SECONDS)) {
                throw new StoreUnavailableException("the store is not accepting writes", null);
            }
            return p.result.get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while writing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreUnavailableException su) {
                throw su;
            }
            throw new StoreUnavailableException("write failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("write did not complete in time", e);
        }
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int n = first.events.size();
                Pending next;
                while (n < MAX_GROUP_EVENTS && (next = queue.poll()) != null) {
                    group.add(next);
                    n += next.events.size();
                }
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                log.error("writer failed", e);
                group.forEach(p -> p.result.completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
        queue.forEach(p -> p.result.completeExceptionally(
                new StoreUnavailableException("the store is closing", null)));
    }

    /** One transaction for a whole group of requests; see the class comment. */
    private void commit(List<Pending> group) {
        int oldest = oldestMinute();
        List<long[]> added = new ArrayList<>();
        KeyIndex batchKeys = new KeyIndex(1024);
        AppendResult[] results = new AppendResult[group.size()];
        Map<Long, long[]> perMinute = new HashMap<>();
        Map<Long, long[]> perQuarter = new HashMap<>();
        Map<String, long[]> spanDelta = new LinkedHashMap<>();
        try (Statement s = writer.createStatement()) {
            s.execute("DELETE FROM d_1m"); // also opens the transaction the appenders join
            s.execute("DELETE FROM d_15m");
            s.execute("DELETE FROM d_span");
            try (DuckDBAppender events = writer.createAppender("main", "events")) {
                for (int g = 0; g < group.size(); g++) {
                    int accepted = 0, duplicates = 0;
                    for (UsageEvent e : group.get(g).events) {
                        long[] f = keys.fingerprint(e.account(), e.id());
                        if (keys.contains(f[0], f[1]) || batchKeys.contains(f[0], f[1])) {
                            duplicates++;
                            continue;
                        }
                        batchKeys.add(f[0], f[1], 0, 0);
                        added.add(new long[] {f[0], f[1], e.epochMinute()});
                        accepted++;
                        appendEvent(events, e);
                        addToRollups(e, perMinute, perQuarter);
                        spanDelta.merge(e.account(), new long[] {e.timeMillis(), e.timeMillis()},
                                (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                    }
                    results[g] = new AppendResult(accepted, duplicates);
                }
            }
            if (!added.isEmpty()) {
                writeSeries();
                mergeRollup(s, "rollup_1m", "d_1m", perMinute);
                mergeRollup(s, "rollup_15m", "d_15m", perQuarter);
                mergeSpans(s, spanDelta);
            }
            writer.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                writer.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            series.discardPending();
            log.warn("append of {} request(s) rolled back: {}", group.size(), e.getMessage());
            StoreUnavailableException failure = new StoreUnavailableException("store write failed: " + e.getMessage(), e);
            group.forEach(p -> p.result.completeExceptionally(failure));
            return;
        }
        series.commitPending();
        for (long[] a : added) {
            keys.add(a[0], a[1], (int) a[2], oldest);
        }
        spanDelta.forEach((account, d) -> spans.merge(account, d,
                (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])}));
        for (int g = 0; g < group.size(); g++) {
            group.get(g).result.complete(results[g]);
        }
    }

    private static void appendEvent(DuckDBAppender a, UsageEvent e) throws SQLException {
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
        if (e.durationMs() < 0) {
            a.appendNull();
        } else {
            a.append(e.durationMs());
        }
        a.append(e.error());
        if (e.stream() == null) {
            a.appendNull();
        } else {
            a.append(e.stream().booleanValue());
        }
        a.append(e.group());
        a.append(e.channel());
        a.endRow();
    }

    private void addToRollups(UsageEvent e, Map<Long, long[]> perMinute, Map<Long, long[]> perQuarter) {
        long minute = e.epochMinute();
        long quarter = Math.floorDiv(minute, 15) * 15;
        int[] ids = {
                series.idFor(e.account(), e.model(), e.key(), e.error()).id(),
                series.idFor(e.account(), e.model(), null, null).id(),
                series.idFor(e.account(), null, null, null).id()};
        for (int id : ids) {
            add(perMinute.computeIfAbsent(((long) id << 32) | minute, k -> new long[METRICS.length]), e);
            add(perQuarter.computeIfAbsent(((long) id << 32) | quarter, k -> new long[METRICS.length]), e);
        }
    }

    private static void add(long[] m, UsageEvent e) {
        m[0]++;
        m[1] += e.error() ? 1 : 0;
        m[2] += e.quota();
        m[3] += e.creditNanos();
        m[4] += e.promptTokens();
        m[5] += e.completionTokens();
        m[6] += e.cachedTokens();
        if (e.durationMs() >= 0) {
            m[7] += e.durationMs();
            m[8]++;
        }
    }

    private void writeSeries() throws SQLException {
        if (series.pending().isEmpty()) {
            return;
        }
        try (DuckDBAppender a = writer.createAppender("main", "series")) {
            for (Series s : series.pending()) {
                a.beginRow();
                a.append(s.id());
                a.append(s.account());
                if (s.model() == null) a.appendNull(); else a.append(s.model());
                if (s.key() == null) a.appendNull(); else a.append(s.key());
                if (s.error() == null) a.appendNull(); else a.append(s.error().booleanValue());
                a.endRow();
            }
        }
    }

    /**
     * Adds the deltas into a rollup table without an index: update the rows that exist, insert the rest.
     * The minute range bounds both joins, so DuckDB only reads the row groups of the touched minutes.
     */
    private void mergeRollup(Statement s, String table, String delta, Map<Long, long[]> rows) throws SQLException {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        try (DuckDBAppender a = writer.createAppender("temp", "main", delta)) {
            for (Map.Entry<Long, long[]> r : rows.entrySet()) {
                int minute = (int) (r.getKey() & 0xffffffffL);
                min = Math.min(min, minute);
                max = Math.max(max, minute);
                a.beginRow();
                a.append((int) (r.getKey() >>> 32));
                a.append(minute);
                for (long v : r.getValue()) {
                    a.append(v);
                }
                a.endRow();
            }
        }
        String range = "r.minute BETWEEN " + min + " AND " + max;
        String sets = java.util.Arrays.stream(METRICS).map(m -> m + " = r." + m + " + d." + m)
                .collect(Collectors.joining(", "));
        s.execute("UPDATE " + table + " AS r SET " + sets + " FROM " + delta + " d"
                + " WHERE r.series = d.series AND r.minute = d.minute AND " + range);
        s.execute("INSERT INTO " + table + " SELECT d.* FROM " + delta + " d WHERE NOT EXISTS (SELECT 1 FROM "
                + table + " r WHERE r.series = d.series AND r.minute = d.minute AND " + range + ")");
    }

    private void mergeSpans(Statement s, Map<String, long[]> spanDelta) throws SQLException {
        try (DuckDBAppender a = writer.createAppender("temp", "main", "d_span")) {
            for (Map.Entry<String, long[]> e : spanDelta.entrySet()) {
                a.beginRow();
                a.append(e.getKey());
                a.append(e.getValue()[0]);
                a.append(e.getValue()[1]);
                a.endRow();
            }
        }
        s.execute("UPDATE account_span AS r SET first_ms = least(r.first_ms, d.first_ms),"
                + " last_ms = greatest(r.last_ms, d.last_ms) FROM d_span d WHERE r.account = d.account");
        s.execute("INSERT INTO account_span SELECT d.* FROM d_span d"
                + " WHERE NOT EXISTS (SELECT 1 FROM account_span r WHERE r.account = d.account)");
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<Totals> sum(SeriesFilter filter, long[] boundaries, boolean byModel) {
        List<Series> matching = series.matching(filter, byModel);
        if (matching.isEmpty() || boundaries.length < 2) {
            return List.of();
        }
        Map<Integer, String> modelOf = new HashMap<>();
        matching.forEach(s -> modelOf.put(s.id(), s.model()));
        String sql = RollupSql.sum(matching.stream().mapToInt(Series::id).toArray(), boundaries, byModel);
        Map<String, Totals> merged = new LinkedHashMap<>();
        query(sql, rs -> {
            int bucket = rs.getInt(1);
            String model = byModel ? modelOf.get(rs.getInt(2)) : null;
            Totals t = new Totals(bucket, model, rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    rs.getBigDecimal(6).toBigIntegerExact(), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                    rs.getLong(10), rs.getLong(11));
            merged.merge(bucket + "\u0000" + model, t, Totals::plus);
        });
        return List.copyOf(merged.values());
    }

    /**
     * The account series of every account, summed over one bucket and grouped by series (the
     * {@code byModel} grouping of {@link RollupSql#sum} groups by series id, here one per account).
     */
    @Override
    public List<AccountTotals> perAccount(long fromMinute, long toMinute) {
        List<Series> accounts = series.accountSeries();
        if (accounts.isEmpty() || toMinute <= fromMinute) {
            return List.of();
        }
        Map<Integer, String> accountOf = new HashMap<>();
        accounts.forEach(s -> accountOf.put(s.id(), s.account()));
        TreeMap<String, Totals> out = new TreeMap<>();
        accounts.forEach(s -> out.put(s.account(), Totals.zero(0, null)));
        String sql = RollupSql.sum(accounts.stream().mapToInt(Series::id).toArray(), new long[] {fromMinute, toMinute}, true);
        query(sql, rs -> out.merge(accountOf.get(rs.getInt(2)), new Totals(0, null, rs.getLong(3), rs.getLong(4),
                rs.getLong(5), rs.getBigDecimal(6).toBigIntegerExact(), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                rs.getLong(10), rs.getLong(11)), Totals::plus));
        List<AccountTotals> list = new ArrayList<>(out.size());
        out.forEach((account, totals) -> list.add(new AccountTotals(account, totals)));
        return list;
    }

    @Override
    public Peak peak(SeriesFilter filter, long fromMinute, long toMinute) {
        List<Series> matching = series.matching(filter, false);
        if (matching.isEmpty() || toMinute <= fromMinute) {
            return new Peak(0, 0);
        }
        long[] out = new long[2];
        query(RollupSql.peak(matching.stream().mapToInt(Series::id).toArray(), fromMinute, toMinute), rs -> {
            out[0] = rs.getLong(1);
            out[1] = rs.getLong(2);
        });
        return new Peak(out[0], out[1]);
    }

    @Override
    public Optional<long[]> timeRange(String account) {
        long[] span = spans.get(account);
        return span == null ? Optional.empty() : Optional.of(span.clone());
    }

    @Override
    public List<UsageEvent> events(String account, long fromMillis, long toMillis) {
        List<UsageEvent> out = new ArrayList<>();
        String sql = "SELECT account, id, time_ms, model, api_key, prompt_tokens, completion_tokens, cached_tokens,"
                + " quota, credit_nanos, duration_ms, error, stream, grp, channel FROM events"
                + " WHERE account = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, id";
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, account);
            ps.setLong(2, fromMillis);
            ps.setLong(3, toMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long duration = rs.getLong(11);
                    if (rs.wasNull()) {
                        duration = -1;
                    }
                    Boolean stream = (Boolean) rs.getObject(13);
                    out.add(new UsageEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10), duration, rs.getBoolean(12), stream, rs.getString(14), rs.getString(15)));
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

    @Override
    public void close() {
        running = false;
        try {
            writerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            writer.close();
        } catch (SQLException e) {
            log.warn("closing the writer connection: {}", e.getMessage());
        }
    }
}

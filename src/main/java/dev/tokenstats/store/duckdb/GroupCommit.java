package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.StoreUnavailableException;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.internal.RollupMetrics;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * The write path of the embedded store.
 *
 * <p>Design. DuckDB appends fast, but every transaction costs a WAL write and sync, and two
 * transactions that UPDATE the same row conflict. The gateway sends many small requests at once. So:
 * <ol>
 * <li>Requests are prepared on their own threads ({@link PreparedBatch}: dedup fingerprints and the
 *     request's rollup sums) and queued.</li>
 * <li>A few writer threads each take whatever is queued (up to {@link #MAX_GROUP_EVENTS} events) and
 *     group-commit it as ONE transaction: the new raw events, their per-minute sums and the account spans. Every write is an append, so writers never conflict; a commit's
 *     sync overlaps the next group's work on another writer. Only after the commit are the requests
 *     answered: an acknowledged event survives a crash, and a failed commit fails (and stores nothing of)
 *     every request in it.</li>
 * <li>{@link Dedup} decides which events are new across writers, against the keys stored within the
 *     dedup window.</li>
 * <li>Because rollups are appended, a (series, minute) collects many rows; now and then one writer
 *     folds them ({@link #fold}) under an exclusive lock, as a cascade: closed minutes move into their series
 *     kind's and account shard's minute table as one row each, and their sums into the quarter-hour and
 *     hour {@code _recent} rows; then closed quarters and hours move on the same way (hours with their busiest
 *     minute). Open buckets are re-summed. So a minute is counted in exactly one place of each tier: its
 *     quarter and hour read the unfolded minutes as well ({@link RollupSql#recent}). Sums never change by
 *     folding, and an hour's busiest minute only grows. Commits write one rollup row per series and minute
 *     instead of three, the quarters and hours are summed once per fold.</li>
 * </ol>
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    static final int MAX_GROUP_EVENTS = 50_000;
    /** Buckets that ended at least this long ago are folded into the main rollup tables. */
    static final int FOLD_GRACE_MINUTES = 2;
    /**
     * Fold after this many recent minute rows; else when no commit came for {@link #FOLD_INTERVAL_MS}, or at
     * least every {@link #FOLD_MAX_INTERVAL_MS}. Much of a fold's cost is the same however few rows it moves
     * (statements per tier, kind and shard), so under load it waits for rows rather than time.
     */
    static final long FOLD_ROWS = 400_000;
    static final long FOLD_INTERVAL_MS = 2_000;
    static final long FOLD_MAX_INTERVAL_MS = 30_000;
    private static final String[] METRICS = RollupMetrics.NAMES;
    private static final int CREDITS = Arrays.asList(METRICS).indexOf("credit_nanos");

    private record Pending(PreparedBatch batch, CompletableFuture<AppendResult> result) {
    }

    private final Clock clock;
    private final java.util.function.Supplier<String> unwritable;
    private final java.util.function.Consumer<SQLException> fatal;
    private final IntSupplier oldestMinute;
    private final SeriesIndex series;
    private final HourlyTier hours;
    private final Dedup dedup;
    private final Map<String, long[]> spans;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(256);
    private final ReentrantReadWriteLock foldLock = new ReentrantReadWriteLock();
    private final AtomicLong unfolded = new AtomicLong();
    private final AtomicLong folds = new AtomicLong();
    private volatile long lastFold;
    private volatile long lastCommit;
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();
    private final List<DuckDBConnection> connections = new ArrayList<>();

    GroupCommit(List<DuckDBConnection> connections, Clock clock, IntSupplier oldestMinute, SeriesIndex series,
                HourlyTier hours, Dedup dedup, Map<String, long[]> spans, java.util.function.Supplier<String> unwritable,
                java.util.function.Consumer<SQLException> fatal) throws SQLException {
        this.unwritable = unwritable;
        this.fatal = fatal;
        this.clock = clock;
        this.oldestMinute = oldestMinute;
        this.series = series;
        this.hours = hours;
        this.dedup = dedup;
        this.spans = spans;
        this.lastFold = clock.millis();
        for (DuckDBConnection c : connections) {
            c.setAutoCommit(false);
            this.connections.add(c);
            Thread t = new Thread(() -> writeLoop(c), "duckdb-writer-" + threads.size());
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Queues the events and waits until they are durably stored (or failed). */
    AppendResult append(List<UsageEvent> events) {
        Pending p = new Pending(new PreparedBatch(events), new CompletableFuture<>());
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

    private void writeLoop(DuckDBConnection c) {
        List<Pending> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                maybeFold(c);
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int n = first.batch.events.size();
                Pending next;
                while (n < MAX_GROUP_EVENTS && (next = queue.poll()) != null) {
                    group.add(next);
                    n += next.batch.events.size();
                }
                commit(c, group);
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
        queue.forEach(p -> p.result.completeExceptionally(new StoreUnavailableException("the store is closing", null)));
    }

    /** One transaction for a whole group of requests; see the class comment. */
    private void commit(DuckDBConnection c, List<Pending> group) throws InterruptedException {
        String refused = unwritable.get();
        if (refused != null) {
            StoreUnavailableException e = new StoreUnavailableException(refused, null);
            group.forEach(p -> p.result.completeExceptionally(e));
            return;
        }
        List<PreparedBatch.Combo> wanted = new ArrayList<>();
        List<long[]> fingerprints = new ArrayList<>(group.size());
        List<int[]> minutes = new ArrayList<>(group.size());
        for (Pending p : group) {
            wanted.addAll(p.batch.combos());
            fingerprints.add(p.batch.fingerprints);
            minutes.add(p.batch.minutes);
        }
        try {
            series.ensure(wanted, created -> writeSeries(c, created));
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            fail(group, e);
            return;
        }

        Set<Dedup.Fingerprint> storedOld;
        try {
            storedOld = storedBeforeWindow(c, group);
        } catch (SQLException e) {
            rollback(c, e);
            fail(group, e);
            return;
        }
        Dedup.Claim claim = dedup.claim(fingerprints, minutes, storedOld);
        AppendResult[] results = new AppendResult[group.size()];
        Map<Long, long[]> perMinute = new HashMap<>();
        Map<Long, long[]> perHour = new HashMap<>(); // for the hourly tier in memory only
        Map<String, long[]> spanDelta = new LinkedHashMap<>();
        foldLock.readLock().lock();
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1"); // opens the transaction the appenders join
            int stored = 0;
            try (DuckDBAppender events = c.createAppender("main", "events")) {
                for (int g = 0; g < group.size(); g++) {
                    PreparedBatch b = group.get(g).batch;
                    boolean[] dup = claim.duplicate[g];
                    int accepted = 0;
                    for (int i = 0; i < dup.length; i++) {
                        if (!dup[i]) {
                            UsageEvent e = b.events.get(i);
                            appendEvent(events, e);
                            spanDelta.merge(e.account(), new long[] {e.timeMillis(), e.timeMillis()}, GroupCommit::span);
                            accepted++;
                        }
                    }
                    if (accepted > 0) {
                        addToRollups(b.sums(dup), perMinute, perHour);
                    }
                    results[g] = new AppendResult(accepted, dup.length - accepted);
                    stored += accepted;
                }
            }
            if (stored > 0) {
                appendRollup(c, RollupSql.recentTable(1), perMinute);
                appendSpans(c, spanDelta);
            }
            hours.commitBegins();
            try {
                c.commit();
                hours.apply(perHour, perMinute, series); // still under the lock: no fold in between
            } finally {
                hours.commitEnds();
            }
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            claim.failed();
            fail(group, e);
            return;
        } finally {
            foldLock.readLock().unlock();
        }
        claim.committed(oldestMinute.getAsInt());
        spanDelta.forEach((account, d) -> spans.merge(account, d, GroupCommit::span));
        unfolded.addAndGet(perMinute.size());
        lastCommit = clock.millis();
        for (int g = 0; g < group.size(); g++) {
            group.get(g).result.complete(results[g]);
        }
    }

    /**
     * Events older than the dedup window (imports of history) are not in the in-memory key set: look
     * them up in the events table, within the time range of the group's old events.
     */
    private Set<Dedup.Fingerprint> storedBeforeWindow(DuckDBConnection c, List<Pending> group) throws SQLException {
        int oldest = oldestMinute.getAsInt();
        long minT = Long.MAX_VALUE, maxT = Long.MIN_VALUE;
        List<UsageEvent> old = new ArrayList<>();
        for (Pending p : group) {
            for (int i = 0; i < p.batch.minutes.length; i++) {
                if (p.batch.minutes[i] < oldest) {
                    UsageEvent e = p.batch.events.get(i);
                    old.add(e);
                    minT = Math.min(minT, e.timeMillis());
                    maxT = Math.max(maxT, e.timeMillis());
                }
            }
        }
        if (old.isEmpty()) {
            return Set.of();
        }
        Set<Dedup.Fingerprint> found = new HashSet<>();
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS old_keys (account VARCHAR, id VARCHAR)");
            s.execute("DELETE FROM old_keys");
            try (DuckDBAppender a = c.createAppender("temp", "main", "old_keys")) {
                for (UsageEvent e : old) {
                    a.beginRow();
                    a.append(e.account());
                    a.append(e.id());
                    a.endRow();
                }
            }
            long[] f = new long[2];
            try (var rs = s.executeQuery("SELECT DISTINCT e.account, e.id FROM events e JOIN old_keys k"
                    + " ON e.account = k.account AND e.id = k.id WHERE e.time_ms BETWEEN " + minT + " AND " + maxT)) {
                while (rs.next()) {
                    KeyIndex.fingerprint(rs.getString(1), rs.getString(2), f, 0);
                    found.add(new Dedup.Fingerprint(f[0], f[1]));
                }
            }
        } finally {
            c.rollback();
        }
        return found;
    }

    private static long[] span(long[] a, long[] b) {
        return new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])};
    }

    private void rollback(DuckDBConnection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
        if (isFatal(cause)) {
            fatal.accept(cause instanceof SQLException se ? se : new SQLException(cause));
        }
    }

    /** DuckDB invalidates the whole database after a fatal error: only reopening it helps. */
    static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("FATAL") || m.contains("invalidated") || m.contains("No space left")) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (isFatal(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void fail(List<Pending> group, Exception e) {
        log.warn("append of {} request(s) rolled back: {}", group.size(), e.getMessage());
        StoreUnavailableException failure = new StoreUnavailableException("store write failed: " + e.getMessage(), e);
        group.forEach(p -> p.result.completeExceptionally(failure));
    }

    private void maybeFold(DuckDBConnection c) {
        long rows = unfolded.get();
        long now = clock.millis();
        boolean idle = queue.isEmpty() && now - lastCommit > FOLD_INTERVAL_MS;
        boolean due = rows > FOLD_ROWS
                || rows > 0 && now - lastFold > FOLD_INTERVAL_MS && (idle || now - lastFold > FOLD_MAX_INTERVAL_MS);
        if (due && foldLock.writeLock().tryLock()) {
            try {
                fold(c);
            } finally {
                foldLock.writeLock().unlock();
            }
        }
    }

    /**
     * Folds the recent rollup rows, in one transaction, minutes first: minutes that closed (ended more than
     * {@link #FOLD_GRACE_MINUTES} ago) move into their kind's and shard's minute table as one row per series and
     * minute, and their sums into the quarter and hour recent rows; then closed quarters and hours move into
     * their tables (hours with their busiest minute, from the minute tables, which hold all their minutes by
     * then). Open buckets are re-summed in place. Sums are unchanged by a fold, so reads are exact before and
     * after.
     */
    private void fold(DuckDBConnection c) {
        long closedBefore = clock.millis() / 60_000 - FOLD_GRACE_MINUTES;
        long rows = unfolded.get();
        List<long[]> newHours = new ArrayList<>();
        boolean committed = false;
        try (Statement s = c.createStatement()) {
            for (int tier : new int[] {1, 15, 60}) { // minutes first: an hour's peak reads them
                foldTier(s, tier, Math.floorDiv(closedBefore, tier) * tier, newHours);
            }
            s.execute("CREATE OR REPLACE TEMP TABLE fold_span AS SELECT account, min(first_ms) AS first_ms,"
                    + " max(last_ms) AS last_ms FROM account_span GROUP BY account");
            s.execute("DELETE FROM account_span");
            s.execute("INSERT INTO account_span SELECT * FROM fold_span");
            c.commit();
            committed = true;
            unfolded.addAndGet(-rows);
        } catch (SQLException e) {
            rollback(c, e);
            log.warn("folding the recent rollups failed (they stay exact, only larger): {}", e.getMessage());
        }
        if (committed) {
            hours.foldedPeaks(newHours, series);
            folds.incrementAndGet();
        }
        lastFold = clock.millis();
    }

    private static final String FOLD_SUMS = Arrays.stream(METRICS)
            .map(m -> "sum(" + m + ")::" + (m.equals("credit_nanos") ? "HUGEINT" : "BIGINT") + " AS " + m)
            .collect(Collectors.joining(", "));

    /** Folds one tier; the peaks of the hours it folds for the accounts {@link #hours} holds go to {@code newHours}. */
    private void foldTier(Statement s, int tier, long closedBefore, List<long[]> newHours) throws SQLException {
        String recent = RollupSql.recentTable(tier);
        s.execute("CREATE OR REPLACE TEMP TABLE fold_closed AS SELECT r.series, s.slot, r.minute, " + FOLD_SUMS
                + " FROM " + recent + " r JOIN series s ON s.id = r.series WHERE r.minute < " + closedBefore
                + " GROUP BY r.series, s.slot, r.minute");
        List<long[]> slots = new ArrayList<>(); // slot, first minute, last minute
        try (var rs = s.executeQuery("SELECT slot, min(minute), max(minute) FROM fold_closed GROUP BY slot ORDER BY slot")) {
            while (rs.next()) {
                slots.add(new long[] {rs.getInt(1), rs.getLong(2), rs.getLong(3)});
            }
        }
        for (long[] slot : slots) {
            SeriesIndex.Kind kind = SeriesIndex.Kind.values()[(int) slot[0] / SeriesIndex.SHARDS];
            int shard = (int) slot[0] % SeriesIndex.SHARDS;
            String closed = "SELECT * FROM fold_closed WHERE slot = " + slot[0];
            String target = RollupSql.table(tier, kind, shard);
            if (tier < 60) {
                s.execute("INSERT INTO " + target + " SELECT " + RollupSql.COLUMNS + " FROM (" + closed + ")"
                        + " ORDER BY minute, series");
                continue;
            }
            // An hour's busiest minute, from the minute rows of the series in that hour: a closed hour's minutes
            // closed before it did, so this fold or an earlier one moved them all into the minute table.
            String minutes = "SELECT series, minute, requests, prompt_tokens, completion_tokens FROM "
                    + RollupSql.table(1, kind, shard) + " WHERE minute >= " + slot[1] + " AND minute < " + (slot[2] + 60)
                    + " AND series IN (SELECT series FROM fold_closed WHERE slot = " + slot[0] + ")";
            String peaks = "SELECT series, minute // 60 * 60 AS hour, max(rq) AS peak_requests, max(tk) AS peak_tokens"
                    + " FROM (SELECT series, minute, sum(requests) AS rq, sum(prompt_tokens + completion_tokens) AS tk FROM ("
                    + minutes + ") GROUP BY series, minute) GROUP BY 1, 2";
            String hourRows = "SELECT h.series, h.minute, "
                    + Arrays.stream(METRICS).map(m -> "h." + m).collect(Collectors.joining(", "))
                    + ", p.peak_requests, p.peak_tokens FROM (" + closed + ") h JOIN (" + peaks + ") p"
                    + " ON p.series = h.series AND p.hour = h.minute";
            s.execute("INSERT INTO " + target + " " + hourRows + " ORDER BY h.minute, h.series");
            Set<Integer> loaded = kind == SeriesIndex.Kind.FULL ? Set.of() : hours.loadedSeries(series, kind, shard);
            if (!loaded.isEmpty()) {
                try (var rs = s.executeQuery("SELECT p.series, p.hour, p.peak_requests, p.peak_tokens FROM (" + peaks
                        + ") p JOIN (" + closed + ") h ON p.series = h.series AND p.hour = h.minute WHERE p.series IN ("
                        + loaded.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")) {
                    while (rs.next()) {
                        newHours.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                    }
                }
            }
        }
        if (tier == 1) { // the closed minutes' sums go on to the quarters and (account and model series) hours
            s.execute("INSERT INTO " + RollupSql.recentTable(15) + " SELECT series, minute // 15 * 15, " + FOLD_SUMS
                    + " FROM fold_closed GROUP BY 1, 2");
            s.execute("INSERT INTO " + RollupSql.recentTable(60) + " SELECT series, minute // 60 * 60, " + FOLD_SUMS
                    + " FROM fold_closed WHERE slot < " + SeriesIndex.Kind.FULL.ordinal() * SeriesIndex.SHARDS
                    + " GROUP BY 1, 2");
        }
        s.execute("CREATE OR REPLACE TEMP TABLE fold_open AS SELECT series, minute, " + FOLD_SUMS + " FROM " + recent
                + " WHERE minute >= " + closedBefore + " GROUP BY series, minute");
        s.execute("DELETE FROM " + recent);
        s.execute("INSERT INTO " + recent + " SELECT * FROM fold_open");
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

    /**
     * Adds a batch's sums to the group's minute rows (each combination feeds its full, model and account series)
     * and to the hours of its model and account series (for {@link HourlyTier}).
     */
    private void addToRollups(Map<PreparedBatch.Combo, Map<Long, long[]>> sums,
                              Map<Long, long[]> perMinute, Map<Long, long[]> perHour) {
        for (Map.Entry<PreparedBatch.Combo, Map<Long, long[]>> c : sums.entrySet()) {
            int[] ids = series.ids(c.getKey());
            if (ids == null) {
                throw new IllegalStateException("series not ensured: " + c.getKey());
            }
            for (Map.Entry<Long, long[]> m : c.getValue().entrySet()) {
                long minute = m.getKey();
                long hour = Math.floorDiv(minute, 60) * 60;
                for (int i = 0; i < ids.length; i++) {
                    long id = ids[i];
                    RollupMetrics.addInto(perMinute.computeIfAbsent((id << 32) | minute, x -> new long[METRICS.length]), m.getValue());
                    if (i > 0) { // the hourly tier keeps model and account series only
                        RollupMetrics.addInto(perHour.computeIfAbsent((id << 32) | hour, x -> new long[METRICS.length]), m.getValue());
                    }
                }
            }
        }
    }

    private static void writeSeries(DuckDBConnection c, List<Series> created) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            try (DuckDBAppender a = c.createAppender("main", "series")) {
                for (Series x : created) {
                    a.beginRow();
                    a.append(x.id());
                    a.append(x.account());
                    if (x.model() == null) a.appendNull(); else a.append(x.model());
                    if (x.key() == null) a.appendNull(); else a.append(x.key());
                    if (x.error() == null) a.appendNull(); else a.append(x.error().booleanValue());
                    a.append(x.slot());
                    a.endRow();
                }
            }
            c.commit();
        }
    }

    private static void appendRollup(DuckDBConnection c, String table, Map<Long, long[]> rows) throws SQLException {
        try (DuckDBAppender a = c.createAppender("main", table)) {
            for (Map.Entry<Long, long[]> r : rows.entrySet()) {
                a.beginRow();
                a.append((int) (r.getKey() >>> 32));
                a.append((int) (r.getKey() & 0xffffffffL));
                long[] m = r.getValue();
                for (int i = 0; i < m.length; i++) {
                    if (i == CREDITS) {
                        a.append(java.math.BigInteger.valueOf(m[i])); // a HUGEINT column: sums of credits never overflow
                    } else {
                        a.append(m[i]);
                    }
                }
                a.endRow();
            }
        }
    }

    private static void appendSpans(DuckDBConnection c, Map<String, long[]> spanDelta) throws SQLException {
        try (DuckDBAppender a = c.createAppender("main", "account_span")) {
            for (Map.Entry<String, long[]> e : spanDelta.entrySet()) {
                a.beginRow();
                a.append(e.getKey());
                a.append(e.getValue()[0]);
                a.append(e.getValue()[1]);
                a.endRow();
            }
        }
    }

    /**
     * Runs {@code work} while no commit and no fold runs (the writers' lock, exclusively); null if that lock
     * is not had within a second.
     */
    <T> T exclusively(java.util.function.Supplier<T> work) {
        try {
            if (!foldLock.writeLock().tryLock(1, TimeUnit.SECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            return work.get();
        } finally {
            foldLock.writeLock().unlock();
        }
    }

    /** How many folds completed (for tests and metrics). */
    long folds() {
        return folds.get();
    }

    /** Stops at once after a fatal error: fails what is queued (503) and drops the dead connections. */
    void abort() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.result.completeExceptionally(new StoreUnavailableException("the store is recovering", null));
        }
        for (DuckDBConnection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                // dead already
            }
        }
    }

    /** Finishes what is queued, folds, and closes the writer connections. */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (unfolded.get() > 0) {
            foldLock.writeLock().lock();
            try {
                fold(connections.get(0));
            } finally {
                foldLock.writeLock().unlock();
            }
        }
        for (DuckDBConnection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                log.warn("closing a writer connection: {}", e.getMessage());
            }
        }
    }
}

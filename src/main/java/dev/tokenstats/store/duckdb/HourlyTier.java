package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.duckdb.SeriesIndex.Kind;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The folded hourly rollup of account and model series, held in memory per account, so that a stats read
 * over whole hours makes no DuckDB statement for them.
 *
 * <p>Design. Only the process that owns the DuckDB file writes it, so this copy can be kept exact:
 * <ul>
 * <li>An account's cells are loaded from its hourly shard tables on its first read and dropped, least
 *     recently read first, when the loaded cells exceed the budget.</li>
 * <li>A fold is the only thing that adds hourly rows to those tables. It makes the sequence number odd
 *     before it starts, hands the hourly rows it wrote for loaded accounts to {@link #endFold} after its
 *     commit, and makes the sequence even again. A load publishes its cells only if no fold began since it
 *     started reading.</li>
 * <li>A reader takes an even sequence number, reads cells and whatever it needs from DuckDB (recent rows,
 *     minutes at the ends), and keeps the answer only if the number is unchanged: the DuckDB snapshot then
 *     shows exactly the folds the cells show. Otherwise it reads again, and in the end from DuckDB alone.</li>
 * <li>Between folds, writers append hourly rows to {@code rollup_1h_recent}. Before it commits, a writer
 *     marks the hours of its series as pending (under the fold lock's read side, so no fold runs between
 *     the mark and the commit) and counts the commit as begun; after it, as ended. A fold clears the marks
 *     of the hours it folded. A reader that starts while no commit is in flight reads the recent rows of
 *     pending hours only, and keeps the answer only if no commit began meanwhile (else a commit it did not
 *     know of could show in its snapshot). While commits are in flight it reads the recent rows of every
 *     hour: one small statement, consistent by itself.</li>
 * </ul>
 */
final class HourlyTier {

    /** The nine sums of {@link RollupSql#SUMS} (credits in nanos), then an hour's peak requests and tokens. */
    static final int COLUMNS = 11;
    static final int PEAK_REQUESTS = 9;
    static final int PEAK_TOKENS = 10;
    /** A credits sum that does not fit in a long: the account is then read from DuckDB alone. */
    static final long TOO_LARGE = Long.MIN_VALUE;

    /** One series' folded hours in ascending order and a column per figure. Never changed once published. */
    record Cells(long[] hours, long[][] columns) {

        /** The index of the first hour at or after {@code minute}. */
        int from(long minute) {
            int i = Arrays.binarySearch(hours, minute);
            return i >= 0 ? i : -i - 1;
        }

        /** These cells with {@code rows} added: sums add up, peaks keep the larger. Rows: hour then columns. */
        Cells plus(List<long[]> rows) {
            Map<Long, long[]> merged = new HashMap<>();
            for (int i = 0; i < hours.length; i++) {
                long[] r = new long[COLUMNS];
                for (int c = 0; c < COLUMNS; c++) {
                    r[c] = columns[c][i];
                }
                merged.put(hours[i], r);
            }
            for (long[] row : rows) {
                if (row[4] == TOO_LARGE) { // hour, then the sums: credits are the fourth
                    throw new ArithmeticException("credits beyond a long");
                }
                long[] r = merged.computeIfAbsent(row[0], h -> new long[COLUMNS]);
                for (int c = 0; c < COLUMNS; c++) {
                    r[c] = c >= PEAK_REQUESTS ? Math.max(r[c], row[c + 1]) : Math.addExact(r[c], row[c + 1]);
                }
            }
            long[] h = merged.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            long[][] cols = new long[COLUMNS][h.length];
            for (int i = 0; i < h.length; i++) {
                long[] r = merged.get(h[i]);
                for (int c = 0; c < COLUMNS; c++) {
                    cols[c][i] = r[c];
                }
            }
            return new Cells(h, cols);
        }

        static final Cells EMPTY = new Cells(new long[0], new long[COLUMNS][0]);

        /** Cells of rows (hour, then the columns) given in ascending hour order, one per hour. */
        static Cells of(List<long[]> rows) {
            long[] h = new long[rows.size()];
            long[][] cols = new long[COLUMNS][rows.size()];
            for (int i = 0; i < h.length; i++) {
                long[] r = rows.get(i);
                h[i] = r[0];
                for (int c = 0; c < COLUMNS; c++) {
                    cols[c][i] = r[c + 1];
                }
            }
            return new Cells(h, cols);
        }
    }

    /** Reads an account's folded hourly rows from DuckDB: series id → cells; null when they do not fit. */
    interface Loader {
        Map<Integer, Cells> load(String account);
    }

    private static final class Loaded {
        final Map<Integer, Cells> series;
        long cells; // guarded by the tier
        volatile long used = System.nanoTime();

        Loaded(Map<Integer, Cells> series) {
            this.series = series;
            this.cells = series.values().stream().mapToInt(c -> c.hours().length).sum();
        }
    }

    private final long budget;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong commitsBegun = new AtomicLong();
    private final AtomicLong commitsEnded = new AtomicLong();
    private final Map<String, Loaded> accounts = new ConcurrentHashMap<>();
    /** Series id → the first and last pending hour (epoch minutes) of its recent hourly rows. */
    private final Map<Integer, long[]> pending = new ConcurrentHashMap<>();
    private long loadedCells;

    /** @param budget at most this many (series, hour) cells are kept (about 100 bytes each) */
    HourlyTier(long budget) {
        this.budget = budget;
    }

    /** The current sequence number if no fold is under way, else -1. */
    long stable() {
        long s = sequence.get();
        return (s & 1) == 0 ? s : -1;
    }

    /** Whether no fold began since {@code stable} returned {@code seen}. */
    boolean unchanged(long seen) {
        return sequence.get() == seen;
    }

    /**
     * The cells of an account's series (series id → cells, a series absent has no folded hours), loaded if
     * needed; null when they cannot be used now (a fold is under way, or they exceed the budget).
     */
    Map<Integer, Cells> cells(String account, Loader loader) {
        Loaded a = accounts.get(account);
        if (a != null) {
            a.used = System.nanoTime();
            return a.series;
        }
        long seen = stable();
        if (seen < 0) {
            return null;
        }
        Map<Integer, Cells> read = loader.load(account);
        if (read == null) {
            return null;
        }
        synchronized (this) {
            Loaded other = accounts.get(account);
            if (other != null) {
                return other.series;
            }
            if (!unchanged(seen)) {
                return null;
            }
            Loaded loaded = new Loaded(new ConcurrentHashMap<>(read));
            if (loaded.cells > budget) {
                return null;
            }
            accounts.put(account, loaded);
            loadedCells += loaded.cells;
            evict(account);
            return loaded.series;
        }
    }

    /** Drops the least recently read accounts (never {@code keep}) while the budget is exceeded. */
    private void evict(String keep) {
        while (loadedCells > budget) {
            String oldest = null;
            long at = Long.MAX_VALUE;
            for (Map.Entry<String, Loaded> e : accounts.entrySet()) {
                if (!e.getKey().equals(keep) && e.getValue().used < at) {
                    at = e.getValue().used;
                    oldest = e.getKey();
                }
            }
            if (oldest == null) {
                return;
            }
            loadedCells -= accounts.remove(oldest).cells;
        }
    }

    /** A writer is about to commit (after marking its hours). */
    void commitBegins() {
        commitsBegun.incrementAndGet();
    }

    /** A writer's commit ended (committed or not). */
    void commitEnds() {
        commitsEnded.incrementAndGet();
    }

    /** The commits begun so far if none is in flight (the pending marks then cover every commit), else -1. */
    long quietCommits() {
        long ended = commitsEnded.get();
        long begun = commitsBegun.get();
        return begun == ended ? begun : -1;
    }

    /** Whether no commit began since {@link #quietCommits} returned {@code seen}. */
    boolean noCommitSince(long seen) {
        return commitsBegun.get() == seen;
    }

    /** Marks hours pending: keys are {@code series id << 32 | hour minute}, as the writer sums them. */
    void markPending(Collection<Long> seriesHours) {
        for (long key : seriesHours) {
            long hour = key & 0xffffffffL;
            pending.merge((int) (key >>> 32), new long[] {hour, hour},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
    }

    /** Loads the marks of the recent hourly rows a store holds when it opens: series, first and last hour. */
    void markPending(int series, long first, long last) {
        pending.put(series, new long[] {first, last});
    }

    /**
     * The stretch [from, to) of whole hours within [from, to) for which some of {@code series} have pending
     * hours, or null if none do.
     */
    long[] pending(List<Series> series, long from, long to) {
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (Series s : series) {
            long[] p = pending.get(s.id());
            if (p != null && p[0] < to && p[1] + 60 > from) {
                lo = Math.min(lo, Math.max(from, p[0]));
                hi = Math.max(hi, Math.min(to, p[1] + 60));
            }
        }
        return lo < hi ? new long[] {lo, hi} : null;
    }

    /**
     * A fold begins: readers and loads started before it will not use what they read. Synchronized with a
     * load's check and publish, so the fold's {@link #loadedSeries} sees every account loaded before it.
     */
    synchronized void beginFold() {
        sequence.incrementAndGet();
    }

    /** The series of one kind and shard whose accounts are loaded: a fold hands their new hourly rows over. */
    Set<Integer> loadedSeries(SeriesIndex index, Kind kind, int shard) {
        Set<Integer> out = new HashSet<>();
        for (String account : accounts.keySet()) {
            for (Series s : index.ofAccount(account)) {
                if (s.kind() == kind && s.shard() == shard) {
                    out.add(s.id());
                }
            }
        }
        return out;
    }

    /**
     * A fold ended. If it committed: {@code rows} are the hourly rows it wrote for loaded accounts (series,
     * hour, then {@link #COLUMNS} figures) and every hour before {@code foldedBefore} was folded.
     */
    void endFold(boolean committed, List<long[]> rows, long foldedBefore, SeriesIndex index) {
        synchronized (this) {
            try {
                if (!committed) {
                    return;
                }
                Map<Integer, List<long[]>> bySeries = new HashMap<>();
                rows.forEach(r -> bySeries.computeIfAbsent((int) r[0], x -> new ArrayList<>())
                        .add(Arrays.copyOfRange(r, 1, r.length)));
                for (Map.Entry<Integer, List<long[]>> e : bySeries.entrySet()) {
                    Series s = index.byId(e.getKey());
                    Loaded a = s == null ? null : accounts.get(s.account());
                    if (a == null) {
                        continue;
                    }
                    try {
                        Cells before = a.series.getOrDefault(e.getKey(), Cells.EMPTY);
                        Cells after = before.plus(e.getValue());
                        a.series.put(e.getKey(), after);
                        a.cells += after.hours().length - before.hours().length;
                        loadedCells += after.hours().length - before.hours().length;
                    } catch (ArithmeticException overflow) {
                        accounts.remove(s.account()); // read from DuckDB from now on
                        loadedCells -= a.cells;
                    }
                }
                evict(null);
                pending.replaceAll((series, p) -> new long[] {Math.max(p[0], foldedBefore), p[1]});
                pending.values().removeIf(p -> p[0] > p[1]);
            } finally {
                sequence.incrementAndGet();
            }
        }
    }

    /** How many cells are loaded (for tests). */
    synchronized long loadedCells() {
        return loadedCells;
    }
}

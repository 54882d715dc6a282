package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.duckdb.SeriesIndex.Kind;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.internal.RollupMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The hourly rollup of account and model series, complete and in memory, for the accounts whose stats were
 * read lately, so that a stats read over whole hours makes no DuckDB statement (each costs 1–4 ms however
 * little it reads).
 *
 * <p>Design. Only this process writes the DuckDB file, so the copy can be kept exact:
 * <ul>
 * <li>An account is loaded on its first read, while no commit can run (the writers' lock, held
 *     exclusively): every hour's sums from the folded and the recent rows, each folded hour's busiest minute,
 *     and for hours with recent rows the requests and tokens of each minute. Accounts are dropped, least
 *     recently read first, when the cells exceed the budget.</li>
 * <li>After each commit, before it releases the writers' lock, the writer adds the commit's hourly and
 *     minute sums to the loaded accounts ({@link #apply}). A new hour keeps its minutes, so its busiest minute
 *     is known at once; a late row into an hour whose minutes are not kept makes that hour's peak unknown.</li>
 * <li>A fold computes the busiest minute of each hour it folds from every minute row in DuckDB; it hands
 *     those peaks over ({@link #foldedPeaks}): the hour's peak is known again and its minutes are dropped.
 *     Folding moves rows between DuckDB tables and changes no sum, so sums here are untouched by it.</li>
 * <li>Each account has a read-write lock: a read sees all of a commit or nothing of it. A read that also
 *     needs DuckDB (minutes at unaligned ends, unknown peaks) must see the same commits there: it starts when
 *     no commit is in flight and keeps its answer only if no commit began meanwhile
 *     ({@link #quietCommits}, {@link #noCommitSince}); otherwise it reads again, and in the end from DuckDB
 *     alone.</li>
 * </ul>
 */
final class HourlyTier {

    private static final Logger log = LoggerFactory.getLogger(HourlyTier.class);

    /** The nine sums of {@link RollupSql#SUMS} (credits in nanos). */
    static final int SUMS = RollupMetrics.NAMES.length;

    /** One series' hours, ascending: nine sums, the busiest minute, and for some hours every minute. */
    static final class Hours {
        private long[] hours = new long[4];
        private long[][] sums = new long[SUMS][4];
        private long[] peakRequests = new long[4];
        private long[] peakTokens = new long[4];
        /** Per hour: null, or requests and tokens of each of its 60 minutes (then they give the peak). */
        private long[][] minutes = new long[4][];
        /** Per hour: the stored peak is outdated by rows added since (and the minutes are not kept). */
        private boolean[] unknown = new boolean[4];
        private int size;

        int size() {
            return size;
        }

        long hour(int i) {
            return hours[i];
        }

        long sum(int metric, int i) {
            return sums[metric][i];
        }

        /** The index of the first hour at or after {@code minute}. */
        int from(long minute) {
            int i = Arrays.binarySearch(hours, 0, size, minute);
            return i >= 0 ? i : -i - 1;
        }

        /** The busiest minute of hour i (requests, tokens), or null when only DuckDB knows it (for tests). */
        long[] peak(int i) {
            long[] out = new long[2];
            return maxPeakInto(i, out) ? out : null;
        }

        /**
         * Raises out (requests, tokens) to the busiest minute of hour i; false (out unchanged) when only DuckDB
         * knows it.
         */
        boolean maxPeakInto(int i, long[] out) {
            long[] m = minutes[i];
            if (m != null) {
                for (int k = 0; k < m.length; k += 2) {
                    out[0] = Math.max(out[0], m[k]);
                    out[1] = Math.max(out[1], m[k + 1]);
                }
                return true;
            }
            if (unknown[i]) {
                return false;
            }
            out[0] = Math.max(out[0], peakRequests[i]);
            out[1] = Math.max(out[1], peakTokens[i]);
            return true;
        }

        /**
         * The index of {@code hour}, inserted if absent, with its minutes kept if {@code keepMinutes} (a commit's
         * new hour has no rows elsewhere, so its minutes are all here).
         */
        private int cell(long hour, boolean keepMinutes) {
            int i = Arrays.binarySearch(hours, 0, size, hour);
            if (i >= 0) {
                return i;
            }
            i = -i - 1;
            if (size == hours.length) {
                int n = size * 2;
                hours = Arrays.copyOf(hours, n);
                for (int m = 0; m < SUMS; m++) {
                    sums[m] = Arrays.copyOf(sums[m], n);
                }
                peakRequests = Arrays.copyOf(peakRequests, n);
                peakTokens = Arrays.copyOf(peakTokens, n);
                minutes = Arrays.copyOf(minutes, n);
                unknown = Arrays.copyOf(unknown, n);
            }
            int tail = size - i;
            System.arraycopy(hours, i, hours, i + 1, tail);
            for (int m = 0; m < SUMS; m++) {
                System.arraycopy(sums[m], i, sums[m], i + 1, tail);
                sums[m][i] = 0;
            }
            System.arraycopy(peakRequests, i, peakRequests, i + 1, tail);
            System.arraycopy(peakTokens, i, peakTokens, i + 1, tail);
            System.arraycopy(minutes, i, minutes, i + 1, tail);
            System.arraycopy(unknown, i, unknown, i + 1, tail);
            hours[i] = hour;
            peakRequests[i] = 0;
            peakTokens[i] = 0;
            minutes[i] = keepMinutes ? new long[120] : null;
            unknown[i] = false;
            size++;
            return i;
        }

        /** Loading: an hour's sums and stored peak; {@code pending}: it has recent rows, its minutes follow. */
        void load(long hour, long[] sums9, long peakRq, long peakTk, boolean pending) {
            int i = cell(hour, pending);
            for (int m = 0; m < SUMS; m++) {
                sums[m][i] = sums9[m];
            }
            peakRequests[i] = peakRq;
            peakTokens[i] = peakTk;
        }

        /** Adds to one minute of an hour whose minutes are kept (loaded ones, or a commit's). */
        void addMinute(long minute, long requests, long tokens) {
            int i = Arrays.binarySearch(hours, 0, size, Math.floorDiv(minute, 60) * 60);
            if (i >= 0 && minutes[i] != null) {
                int k = (int) (minute - hours[i]) * 2;
                minutes[i][k] += requests;
                minutes[i][k + 1] += tokens;
            }
        }

        private void addHour(long hour, long[] delta) {
            int before = size;
            int i = cell(hour, true);
            boolean existed = size == before;
            for (int m = 0; m < SUMS; m++) {
                sums[m][i] = Math.addExact(sums[m][i], delta[m]);
            }
            if (existed && minutes[i] == null) {
                unknown[i] = true; // a late row into a folded hour: only DuckDB has its other minutes
            }
        }

        private void folded(long hour, long peakRq, long peakTk) {
            int i = Arrays.binarySearch(hours, 0, size, hour);
            if (i >= 0) {
                peakRequests[i] = Math.max(peakRequests[i], peakRq);
                peakTokens[i] = Math.max(peakTokens[i], peakTk);
                minutes[i] = null;
                unknown[i] = false;
            }
        }
    }

    /** One loaded account: its account and model series by id. */
    static final class Account {
        final Map<Integer, Hours> series = new HashMap<>();
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        volatile long used = System.nanoTime();

        long cells() {
            return series.values().stream().mapToLong(Hours::size).sum();
        }

        Hours hours(int series) {
            return this.series.get(series);
        }
    }

    /** Loads an account from DuckDB while no commit runs; null when it cannot (then reads use DuckDB). */
    interface Loader {
        Account load(String account);
    }

    private final long budget;
    private final AtomicLong commitsBegun = new AtomicLong();
    private final AtomicLong commitsEnded = new AtomicLong();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private long loadedCells;

    /** @param budget at most about this many (series, hour) cells are kept (about 100–200 bytes each) */
    HourlyTier(long budget) {
        this.budget = budget;
    }

    /** The loaded account, loading it if needed; null when it cannot be used (too large, or not loadable now). */
    Account account(String name, Loader loader) {
        Account a = accounts.get(name);
        if (a != null) {
            a.used = System.nanoTime();
            return a;
        }
        Account loaded = loader.load(name);
        return loaded == null ? null : accounts.get(name);
    }

    /** The account if it is loaded, else null. */
    Account loaded(String name) {
        return accounts.get(name);
    }

    /**
     * Publishes a loaded account; the caller holds the writers' lock exclusively, so no commit is missing
     * from it or applied twice.
     */
    synchronized void publish(String name, Account loaded) {
        long cells = loaded.cells();
        if (cells > budget || accounts.containsKey(name)) {
            return;
        }
        accounts.put(name, loaded);
        loadedCells += cells;
        evict(name);
    }

    /** Drops the least recently read accounts (never {@code keep}) while the budget is exceeded. */
    private void evict(String keep) {
        while (loadedCells > budget) {
            String oldest = null;
            long at = Long.MAX_VALUE;
            for (Map.Entry<String, Account> e : accounts.entrySet()) {
                if (!e.getKey().equals(keep) && e.getValue().used < at) {
                    at = e.getValue().used;
                    oldest = e.getKey();
                }
            }
            if (oldest == null) {
                return;
            }
            loadedCells -= accounts.remove(oldest).cells();
        }
    }

    /** A writer is about to commit. */
    void commitBegins() {
        commitsBegun.incrementAndGet();
    }

    /** A writer's commit ended (committed or not) and, if committed, was applied here. */
    void commitEnds() {
        commitsEnded.incrementAndGet();
    }

    /** The commits begun so far if none is in flight, else -1. */
    long quietCommits() {
        long ended = commitsEnded.get();
        long begun = commitsBegun.get();
        return begun == ended ? begun : -1;
    }

    /** Whether no commit began since {@link #quietCommits} returned {@code seen}. */
    boolean noCommitSince(long seen) {
        return commitsBegun.get() == seen;
    }

    /**
     * Adds a committed group's sums to the loaded accounts. Keys are {@code series id << 32 | minute} as the
     * writer sums them; values the nine sums. Never throws: on a failure every account is dropped.
     */
    void apply(Map<Long, long[]> perHour, Map<Long, long[]> perMinute, SeriesIndex index) {
        if (accounts.isEmpty()) {
            return;
        }
        synchronized (this) {
            try {
                Map<Account, Map<Long, long[]>[]> touched = new HashMap<>();
                collect(perHour, index, touched, 0);
                collect(perMinute, index, touched, 1);
                for (Map.Entry<Account, Map<Long, long[]>[]> e : touched.entrySet()) {
                    Account a = e.getKey();
                    a.lock.writeLock().lock();
                    try {
                        long before = a.cells();
                        e.getValue()[0].forEach((key, sums) -> a.series.computeIfAbsent((int) (key >>> 32), x -> new Hours())
                                .addHour(key & 0xffffffffL, sums));
                        e.getValue()[1].forEach((key, sums) -> {
                            Hours h = a.series.get((int) (key >>> 32));
                            if (h != null) {
                                h.addMinute(key & 0xffffffffL, sums[0], sums[4] + sums[5]);
                            }
                        });
                        loadedCells += a.cells() - before;
                    } finally {
                        a.lock.writeLock().unlock();
                    }
                }
                evict(null);
            } catch (RuntimeException e) {
                log.warn("the in-memory hourly rollup is dropped (reads use DuckDB until reloaded): {}", e.toString());
                accounts.clear();
                loadedCells = 0;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void collect(Map<Long, long[]> rows, SeriesIndex index, Map<Account, Map<Long, long[]>[]> touched, int slot) {
        for (Map.Entry<Long, long[]> r : rows.entrySet()) {
            Series s = index.byId((int) (r.getKey() >>> 32));
            Account a = s == null || s.isFull() ? null : accounts.get(s.account());
            if (a != null) {
                touched.computeIfAbsent(a, x -> new Map[] {new HashMap<>(), new HashMap<>()})[slot].put(r.getKey(), r.getValue());
            }
        }
    }

    /** The series of one kind and shard whose accounts are loaded: a fold hands their hours' peaks over. */
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

    /** A fold committed; rows: series, hour, busiest minute's requests and tokens of each hour it folded. */
    synchronized void foldedPeaks(List<long[]> rows, SeriesIndex index) {
        for (long[] r : rows) {
            Series s = index.byId((int) r[0]);
            Account a = s == null ? null : accounts.get(s.account());
            if (a == null) {
                continue;
            }
            a.lock.writeLock().lock();
            try {
                Hours h = a.series.get((int) r[0]);
                if (h != null) {
                    h.folded(r[1], r[2], r[3]);
                }
            } finally {
                a.lock.writeLock().unlock();
            }
        }
    }

    /** How many cells are loaded (for tests). */
    synchronized long loadedCells() {
        return loadedCells;
    }
}

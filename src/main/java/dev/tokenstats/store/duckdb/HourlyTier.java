package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.duckdb.SeriesIndex.Kind;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.internal.RollupMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
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
 * read lately, plus every minute of the last day, so that a stats read over whole hours, or over any minutes
 * of the last {@value #MINUTE_WINDOW} minutes, makes no DuckDB statement (each costs 1–4 ms however little it
 * reads).
 *
 * <p>Design. Only this process writes the DuckDB file, so the copy can be kept exact:
 * <ul>
 * <li>An account is loaded on its first read, while no commit can run (the writers' lock, held
 *     exclusively): every hour's sums from the folded and the recent rows, each folded hour's busiest minute,
 *     and the nine sums of each minute of the hours from the account's {@code minutesFrom} (the clock less
 *     {@value #MINUTE_WINDOW} minutes, on the hour) and of the hours with recent rows. Accounts are dropped,
 *     least recently read first, when the cells (an hour with its minutes weighs {@value #MINUTES_WEIGHT})
 *     exceed the budget.</li>
 * <li>After each commit, before it releases the writers' lock, the writer adds the commit's hourly and
 *     minute sums to the loaded accounts ({@link #apply}). A new hour keeps its minutes, so its busiest minute
 *     is known at once; a late row into an hour whose minutes are not kept makes that hour's peak unknown.</li>
 * <li>Invariant: an hour that keeps minutes keeps all of them, and every hour from {@code minutesFrom} on
 *     keeps them. A read may take minutes from memory from {@code minutesFrom} on, and whole hours always.</li>
 * <li>A fold computes the busiest minute of each hour it folds from every minute row in DuckDB; it hands
 *     those peaks over ({@link #foldedPeaks}): an hour before {@code minutesFrom} drops its minutes. As the
 *     clock moves on, the next read of an account moves its {@code minutesFrom} up and the hours left behind
 *     drop their minutes, keeping the busiest one ({@link Hours#trim}); a read that planned with the old
 *     window notices ({@link MemoryMoved}) and plans again. Folding moves rows between DuckDB tables and
 *     changes no sum, so sums here are untouched by it.</li>
 * <li>Each account has a read-write lock: a read sees all of a commit or nothing of it. A read that also
 *     needs DuckDB (minutes before the window, unknown peaks) must see the same commits there: it starts when
 *     no commit is in flight and keeps its answer only if no commit began meanwhile
 *     ({@link #quietCommits}, {@link #noCommitSince}); otherwise it reads again, and in the end from DuckDB
 *     alone.</li>
 * </ul>
 */
final class HourlyTier {

    private static final Logger log = LoggerFactory.getLogger(HourlyTier.class);

    /** The nine sums of {@link RollupSql#SUMS} (credits in nanos). */
    static final int SUMS = RollupMetrics.NAMES.length;

    /** Minutes before the clock whose nine sums are kept (a day's view by minute, and some slack). */
    static final int MINUTE_WINDOW = 26 * 60;

    /** Budget cells an hour with its 60 minutes of nine sums counts for (an hour alone counts one). */
    static final int MINUTES_WEIGHT = 30;

    /** A read planned with minutes that a trim has dropped since: it plans again. */
    static final class MemoryMoved extends RuntimeException {
        MemoryMoved() {
            super(null, null, false, false);
        }
    }

    /** One series' hours, ascending: nine sums, the busiest minute, and for some hours every minute. */
    static final class Hours {
        private long[] hours = new long[4];
        private long[][] sums = new long[SUMS][4];
        private long[] peakRequests = new long[4];
        private long[] peakTokens = new long[4];
        /** Per hour: null, or the nine sums of each of its 60 minutes ({@code [minute * SUMS + metric]}). */
        private long[][] minutes = new long[4][];
        /** Per hour: the stored peak is outdated by rows added since (and the minutes are not kept). */
        private boolean[] unknown = new boolean[4];
        private int size;
        private int withMinutes;

        int size() {
            return size;
        }

        long hour(int i) {
            return hours[i];
        }

        long sum(int metric, int i) {
            return sums[metric][i];
        }

        /** The nine sums of every minute of hour i, or null when they are not kept. */
        long[] minutes(int i) {
            return minutes[i];
        }

        /** Budget cells: one per hour, {@link #MINUTES_WEIGHT} per hour that keeps its minutes. */
        long weight() {
            return size + (long) MINUTES_WEIGHT * withMinutes;
        }

        /** The index of the first hour at or after {@code minute}. */
        int from(long minute) {
            int i = Arrays.binarySearch(hours, 0, size, minute);
            return i >= 0 ? i : -i - 1;
        }

        /** The index of {@code hour}, or a negative number when it has no rows. */
        int indexOf(long hour) {
            return Arrays.binarySearch(hours, 0, size, hour);
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
            if (minutes[i] != null) {
                maxPeakInto(minutes[i], 0, 60, out);
                return true;
            }
            if (unknown[i]) {
                return false;
            }
            out[0] = Math.max(out[0], peakRequests[i]);
            out[1] = Math.max(out[1], peakTokens[i]);
            return true;
        }

        /** Raises out (requests, tokens) to the busiest of the minutes [first, end) of an hour's minutes. */
        static void maxPeakInto(long[] minutes, int first, int end, long[] out) {
            for (int k = first * SUMS; k < end * SUMS; k += SUMS) {
                out[0] = Math.max(out[0], minutes[k]);
                out[1] = Math.max(out[1], minutes[k + 4] + minutes[k + 5]);
            }
        }

        /** The index of {@code hour}, inserted if absent, with its minutes kept if {@code keepMinutes}. */
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
            minutes[i] = keepMinutes ? new long[60 * SUMS] : null;
            withMinutes += keepMinutes ? 1 : 0;
            unknown[i] = false;
            size++;
            return i;
        }

        /**
         * Loading: an hour's sums and stored peak; {@code keepMinutes}: its minutes follow ({@link #addMinute}),
         * for an hour in the minute window or with recent rows.
         */
        void load(long hour, long[] sums9, long peakRq, long peakTk, boolean keepMinutes) {
            int i = cell(hour, keepMinutes);
            for (int m = 0; m < SUMS; m++) {
                sums[m][i] = sums9[m];
            }
            peakRequests[i] = peakRq;
            peakTokens[i] = peakTk;
        }

        /** Adds the nine sums of one minute to an hour whose minutes are kept (loaded ones, or a commit's). */
        void addMinute(long minute, long[] sums9) {
            int i = Arrays.binarySearch(hours, 0, size, Math.floorDiv(minute, 60) * 60);
            if (i >= 0 && minutes[i] != null) {
                int k = (int) (minute - hours[i]) * SUMS;
                for (int m = 0; m < SUMS; m++) {
                    minutes[i][k + m] = Math.addExact(minutes[i][k + m], sums9[m]);
                }
            }
        }

        private void addHour(long hour, long[] delta) {
            int before = size;
            int i = cell(hour, true); // a commit's new hour has no rows elsewhere: its minutes are all here
            boolean existed = size == before;
            for (int m = 0; m < SUMS; m++) {
                sums[m][i] = Math.addExact(sums[m][i], delta[m]);
            }
            if (existed && minutes[i] == null) {
                unknown[i] = true; // a late row into a folded hour: only DuckDB has its other minutes
            }
        }

        /** A fold found the hour's busiest minute; hours before {@code minutesFrom} drop their minutes. */
        private void folded(long hour, long peakRq, long peakTk, long minutesFrom) {
            int i = Arrays.binarySearch(hours, 0, size, hour);
            if (i >= 0) {
                peakRequests[i] = Math.max(peakRequests[i], peakRq);
                peakTokens[i] = Math.max(peakTokens[i], peakTk);
                unknown[i] = false;
                if (hour < minutesFrom) {
                    dropMinutes(i);
                }
            }
        }

        /** The hours before {@code minutesFrom} drop their minutes; their busiest minute is kept. */
        void trim(long minutesFrom) {
            for (int i = 0; i < size && hours[i] < minutesFrom; i++) {
                dropMinutes(i);
            }
        }

        private void dropMinutes(int i) {
            if (minutes[i] != null) {
                long[] peak = new long[2];
                maxPeakInto(minutes[i], 0, 60, peak); // the minutes are all of the hour's
                peakRequests[i] = peak[0];
                peakTokens[i] = peak[1];
                unknown[i] = false;
                minutes[i] = null;
                withMinutes--;
            }
        }
    }

    /** One loaded account: its account and model series by id. */
    static final class Account {
        final Map<Integer, Hours> series = new HashMap<>();
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        volatile long used = System.nanoTime();
        /** Every hour from this minute (on the hour) on keeps its minutes. */
        volatile long minutesFrom;

        Account(long minutesFrom) {
            this.minutesFrom = minutesFrom;
        }

        long cells() {
            return series.values().stream().mapToLong(Hours::weight).sum();
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
    private final Clock clock;
    private final AtomicLong commitsBegun = new AtomicLong();
    private final AtomicLong commitsEnded = new AtomicLong();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private long loadedCells;

    /**
     * @param budget at most about this many (series, hour) cells are kept (about 100–200 bytes each)
     * @param clock  the minute window ends at its time
     */
    HourlyTier(long budget, Clock clock) {
        this.budget = budget;
        this.clock = clock;
    }

    /** The first minute (on the hour) whose hour keeps its minutes in an account loaded or read now. */
    long minutesFrom() {
        return Math.floorDiv(Math.floorDiv(clock.millis(), 60_000) - MINUTE_WINDOW, 60) * 60;
    }

    /** The loaded account, loading it if needed; null when it cannot be used (too large, or not loadable now). */
    Account account(String name, Loader loader) {
        Account a = accounts.get(name);
        if (a != null) {
            a.used = System.nanoTime();
            long from = minutesFrom();
            if (a.minutesFrom < from) {
                trim(name, a, from);
            }
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

    /** The clock moved on: the account's hours before {@code from} drop their minutes. */
    private synchronized void trim(String name, Account a, long from) {
        a.lock.writeLock().lock();
        try {
            if (a.minutesFrom < from) {
                long before = a.cells();
                a.series.values().forEach(h -> h.trim(from));
                a.minutesFrom = from;
                if (accounts.get(name) == a) { // not dropped meanwhile
                    loadedCells += a.cells() - before;
                }
            }
        } finally {
            a.lock.writeLock().unlock();
        }
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
                                h.addMinute(key & 0xffffffffL, sums);
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
                    long before = h.weight();
                    h.folded(r[1], r[2], r[3], a.minutesFrom);
                    loadedCells += h.weight() - before;
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

package dev.tokenstats.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class DuckDbUsageStoreTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final long NOW_MIN = NOW.toEpochMilli() / 60_000;

    @TempDir
    Path dir;

    static UsageEvent event(Random r, String account, String id, long timeMs) {
        return new UsageEvent(account, id, timeMs, "model-" + r.nextInt(5), r.nextBoolean() ? "" : "key-" + r.nextInt(3),
                r.nextInt(5000), r.nextInt(900), 0, r.nextInt(100_000), r.nextInt(1_000_000_000), r.nextBoolean() ? -1 : r.nextInt(9000),
                r.nextInt(10) == 0, r.nextBoolean() ? null : r.nextBoolean(), "", "");
    }

    /** The store's sums over one bucket, against the sums of the raw rows it holds. */
    static void assertRollupsMatchRawEvents(UsageStore store, String account, long fromMin, long toMin) {
        List<UsageEvent> raw = store.events(account, fromMin * 60_000, toMin * 60_000);
        List<Totals> sums = store.sum(SeriesFilter.all(account), new long[] {fromMin, toMin}, false);
        long requests = raw.size(), quota = 0, tokens = 0, errors = 0;
        BigInteger credits = BigInteger.ZERO;
        for (UsageEvent e : raw) {
            quota += e.quota();
            tokens += e.tokens();
            errors += e.error() ? 1 : 0;
            credits = credits.add(BigInteger.valueOf(e.creditNanos()));
        }
        Totals t = sums.isEmpty() ? Totals.zero(0, null) : sums.get(0);
        assertThat(t.requests()).isEqualTo(requests);
        assertThat(t.quota()).isEqualTo(quota);
        assertThat(t.tokens()).isEqualTo(tokens);
        assertThat(t.errors()).isEqualTo(errors);
        assertThat(t.creditNanos()).isEqualTo(credits);
    }

    @Test
    void concurrentAppendsOfOverlappingIdsStoreEveryEventExactlyOnce() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger accepted = new AtomicInteger(), duplicates = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int b = 0; b < 40; b++) {
                        List<UsageEvent> batch = new ArrayList<>();
                        for (int i = 0; i < 300; i++) {
                            int id = r.nextInt(20_000); // the threads' ids overlap, and repeat inside a batch
                            batch.add(event(r, "acct-" + (id % 3), "req-" + id, NOW.toEpochMilli() - id * 1000L));
                        }
                        AppendResult res = db.store.append(batch);
                        accepted.addAndGet(res.accepted());
                        duplicates.addAndGet(res.duplicates());
                        assertThat(res.accepted() + res.duplicates()).isEqualTo(batch.size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            long from = NOW_MIN - 400, to = NOW_MIN + 1;
            Set<String> ids = new HashSet<>();
            int stored = 0;
            for (int a = 0; a < 3; a++) {
                List<UsageEvent> raw = db.store.events("acct-" + a, from * 60_000, to * 60_000);
                stored += raw.size();
                raw.forEach(e -> ids.add(e.account() + "/" + e.id()));
                assertRollupsMatchRawEvents(db.store, "acct-" + a, from, to);
            }
            assertThat(stored).isEqualTo(ids.size()).isEqualTo(accepted.get());
            assertThat(accepted.get() + duplicates.get()).isEqualTo(4 * 40 * 300);
        }
    }

    @Test
    void foldingRecentRollupsKeepsEverySumExact() {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(7);
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            int id = 0;
            for (int step = 0; step < 30; step++) {
                List<UsageEvent> batch = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    batch.add(event(r, "acct", "e" + id++, clock.millis() - r.nextInt(600_000)));
                }
                db.store.append(batch);
                assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 20, NOW_MIN + 60);
                clock.advance(Duration.ofSeconds(50)); // buckets close as time moves; the writer folds when idle
                long folds = db.store.folds();
                long deadline = System.currentTimeMillis() + 5_000;
                while (db.store.folds() == folds && System.currentTimeMillis() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(db.store.folds()).as("a fold after step " + step).isGreaterThan(folds);
                assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 20, NOW_MIN + 60);
            }
        }
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) { // closing folded everything that was left
            assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 20, NOW_MIN + 60);
            for (long m = NOW_MIN - 20; m < NOW_MIN + 30; m += 7) { // and minute by minute across both tables
                assertRollupsMatchRawEvents(db.store, "acct", m, m + 7);
            }
        }
    }

    @Test
    void duplicatesAreRecognisedAfterARestart() {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(3);
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(event(r, "acct", "id-" + i, NOW.toEpochMilli() - i * 60_000L));
        }
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            assertThat(db.store.append(batch)).isEqualTo(new AppendResult(500, 0));
        }
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            assertThat(db.store.append(batch)).isEqualTo(new AppendResult(0, 500));
            assertThat(db.store.events("acct", 0, Long.MAX_VALUE)).hasSize(500);
            assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 600, NOW_MIN + 1);
        }
    }
}

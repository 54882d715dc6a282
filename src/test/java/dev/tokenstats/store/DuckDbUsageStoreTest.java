package dev.tokenstats.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tokenstats.store.StoreTestData.NOW;
import static dev.tokenstats.store.StoreTestData.NOW_MIN;
import static dev.tokenstats.store.StoreTestData.assertRollupsMatchRawEvents;
import static dev.tokenstats.store.StoreTestData.event;
import static org.assertj.core.api.Assertions.assertThat;

/** What only the embedded store does: append-only rollups folded in the background. */
class DuckDbUsageStoreTest {

    @TempDir
    Path dir;

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
                long folds = db.store.folds();
                clock.advance(Duration.ofSeconds(50)); // buckets close as time moves; the writer folds when idle
                awaitFold(db, folds, "a fold after step " + step);
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
    void underSteadyWritesTheWriterFoldsEveryHalfMinuteAndWhenWritesPauseForTwoSeconds() throws InterruptedException {
        MutableClock clock = new MutableClock(NOW);
        Random r = new Random(8);
        try (DuckDbFixture db = new DuckDbFixture(dir, clock)) {
            long folds = db.store.folds();
            int id = 0;
            for (int second = 0; second < 28; second++) { // a batch every second: never idle for two
                db.store.append(List.of(event(r, "acct", "s" + id++, clock.millis() - 1)));
                clock.advance(Duration.ofSeconds(1));
                Thread.sleep(120); // the writer looks whether a fold is due every 100 ms when it has nothing to do
            }
            assertThat(db.store.folds()).as("no fold within 30 s of steady writes").isEqualTo(folds);
            for (int second = 28; second < 34; second++) {
                db.store.append(List.of(event(r, "acct", "s" + id++, clock.millis() - 1)));
                clock.advance(Duration.ofSeconds(1));
            }
            awaitFold(db, folds, "a fold once 30 s passed under steady writes");
            assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 5, NOW_MIN + 5);

            folds = db.store.folds();
            db.store.append(List.of(event(r, "acct", "s" + id, clock.millis() - 1)));
            clock.advance(Duration.ofMillis(2_500));
            awaitFold(db, folds, "a fold 2 s after the last write");
            assertRollupsMatchRawEvents(db.store, "acct", NOW_MIN - 5, NOW_MIN + 5);
        }
    }

    private static void awaitFold(DuckDbFixture db, long before, String what) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (db.store.folds() == before && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(db.store.folds()).as(what).isGreaterThan(before);
    }
}

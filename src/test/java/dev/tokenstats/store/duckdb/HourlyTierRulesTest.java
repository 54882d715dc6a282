package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bookkeeping rules of the in-memory hourly rollup (the store-level behaviour is in HourlyTierTest):
 * the budget and which account goes first, how a commit's sums and a fold's peaks change an account's hours,
 * and when a read may mix memory with DuckDB.
 */
class HourlyTierRulesTest {

    static final long H = 483_334L * 60; // an hour, in epoch minutes

    /** A clock three days after H: H is outside the minute window. */
    static MutableClock later() {
        return new MutableClock(Instant.ofEpochSecond((H + 72 * 60) * 60));
    }

    /** The one combination (model m, key k, success) each account of {@link #index} has. */
    static PreparedBatch.Combo combo(String account) {
        return new PreparedBatch.Combo(account, "m", "k", false);
    }

    static SeriesIndex index(String... accounts) throws Exception {
        SeriesIndex index = new SeriesIndex();
        for (String a : accounts) {
            index.ensure(List.of(combo(a)), created -> { });
        }
        return index;
    }

    /** A loader that publishes an account of {@code n} folded hours (one request each, peak 1). */
    static HourlyTier.Loader hours(HourlyTier tier, int n, AtomicInteger loads) {
        return name -> {
            loads.incrementAndGet();
            HourlyTier.Account a = new HourlyTier.Account(tier.minutesFrom());
            HourlyTier.Hours h = new HourlyTier.Hours();
            for (int i = 0; i < n; i++) {
                h.load(H + 60L * i, new long[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 0, false);
            }
            a.series.put(1, h);
            tier.publish(name, a);
            return a;
        };
    }

    static long[] sums(long requests, long prompt) {
        return new long[] {requests, 0, 0, 0, prompt, 0, 0, 0, 0};
    }

    @Test
    void theLeastRecentlyReadAccountGoesFirstAndOneLargerThanTheBudgetIsNeverKept() {
        HourlyTier tier = new HourlyTier(100, later());
        AtomicInteger loads = new AtomicInteger();
        assertThat(tier.account("a", hours(tier, 60, loads))).isNotNull();
        assertThat(tier.account("b", hours(tier, 60, loads))).isNotNull();
        assertThat(tier.loadedCells()).isEqualTo(60);
        assertThat(tier.account("b", hours(tier, 60, loads))).isNotNull();
        assertThat(loads.get()).as("b stayed, a was dropped").isEqualTo(2);
        assertThat(tier.account("a", hours(tier, 60, loads))).isNotNull();
        assertThat(loads.get()).as("a is loaded again").isEqualTo(3);
        assertThat(tier.account("huge", hours(tier, 101, loads))).isNull();
        assertThat(tier.loadedCells()).isEqualTo(60);
        assertThat(tier.account("refused", name -> null)).isNull();
    }

    @Test
    void aCommitAddsToLoadedAccountsOnlyAndANewHourKnowsItsBusiestMinute() throws Exception {
        SeriesIndex index = index("a", "b");
        int account = index.ids(combo("a"))[2], full = index.ids(combo("a"))[0];
        HourlyTier tier = new HourlyTier(1000, later());
        tier.account("a", name -> {
            HourlyTier.Account x = new HourlyTier.Account(tier.minutesFrom());
            tier.publish(name, x);
            return x;
        });
        Map<Long, long[]> perHour = new HashMap<>(), perMinute = new HashMap<>();
        perHour.put((long) account << 32 | H, sums(7, 70));
        perMinute.put((long) account << 32 | (H + 5), sums(3, 30));
        perMinute.put((long) account << 32 | (H + 9), sums(4, 40));
        perHour.put((long) full << 32 | H, sums(7, 70));
        perHour.put((long) index.ids(combo("b"))[2] << 32 | H, sums(9, 90));
        tier.apply(perHour, perMinute, index);

        HourlyTier.Account a = tier.account("a", name -> null);
        HourlyTier.Hours h = a.hours(account);
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.sum(0, 0)).isEqualTo(7);
        assertThat(h.peak(0)).containsExactly(4, 40);
        assertThat(a.hours(full)).as("full series are not kept").isNull();
        assertThat(tier.account("b", name -> null)).as("b is not loaded").isNull();
    }

    @Test
    void aLateRowMakesAFoldedHoursPeakUnknownUntilTheNextFold() throws Exception {
        SeriesIndex index = index("a");
        int account = index.ids(combo("a"))[2];
        HourlyTier tier = new HourlyTier(1000, later());
        tier.account("a", name -> {
            HourlyTier.Account x = new HourlyTier.Account(tier.minutesFrom());
            HourlyTier.Hours h = new HourlyTier.Hours();
            h.load(H, sums(10, 100), 5, 50, false);
            x.series.put(account, h);
            tier.publish(name, x);
            return x;
        });
        HourlyTier.Hours h = tier.account("a", name -> null).hours(account);
        assertThat(h.peak(0)).containsExactly(5, 50);

        tier.apply(Map.of((long) account << 32 | H, sums(2, 20)), Map.of((long) account << 32 | (H + 3), sums(2, 20)), index);
        assertThat(h.sum(0, 0)).isEqualTo(12);
        assertThat(h.peak(0)).as("only DuckDB has the other minutes of the hour").isNull();

        tier.foldedPeaks(List.of(new long[] {account, H, 6, 60}), index);
        assertThat(h.peak(0)).containsExactly(6, 60);
        assertThat(h.sum(0, 0)).as("a fold moves rows, it adds nothing").isEqualTo(12);
    }

    @Test
    void hoursInTheMinuteWindowKeepTheirMinutesThroughFoldsUntilTheClockLeavesThemBehind() throws Exception {
        SeriesIndex index = index("a");
        int account = index.ids(combo("a"))[2];
        MutableClock clock = new MutableClock(Instant.ofEpochSecond((H + 125) * 60)); // two hours after H
        HourlyTier tier = new HourlyTier(1000, clock);
        assertThat(tier.minutesFrom()).isEqualTo(H + 120 - HourlyTier.MINUTE_WINDOW);
        tier.account("a", name -> {
            HourlyTier.Account x = new HourlyTier.Account(tier.minutesFrom());
            HourlyTier.Hours h = new HourlyTier.Hours();
            h.load(H - 60, sums(10, 100), 0, 0, true); // loaded in the window: its minutes follow
            h.addMinute(H - 60 + 59, sums(10, 100));
            x.series.put(account, h);
            tier.publish(name, x);
            return x;
        });
        tier.apply(Map.of((long) account << 32 | H, sums(7, 70)),
                Map.of((long) account << 32 | (H + 5), sums(3, 30), (long) account << 32 | (H + 9), sums(4, 40)), index);
        HourlyTier.Hours h = tier.account("a", name -> null).hours(account);
        assertThat(tier.loadedCells()).isEqualTo(2 + 2 * HourlyTier.MINUTES_WEIGHT);

        tier.foldedPeaks(List.of(new long[] {account, H - 60, 10, 100}, new long[] {account, H, 4, 40}), index);
        assertThat(h.minutes(0)).as("folded, still in the window: its minutes stay").isNotNull();
        assertThat(h.minutes(1)[9 * HourlyTier.SUMS]).isEqualTo(4);
        assertThat(h.minutes(1)[9 * HourlyTier.SUMS + 4]).isEqualTo(40);
        assertThat(tier.loadedCells()).isEqualTo(2 + 2 * HourlyTier.MINUTES_WEIGHT);

        clock.advance(Duration.ofMinutes(HourlyTier.MINUTE_WINDOW - 120)); // H - 60 falls out of the window
        HourlyTier.Account a = tier.account("a", name -> null);
        assertThat(a.minutesFrom).isEqualTo(H);
        assertThat(h.minutes(0)).isNull();
        assertThat(h.peak(0)).as("the busiest minute outlives the minutes").containsExactly(10, 100);
        assertThat(h.minutes(1)).isNotNull();
        assertThat(tier.loadedCells()).isEqualTo(2 + HourlyTier.MINUTES_WEIGHT);

        clock.advance(Duration.ofHours(1));
        tier.account("a", name -> null);
        assertThat(h.minutes(1)).isNull();
        assertThat(h.peak(1)).containsExactly(4, 40);
        assertThat(h.sum(0, 0) + h.sum(0, 1)).as("sums are untouched").isEqualTo(17);
        assertThat(tier.loadedCells()).isEqualTo(2);

        tier.apply(Map.of((long) account << 32 | H, sums(1, 10)), Map.of((long) account << 32 | (H + 1), sums(1, 10)), index);
        assertThat(h.peak(1)).as("a late row into an hour left behind: only DuckDB knows its peak").isNull();
    }

    @Test
    void memoryAndDuckDbMixOnlyWhileNoCommitIsInFlight() {
        HourlyTier tier = new HourlyTier(1000, later());
        long quiet = tier.quietCommits();
        assertThat(quiet).isZero();
        tier.commitBegins();
        assertThat(tier.quietCommits()).isEqualTo(-1);
        assertThat(tier.noCommitSince(quiet)).isFalse();
        tier.commitEnds();
        assertThat(tier.quietCommits()).isEqualTo(1);
    }
}

package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.duckdb.HourlyTier.Cells;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.duckdb.SeriesIndex.SeriesKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bookkeeping rules of the in-memory hourly tier (the store-level behaviour is in HourlyTierTest): the
 * budget and which account goes first, loads that race a fold, how a fold's rows merge, and pending marks.
 */
class HourlyTierRulesTest {

    /** Cells of {@code n} consecutive hours from {@code first}, each with {@code requests} requests and a peak. */
    static Cells hours(long first, int n, long requests, long peak) {
        List<long[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] row = new long[1 + HourlyTier.COLUMNS];
            row[0] = first + 60L * i;
            row[1] = requests;
            row[1 + HourlyTier.PEAK_REQUESTS] = peak;
            rows.add(row);
        }
        return Cells.of(rows);
    }

    static SeriesIndex index(String... accounts) throws Exception {
        SeriesIndex index = new SeriesIndex();
        List<SeriesKey> keys = new ArrayList<>();
        for (String a : accounts) {
            keys.add(new SeriesKey(a, null, null, null));
        }
        index.ensure(keys, created -> { });
        return index;
    }

    @Test
    void theLeastRecentlyReadAccountGoesFirstAndOneLargerThanTheBudgetIsNeverKept() throws Exception {
        HourlyTier tier = new HourlyTier(100);
        AtomicInteger loads = new AtomicInteger();
        HourlyTier.Loader sixty = a -> {
            loads.incrementAndGet();
            return Map.of(1, hours(0, 60, 1, 1));
        };
        assertThat(tier.cells("a", sixty)).isNotNull();
        assertThat(tier.cells("b", sixty)).isNotNull();
        assertThat(tier.loadedCells()).isEqualTo(60);
        assertThat(tier.cells("b", sixty)).isNotNull();
        assertThat(loads.get()).as("b was dropped for nothing, a was").isEqualTo(2);
        assertThat(tier.cells("a", sixty)).isNotNull();
        assertThat(loads.get()).as("a is loaded again").isEqualTo(3);
        assertThat(tier.cells("huge", a -> Map.of(1, hours(0, 101, 1, 1)))).isNull();
        assertThat(tier.loadedCells()).isEqualTo(60);
    }

    @Test
    void aLoadThatRacesAFoldIsNotKept() {
        HourlyTier tier = new HourlyTier(1000);
        tier.beginFold();
        assertThat(tier.stable()).isEqualTo(-1);
        assertThat(tier.cells("a", a -> Map.of(1, hours(0, 3, 1, 1)))).as("during a fold").isNull();
        tier.endFold(false, List.of(), 0, new SeriesIndex());
        HourlyTier.Loader foldMeanwhile = a -> {
            tier.beginFold();
            tier.endFold(true, List.of(), 0, new SeriesIndex());
            return Map.of(1, hours(0, 3, 1, 1));
        };
        assertThat(tier.cells("a", foldMeanwhile)).as("a fold began while it read").isNull();
        assertThat(tier.loadedCells()).isZero();
        assertThat(tier.cells("a", a -> Map.of(1, hours(0, 3, 1, 1)))).isNotNull();
    }

    @Test
    void aFoldAddsItsSumsKeepsTheLargerPeakAndClearsTheMarksOfWhatItFolded() throws Exception {
        SeriesIndex index = index("a");
        int id = index.id("a", null, null, null);
        HourlyTier tier = new HourlyTier(1000);
        Map<Integer, Cells> cells = tier.cells("a", a -> Map.of(id, hours(600, 2, 10, 5)));
        Series s = index.byId(id);
        tier.markPending(List.of(((long) id << 32) | 660, ((long) id << 32) | 780));
        assertThat(tier.pending(List.of(s), 0, 1000)).containsExactly(660, 840);
        assertThat(tier.pending(List.of(s), 0, 660)).isNull();
        assertThat(tier.pending(List.of(s), 720, 780)).as("a series' marks are one range: first to last hour")
                .containsExactly(720, 780);

        tier.beginFold();
        long[] late = new long[2 + HourlyTier.COLUMNS]; // series, hour, figures
        late[0] = id;
        late[1] = 660;
        late[2] = 3;
        late[2 + HourlyTier.PEAK_REQUESTS] = 2;
        long[] later = late.clone();
        later[1] = 720;
        later[2 + HourlyTier.PEAK_REQUESTS] = 9;
        tier.endFold(true, List.of(late, later), 720, index);

        Cells c = cells.get(id);
        assertThat(c.hours()).containsExactly(600, 660, 720);
        assertThat(c.columns()[0]).containsExactly(10, 13, 3);
        assertThat(c.columns()[HourlyTier.PEAK_REQUESTS]).containsExactly(5, 5, 9);
        assertThat(tier.loadedCells()).isEqualTo(3);
        assertThat(tier.pending(List.of(s), 0, 1000)).as("hours from 720 on were not folded").containsExactly(720, 840);
        assertThat(tier.stable()).isEqualTo(2);
    }

    @Test
    void marksCountOnlyWhileNoCommitIsInFlight() {
        HourlyTier tier = new HourlyTier(1000);
        long quiet = tier.quietCommits();
        assertThat(quiet).isZero();
        tier.commitBegins();
        assertThat(tier.quietCommits()).isEqualTo(-1);
        assertThat(tier.noCommitSince(quiet)).isFalse();
        tier.commitEnds();
        assertThat(tier.quietCommits()).isEqualTo(1);
    }
}

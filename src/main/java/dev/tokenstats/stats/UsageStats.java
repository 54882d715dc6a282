package dev.tokenstats.stats;

import dev.tokenstats.store.Credits;
import dev.tokenstats.store.Peak;
import dev.tokenstats.store.PeriodTotals;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageStore;
import org.springframework.stereotype.Service;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Computes the Usage Stats answer from the store's rollups, never from raw events. Five store reads per
 * answer: the period's figures per bucket, per model and requests per both (which give the overview,
 * consumption, trends, distribution and leaderboard), the period's peak, the previous period's sum and peak,
 * and the all-time sum.
 * They are independent, so four of them run on a small shared pool while the calling thread runs the first:
 * the answer takes about as long as its slowest read. Plain Java, usable without Spring.
 */
@Service
class UsageStats {

    static final int TOP_MODELS = 10;
    static final String OTHER = "(other)";
    private static final BigDecimal MS_PER_MINUTE = BigDecimal.valueOf(60_000);

    /** Ranking of models: most requests first, then most quota, then name. */
    static final Comparator<Totals> RANKING = Comparator.comparingLong(Totals::requests).reversed()
            .thenComparing(Comparator.comparingLong(Totals::quota).reversed())
            .thenComparing(Totals::model);

    private final UsageStore store;

    UsageStats(UsageStore store) {
        this.store = store;
    }

    StatsResponse compute(StatsQuery q) {
        Buckets buckets = q.buckets();
        SeriesFilter filter = q.filter();
        long from = q.fromMinute(), to = q.toMinute(), length = to - from;
        int n = buckets.size();

        Optional<long[]> range = store.timeRange(q.account());
        CompletableFuture<Peak> peakNow = async(() -> store.peak(filter, from, to));
        CompletableFuture<Totals> beforeNow = async(() -> single(store.sum(filter, new long[] {from - length, from}, false)));
        CompletableFuture<Peak> peakBeforeNow = async(() -> store.peak(filter, from - length, from));
        // All time: the whole hours around the account's first and last event hold every event it has, and
        // whole hours are read from the hourly rollups alone.
        CompletableFuture<Totals> allTimeNow = async(() -> range.map(r -> single(store.sum(filter,
                new long[] {Math.floorDiv(r[0], 3_600_000) * 60, Math.floorDiv(r[1], 3_600_000) * 60 + 60}, false)))
                .orElse(Totals.zero(0, null)));

        // Period, per bucket and model.
        PeriodTotals period = store.period(filter, buckets.boundaries(from, to));
        Totals[] perBucket = new Totals[n];
        period.perBucket().forEach(t -> perBucket[t.bucket()] = t);
        Map<String, long[]> requestsPerModel = period.requests();
        Totals total = single(period.perModel());
        Peak peak = join(peakNow);
        Totals before = join(beforeNow); // the period just before, as long
        Peak peakBefore = join(peakBeforeNow);
        Totals allTime = join(allTimeNow);
        String completeUntil = range.map(r -> StatsQuery.format(
                Instant.ofEpochMilli(Math.min(r[1], q.to().toEpochMilli())), q.zone())).orElse(null);

        long now = q.now().toEpochMilli();
        long elapsed = Math.min(q.to().toEpochMilli(), now) - q.from().toEpochMilli();
        long elapsedBefore = Math.min(q.from().toEpochMilli(), now) - (q.from().toEpochMilli() - length * 60_000);
        StatsResponse.Figures current = figures(total, peak, elapsed);
        StatsResponse.Figures previous = figures(before, peakBefore, elapsedBefore);
        StatsResponse.Overview overview = new StatsResponse.Overview(current.requests(), current.errors(),
                current.quota(), current.credits(), current.promptTokens(), current.completionTokens(),
                current.tokens(), current.avgRpm(), current.avgTpm(), current.peakRpm(), current.peakTpm(),
                previous, new StatsResponse.AllTime(allTime.requests(), allTime.quota(),
                Credits.format(allTime.creditNanos()), allTime.tokens()));

        List<String> starts = new ArrayList<>(n);
        List<StatsResponse.Consumption> consumption = new ArrayList<>(n);
        String end = null;
        for (int i = 0; i < n; i++) {
            String start = i == 0 ? StatsQuery.format(buckets.start(0), q.zone()) : end;
            end = StatsQuery.format(buckets.end(i), q.zone());
            starts.add(start);
            Totals t = perBucket[i];
            consumption.add(t == null
                    ? new StatsResponse.Consumption(start, end, 0, 0, "0", 0)
                    : new StatsResponse.Consumption(start, end, t.requests(), t.quota(), Credits.format(t.creditNanos()), t.tokens()));
        }

        List<Totals> ranked = new ArrayList<>(period.perModel());
        ranked.sort(RANKING);
        StatsResponse.Models models = new StatsResponse.Models(
                trends(ranked, requestsPerModel, starts, n), distribution(ranked, total.requests()), leaderboard(ranked));

        return new StatsResponse(q.account(), StatsQuery.format(q.from(), q.zone()), StatsQuery.format(q.to(), q.zone()),
                q.zone().getId(), q.granularity().name(), completeUntil, overview, consumption, models);
    }

    private static StatsResponse.Figures figures(Totals t, Peak peak, long elapsedMillis) {
        return new StatsResponse.Figures(t.requests(), t.errors(), t.quota(), Credits.format(t.creditNanos()), t.promptTokens(),
                t.completionTokens(), t.tokens(), perMinute(t.requests(), elapsedMillis),
                perMinute(t.tokens(), elapsedMillis), peak.requestsPerMinute(), peak.tokensPerMinute());
    }

    private static StatsResponse.Trends trends(List<Totals> ranked, Map<String, long[]> requestsPerModel,
                                               List<String> starts, int n) {
        List<StatsResponse.Series> series = new ArrayList<>(Math.min(ranked.size(), TOP_MODELS + 1));
        long[] other = null;
        for (int i = 0; i < ranked.size(); i++) {
            long[] perBucket = requestsPerModel.get(ranked.get(i).model());
            if (i < TOP_MODELS) {
                series.add(new StatsResponse.Series(ranked.get(i).model(), perBucket));
            } else {
                if (other == null) {
                    other = new long[n];
                }
                for (int b = 0; b < n; b++) {
                    other[b] += perBucket[b];
                }
            }
        }
        if (other != null) {
            series.add(new StatsResponse.Series(OTHER, other));
        }
        return new StatsResponse.Trends(starts, series);
    }

    private static List<StatsResponse.Share> distribution(List<Totals> ranked, long total) {
        if (total == 0) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        List<Long> requests = new ArrayList<>();
        long other = 0;
        for (int i = 0; i < ranked.size(); i++) {
            if (i < TOP_MODELS) {
                names.add(ranked.get(i).model());
                requests.add(ranked.get(i).requests());
            } else {
                other += ranked.get(i).requests();
            }
        }
        if (ranked.size() > TOP_MODELS) {
            names.add(OTHER);
            requests.add(other);
        }
        BigDecimal all = BigDecimal.valueOf(total);
        BigDecimal[] shares = new BigDecimal[names.size()];
        BigDecimal sum = BigDecimal.ZERO;
        int largest = 0;
        for (int i = 0; i < shares.length; i++) {
            shares[i] = BigDecimal.valueOf(requests.get(i)).divide(all, 6, RoundingMode.HALF_UP);
            sum = sum.add(shares[i]);
            if (requests.get(i) > requests.get(largest)) {
                largest = i;
            }
        }
        shares[largest] = shares[largest].add(BigDecimal.ONE.subtract(sum));
        List<StatsResponse.Share> out = new ArrayList<>(shares.length);
        for (int i = 0; i < shares.length; i++) {
            out.add(new StatsResponse.Share(names.get(i), requests.get(i), shares[i].doubleValue()));
        }
        return out;
    }

    private static List<StatsResponse.ModelRank> leaderboard(List<Totals> ranked) {
        List<StatsResponse.ModelRank> out = new ArrayList<>(ranked.size());
        for (int i = 0; i < ranked.size(); i++) {
            Totals t = ranked.get(i);
            Double duration = t.durationCount() == 0 ? null : BigDecimal.valueOf(t.durationSum())
                    .divide(BigDecimal.valueOf(t.durationCount()), 1, RoundingMode.HALF_UP).doubleValue();
            Double quotaPer1k = t.tokens() == 0 ? null : BigDecimal.valueOf(t.quota()).multiply(BigDecimal.valueOf(1000))
                    .divide(BigDecimal.valueOf(t.tokens()), 3, RoundingMode.HALF_UP).doubleValue();
            out.add(new StatsResponse.ModelRank(i + 1, t.model(), t.requests(), t.errors(), t.quota(),
                    Credits.format(t.creditNanos()), t.tokens(), t.promptTokens(), t.completionTokens(), duration, quotaPer1k));
        }
        return out;
    }

    /** Daemon threads for the reads an answer runs side by side (shared by every request). */
    private static final ExecutorService READS = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "stats-read");
        t.setDaemon(true);
        return t;
    });

    private static <T> CompletableFuture<T> async(Supplier<T> read) {
        return CompletableFuture.supplyAsync(read, READS);
    }

    /** The read's result, or its own exception (a store failure stays a store failure). */
    private static <T> T join(CompletableFuture<T> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static Totals single(List<Totals> rows) {
        Totals t = Totals.zero(0, null);
        for (Totals r : rows) {
            t = t.plus(r);
        }
        return t;
    }

    /** {@code count} per minute of {@code elapsedMillis}, rounded half up to 3 decimals; 0 when nothing elapsed. */
    static double perMinute(long count, long elapsedMillis) {
        if (elapsedMillis <= 0) {
            return 0;
        }
        return BigDecimal.valueOf(count).multiply(MS_PER_MINUTE)
                .divide(BigDecimal.valueOf(elapsedMillis), 3, RoundingMode.HALF_UP).doubleValue();
    }
}

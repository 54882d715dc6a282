package dev.tokenstats.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stats page needs of one period, in the shape it needs it: every figure per bucket (the consumption
 * chart), every figure per model (leaderboard and distribution), and per model the requests of each bucket
 * (the trend lines). Buckets without events are absent from {@code perBucket}; {@code requests} holds one
 * array of bucket counts per model.
 */
public record PeriodTotals(List<Totals> perBucket, List<Totals> perModel, Map<String, long[]> requests) {

    /** From rows per bucket and model (as {@link UsageStore#sum} returns them with {@code byModel}). */
    public static PeriodTotals of(List<Totals> rows, int buckets) {
        Totals[] perBucket = new Totals[buckets];
        Map<String, Totals> perModel = new HashMap<>();
        Map<String, long[]> requests = new HashMap<>();
        for (Totals r : rows) {
            int b = r.bucket();
            perBucket[b] = perBucket[b] == null ? withModel(r, null) : perBucket[b].plus(r);
            perModel.merge(r.model(), withBucket(r), Totals::plus);
            requests.computeIfAbsent(r.model(), m -> new long[buckets])[b] += r.requests();
        }
        return new PeriodTotals(java.util.Arrays.stream(perBucket).filter(java.util.Objects::nonNull).toList(),
                List.copyOf(perModel.values()), requests);
    }

    private static Totals withModel(Totals t, String model) {
        return new Totals(t.bucket(), model, t.requests(), t.errors(), t.quota(), t.creditNanos(), t.promptTokens(),
                t.completionTokens(), t.cachedTokens(), t.durationSum(), t.durationCount());
    }

    private static Totals withBucket(Totals t) {
        return new Totals(0, t.model(), t.requests(), t.errors(), t.quota(), t.creditNanos(), t.promptTokens(),
                t.completionTokens(), t.cachedTokens(), t.durationSum(), t.durationCount());
    }
}

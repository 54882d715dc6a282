package dev.tokenstats.store;

import java.math.BigInteger;
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

    /**
     * Adds rollup rows per bucket and model up into a PeriodTotals as they are read, with one running sum per
     * bucket and per model instead of a {@link Totals} per row added (a 30-day period by hour is about 8,000 rows
     * at 10M events). Exact as {@link Totals#plus}: a sum beyond 64 bits fails, credits beyond 64 bits carry on
     * as BigInteger.
     */
    public static final class Builder {
        private final int buckets;
        private final Sums[] perBucket;
        private final Map<String, Sums> perModel = new HashMap<>();
        private final Map<String, long[]> requests = new HashMap<>();
        private String model; // the last row's: rows come a series at a time
        private Sums modelSums;
        private long[] modelRequests;

        public Builder(int buckets) {
            this.buckets = buckets;
            this.perBucket = new Sums[buckets];
        }

        public void add(int bucket, String model, long requests, long errors, long quota, BigInteger creditNanos,
                        long promptTokens, long completionTokens, long cachedTokens, long durationSum, long durationCount) {
            if (modelSums == null || !java.util.Objects.equals(model, this.model)) {
                this.model = model;
                modelSums = perModel.computeIfAbsent(model, m -> new Sums());
                modelRequests = this.requests.computeIfAbsent(model, m -> new long[buckets]);
            }
            Sums b = perBucket[bucket];
            if (b == null) {
                b = perBucket[bucket] = new Sums();
            }
            b.add(requests, errors, quota, creditNanos, promptTokens, completionTokens, cachedTokens, durationSum, durationCount);
            modelSums.add(requests, errors, quota, creditNanos, promptTokens, completionTokens, cachedTokens, durationSum, durationCount);
            modelRequests[bucket] = Math.addExact(modelRequests[bucket], requests);
        }

        public PeriodTotals build() {
            List<Totals> buckets = new java.util.ArrayList<>();
            for (int i = 0; i < perBucket.length; i++) {
                if (perBucket[i] != null) {
                    buckets.add(perBucket[i].totals(i, null));
                }
            }
            List<Totals> models = new java.util.ArrayList<>(perModel.size());
            perModel.forEach((m, sums) -> models.add(sums.totals(0, m)));
            return new PeriodTotals(buckets, models, requests);
        }
    }

    /** A running sum of the figures of {@link Totals}. */
    private static final class Sums {
        long requests, errors, quota, credit, promptTokens, completionTokens, cachedTokens, durationSum, durationCount;
        BigInteger bigCredit; // the credit sum, once it no longer fits in 64 bits

        void add(long requests, long errors, long quota, BigInteger creditNanos, long promptTokens, long completionTokens,
                 long cachedTokens, long durationSum, long durationCount) {
            this.requests = Math.addExact(this.requests, requests);
            this.errors = Math.addExact(this.errors, errors);
            this.quota = Math.addExact(this.quota, quota);
            this.promptTokens = Math.addExact(this.promptTokens, promptTokens);
            this.completionTokens = Math.addExact(this.completionTokens, completionTokens);
            this.cachedTokens = Math.addExact(this.cachedTokens, cachedTokens);
            this.durationSum = Math.addExact(this.durationSum, durationSum);
            this.durationCount = Math.addExact(this.durationCount, durationCount);
            if (bigCredit == null && creditNanos.bitLength() < 64) {
                long v = creditNanos.longValue(), sum = credit + v;
                if (((credit ^ sum) & (v ^ sum)) >= 0) { // no overflow
                    credit = sum;
                    return;
                }
            }
            bigCredit = (bigCredit == null ? BigInteger.valueOf(credit) : bigCredit).add(creditNanos);
        }

        Totals totals(int bucket, String model) {
            return new Totals(bucket, model, requests, errors, quota, bigCredit != null ? bigCredit : BigInteger.valueOf(credit),
                    promptTokens, completionTokens, cachedTokens, durationSum, durationCount);
        }
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

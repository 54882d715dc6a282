package dev.tokenstats.store;

import java.math.BigInteger;

/**
 * Summed figures of a set of events. {@code bucket} is the index of the bucket the figures belong to
 * ({@code 0} for single-bucket reads); {@code model} is {@code null} unless the read was grouped by model.
 */
public record Totals(
        int bucket,
        String model,
        long requests,
        long errors,
        long quota,
        BigInteger creditNanos,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long durationSum,
        long durationCount) {

    public static Totals zero(int bucket, String model) {
        return new Totals(bucket, model, 0, 0, 0, BigInteger.ZERO, 0, 0, 0, 0, 0);
    }

    public long tokens() {
        return promptTokens + completionTokens;
    }

    public Totals plus(Totals o) {
        return new Totals(bucket, model, requests + o.requests, errors + o.errors, quota + o.quota,
                creditNanos.add(o.creditNanos), promptTokens + o.promptTokens,
                completionTokens + o.completionTokens, cachedTokens + o.cachedTokens,
                durationSum + o.durationSum, durationCount + o.durationCount);
    }
}

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
        // Exact or loud: a sum beyond 64 bits fails instead of wrapping (as PostgreSQL's sum()::bigint does).
        return new Totals(bucket, model, Math.addExact(requests, o.requests), Math.addExact(errors, o.errors),
                Math.addExact(quota, o.quota), creditNanos.add(o.creditNanos), Math.addExact(promptTokens, o.promptTokens),
                Math.addExact(completionTokens, o.completionTokens), Math.addExact(cachedTokens, o.cachedTokens),
                Math.addExact(durationSum, o.durationSum), Math.addExact(durationCount, o.durationCount));
    }
}

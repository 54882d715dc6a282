package dev.tokenstats.store.internal;

import dev.tokenstats.store.UsageEvent;

/** The figures every rollup row sums, in column order, and how one event adds to them. */
public final class RollupMetrics {

    public static final String[] NAMES = {"requests", "errors", "quota", "credit_nanos", "prompt_tokens",
            "completion_tokens", "cached_tokens", "duration_sum", "duration_count"};

    private RollupMetrics() {
    }

    public static long[] zero() {
        return new long[NAMES.length];
    }

    public static void add(long[] m, UsageEvent e) {
        m[0]++;
        m[1] += e.error() ? 1 : 0;
        m[2] += e.quota();
        m[3] += e.creditNanos();
        m[4] += e.promptTokens();
        m[5] += e.completionTokens();
        m[6] += e.cachedTokens();
        if (e.durationMs() >= 0) {
            m[7] += e.durationMs();
            m[8]++;
        }
    }

    /** target += delta; cannot overflow within the per-event limits, and fails loudly if it ever did. */
    public static void addInto(long[] target, long[] delta) {
        for (int i = 0; i < target.length; i++) {
            target[i] = Math.addExact(target[i], delta[i]);
        }
    }
}

package dev.tokenstats.store.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which rollup answers which part of a read. Buckets are given as boundaries in epoch minutes. The
 * quarter-hour rollup answers the stretch where every bucket boundary falls on a quarter hour (every
 * zone offset is a multiple of 15 minutes, so hours, days, weeks and months in any zone do); the minute
 * rollup answers the rest: minute buckets, and the unaligned ends of a period.
 */
public final class RollupPlan {

    public static final String MINUTE = "rollup_1m";
    public static final String QUARTER = "rollup_15m";

    /** Rows of {@code table} with minute in [from, to). */
    public record Part(String table, long from, long to) {
    }

    private RollupPlan() {
    }

    public static List<Part> parts(long[] boundaries) {
        long from = boundaries[0], to = boundaries[boundaries.length - 1];
        long q0 = Math.floorDiv(from + 14, 15) * 15, q1 = Math.floorDiv(to, 15) * 15;
        boolean aligned = true;
        for (int i = 1; i < boundaries.length - 1; i++) {
            aligned &= Math.floorMod(boundaries[i], 15) == 0;
        }
        List<Part> parts = new ArrayList<>(3);
        if (!aligned || q0 >= q1) {
            parts.add(new Part(MINUTE, from, to));
            return parts;
        }
        if (from < q0) {
            parts.add(new Part(MINUTE, from, q0));
        }
        parts.add(new Part(QUARTER, q0, q1));
        if (q1 < to) {
            parts.add(new Part(MINUTE, q1, to));
        }
        return parts;
    }
}

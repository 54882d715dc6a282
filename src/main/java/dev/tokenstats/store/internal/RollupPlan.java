package dev.tokenstats.store.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which rollup tier answers which part of a read. Buckets are given as boundaries in epoch minutes; a
 * tier of {@code t} minutes holds rows that each cover [minute, minute + t) with minute a multiple of t.
 * A tier can answer a stretch when every interior bucket boundary is a multiple of t (so each of its rows
 * falls into one bucket): hours (t = 60) for whole-hour zones, quarter hours (t = 15) for every zone
 * (every offset is a multiple of 15 minutes), minutes for the rest. The coarsest such tier answers the
 * whole t-aligned middle of the period; the unaligned ends (shorter than t each) go to the minute tier,
 * the finest, so a read touches at most three parts (every part is a scan of its own).
 */
public final class RollupPlan {

    public static final String MINUTE = "rollup_1m";
    public static final String QUARTER = "rollup_15m";
    public static final String HOUR = "rollup_1h";

    /** The table of a tier of {@code minutes} (1, 15 or 60), where the engine keeps one table per tier. */
    public static String table(int minutes) {
        return switch (minutes) {
            case 1 -> MINUTE;
            case 15 -> QUARTER;
            case 60 -> HOUR;
            default -> throw new IllegalArgumentException("no tier of " + minutes + " minutes");
        };
    }

    /** Rows of the {@code minutes}-tier with minute in [from, to). */
    public record Part(int minutes, long from, long to) {
    }

    private RollupPlan() {
    }

    /**
     * The parts that cover [boundaries[0], boundaries[last]) exactly once, using the given tiers
     * (coarsest first, the last one must be 1).
     */
    public static List<Part> parts(long[] boundaries, int... tiers) {
        List<Part> out = new ArrayList<>(5);
        split(boundaries, boundaries[0], boundaries[boundaries.length - 1], tiers, 0, out);
        return out;
    }

    private static void split(long[] boundaries, long from, long to, int[] tiers, int first, List<Part> out) {
        if (from >= to) {
            return;
        }
        for (int i = first; i < tiers.length; i++) {
            int t = tiers[i];
            if (t > 1 && !aligned(boundaries, from, to, t)) {
                continue;
            }
            long a = Math.floorDiv(from + t - 1, t) * t, b = Math.floorDiv(to, t) * t;
            if (a >= b) {
                continue;
            }
            int finest = tiers.length - 1;
            split(boundaries, from, a, tiers, finest, out);
            out.add(new Part(t, a, b));
            split(boundaries, b, to, tiers, finest, out);
            return;
        }
        throw new IllegalArgumentException("no tier answers [" + from + ", " + to + "): the finest tier must be 1");
    }

    /** Whether every boundary strictly inside (from, to) is a multiple of t. */
    private static boolean aligned(long[] boundaries, long from, long to, int t) {
        for (long b : boundaries) {
            if (b > from && b < to && Math.floorMod(b, t) != 0) {
                return false;
            }
        }
        return true;
    }
}

package dev.tokenstats.stats;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The calendar buckets covering a period [from, to) in a zone: {@code edges} holds every bucket start and,
 * last, the end of the last bucket. The first bucket starts at or before {@code from} and the last ends at
 * or after {@code to}; the figures of a bucket only count events within [from, to).
 */
record Buckets(Granularity granularity, ZoneId zone, List<Instant> edges) {

    /** At most this many buckets per answer. */
    static final int MAX = 1500;

    int size() {
        return edges.size() - 1;
    }

    Instant start(int i) {
        return edges.get(i);
    }

    Instant end(int i) {
        return edges.get(i + 1);
    }

    /**
     * The buckets of [from, to), or {@code null} when there would be more than {@code max}.
     */
    static Buckets of(Granularity g, ZoneId zone, Instant from, Instant to, int max) {
        List<Instant> edges = new ArrayList<>();
        Instant s = g.startOf(from, zone);
        edges.add(s);
        while (s.isBefore(to)) {
            if (edges.size() > max) {
                return null;
            }
            s = g.next(s, zone);
            edges.add(s);
        }
        return new Buckets(g, zone, List.copyOf(edges));
    }

    /**
     * What the store sums over, in epoch minutes: {@code from}, every bucket edge strictly inside the
     * period, {@code to}. Bucket {@code i} of the store's answer is bucket {@code i} here.
     */
    long[] boundaries(long fromMinute, long toMinute) {
        long[] b = new long[edges.size()];
        b[0] = fromMinute;
        for (int i = 1; i < b.length - 1; i++) {
            b[i] = Math.floorDiv(edges.get(i).getEpochSecond(), 60);
        }
        b[b.length - 1] = toMinute;
        return b;
    }
}

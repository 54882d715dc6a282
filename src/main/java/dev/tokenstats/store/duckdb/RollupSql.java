package dev.tokenstats.store.duckdb;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Builds the rollup reads. Buckets are given as boundaries in epoch minutes; the quarter-hour table
 * answers the part of the period where every bucket boundary falls on a quarter hour, the minute
 * table answers the rest (minute buckets, and the unaligned edges of a period). All values in the
 * SQL are numbers computed here, never text from a request.
 */
final class RollupSql {

    private RollupSql() {
    }

    static final String SUMS = "sum(requests)::BIGINT, sum(errors)::BIGINT, sum(quota)::BIGINT,"
            + " sum(credit_nanos)::DECIMAL(38,0), sum(prompt_tokens)::BIGINT, sum(completion_tokens)::BIGINT,"
            + " sum(cached_tokens)::BIGINT, sum(duration_sum)::BIGINT, sum(duration_count)::BIGINT";

    /** Rows: bucket index, series id (0 unless byModel), then the nine sums of {@link #SUMS}. */
    static String sum(int[] seriesIds, long[] boundaries, boolean byModel) {
        String source = source(seriesIds, boundaries);
        String seriesCol = byModel ? "r.series" : "0";
        int buckets = boundaries.length - 1;
        if (buckets == 1) {
            return "SELECT 0, " + seriesCol + ", " + SUMS + " FROM (" + source + ") r GROUP BY 2";
        }
        String starts = LongStream.of(Arrays.copyOf(boundaries, buckets)).mapToObj(Long::toString)
                .collect(Collectors.joining(","));
        String bounds = "SELECT unnest([" + starts + "]) AS start, unnest(range(" + buckets + ")) AS idx";
        return "SELECT b.idx, " + seriesCol + ", " + SUMS + " FROM (" + source + ") r ASOF JOIN (" + bounds
                + ") b ON r.minute >= b.start GROUP BY 1, 2";
    }

    /** Per-minute sums of the series in [from, to), reduced to the largest requests and tokens. */
    static String peak(int[] seriesIds, long from, long to) {
        return "SELECT coalesce(max(rq), 0)::BIGINT, coalesce(max(tk), 0)::BIGINT FROM (SELECT minute,"
                + " sum(requests) AS rq, sum(prompt_tokens + completion_tokens) AS tk FROM ("
                + both("rollup_1m", in(seriesIds) + " AND minute >= " + from + " AND minute < " + to) + ") GROUP BY minute)";
    }

    /** The rollup rows covering [boundaries[0], boundaries[last]), each minute counted once. */
    static String source(int[] seriesIds, long[] boundaries) {
        long from = boundaries[0], to = boundaries[boundaries.length - 1];
        long q0 = Math.floorDiv(from + 14, 15) * 15, q1 = Math.floorDiv(to, 15) * 15;
        boolean aligned = true;
        for (int i = 1; i < boundaries.length - 1; i++) {
            aligned &= boundaries[i] % 15 == 0;
        }
        String in = in(seriesIds);
        if (!aligned || q0 >= q1) {
            return both("rollup_1m", in + " AND minute >= " + from + " AND minute < " + to);
        }
        String sql = both("rollup_15m", in + " AND minute >= " + q0 + " AND minute < " + q1);
        if (from < q0 || q1 < to) {
            sql += " UNION ALL " + both("rollup_1m", in + " AND ((minute >= " + from + " AND minute < " + q0
                    + ") OR (minute >= " + q1 + " AND minute < " + to + "))");
        }
        return sql;
    }

    /** A rollup's rows matching {@code where}: its folded rows and its recent ones. */
    static String both(String table, String where) {
        return "SELECT * FROM " + table + " WHERE " + where + " UNION ALL SELECT * FROM " + table + "_recent WHERE " + where;
    }

    private static String in(int[] ids) {
        return "series IN (" + Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")) + ")";
    }
}

package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.internal.RollupPlan;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * Builds the DuckDB rollup reads (see {@link RollupPlan} for which table answers what). Each rollup is
 * its folded table plus its {@code _recent} table. Buckets are assigned with an ASOF JOIN on their
 * starts. All values in the SQL are numbers computed here, never text from a request.
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
                + rows(RollupPlan.MINUTE, in(seriesIds), from, to) + ") GROUP BY minute)";
    }

    /** The rollup rows covering [boundaries[0], boundaries[last]), each minute counted once. */
    static String source(int[] seriesIds, long[] boundaries) {
        String in = in(seriesIds);
        return RollupPlan.parts(boundaries).stream().map(p -> rows(p.table(), in, p.from(), p.to()))
                .collect(Collectors.joining(" UNION ALL "));
    }

    /** A rollup's rows of the series in [from, to): its folded rows and its recent ones. */
    private static String rows(String table, String in, long from, long to) {
        String where = in + " AND minute >= " + from + " AND minute < " + to;
        return "SELECT * FROM " + table + " WHERE " + where + " UNION ALL SELECT * FROM " + table + "_recent WHERE " + where;
    }

    private static String in(int[] ids) {
        return "series IN (" + Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")) + ")";
    }
}

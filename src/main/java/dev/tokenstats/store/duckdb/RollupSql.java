package dev.tokenstats.store.duckdb;

import dev.tokenstats.store.duckdb.SeriesIndex.Kind;
import dev.tokenstats.store.duckdb.SeriesIndex.Series;
import dev.tokenstats.store.internal.RollupMetrics;
import dev.tokenstats.store.internal.RollupPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds the DuckDB rollup reads. Each tier (1m, 15m, 1h) has one table per series kind and account shard
 * (see V5__rollup_partitions.sql) plus one {@code _recent} table; {@link RollupPlan} decides which tier
 * answers which stretch of a period, so a read scans only its account's shard of the coarsest tier that
 * fits. Buckets are computed arithmetically from runs of equally wide buckets. All values in the SQL are
 * numbers computed here, never text from a request.
 */
final class RollupSql {

    private RollupSql() {
    }

    static final String COLUMNS = "series, minute, " + String.join(", ", RollupMetrics.NAMES);

    static final String SUMS = "sum(requests)::BIGINT, sum(errors)::BIGINT, sum(quota)::BIGINT,"
            + " sum(credit_nanos)::DECIMAL(38,0), sum(prompt_tokens)::BIGINT, sum(completion_tokens)::BIGINT,"
            + " sum(cached_tokens)::BIGINT, sum(duration_sum)::BIGINT, sum(duration_count)::BIGINT";

    /** The folded rows of one tier, kind and shard. */
    static String table(int tierMinutes, Kind kind, int shard) {
        return String.format(Locale.ROOT, "rollup_%s_%s_%02d", tierName(tierMinutes), kind.tableName(), shard);
    }

    /** 1m, 15m or 1h. */
    private static String tierName(int tierMinutes) {
        return tierMinutes == 60 ? "1h" : tierMinutes + "m";
    }

    /** The table of one tier's not yet folded rows (every kind and shard); see {@link #recent}. */
    static String recentTable(int tierMinutes) {
        return "rollup_" + tierName(tierMinutes) + "_recent";
    }

    /**
     * The not yet folded rows of one tier, to read FROM: commits write minutes only, and a fold passes closed
     * minutes on to the quarter and hour recent rows, so a quarter or hour is its recent rows plus the unfolded
     * minutes in it.
     */
    static String recent(int tierMinutes) {
        if (tierMinutes == 1) {
            return recentTable(1);
        }
        return "(SELECT " + COLUMNS + " FROM " + recentTable(tierMinutes) + " UNION ALL SELECT series, minute // "
                + tierMinutes + " * " + tierMinutes + " AS minute, " + String.join(", ", RollupMetrics.NAMES)
                + " FROM " + recentTable(1) + ")";
    }

    /** The tiers a kind has, coarsest first: full series have no hourly tier. */
    static int[] tiers(Kind kind) {
        return kind == Kind.FULL ? new int[] {15, 1} : new int[] {60, 15, 1};
    }

    /**
     * Rows: bucket index, series id (0 unless {@code bySeries}), then the nine sums of {@link #SUMS}. The
     * series must be of one kind (of any shards).
     */
    static String sum(List<Series> series, long[] boundaries, boolean bySeries) {
        return sum(series, boundaries, bySeries, parts(series, boundaries));
    }

    /** {@link #sum(List, long[], boolean)} over the given parts of the period only. */
    static String sum(List<Series> series, long[] boundaries, boolean bySeries, List<RollupPlan.Part> parts) {
        return "SELECT " + bucket(boundaries) + ", " + (bySeries ? "series" : "0") + ", " + SUMS
                + " FROM (" + source(series, parts) + ") GROUP BY 1, 2";
    }

    /** The parts of a read of [boundaries[0], boundaries[last]), each from the tier {@link RollupPlan} gives it. */
    static List<RollupPlan.Part> parts(List<Series> series, long[] boundaries) {
        return RollupPlan.parts(boundaries, tiers(series.get(0).kind()));
    }

    /**
     * The figures of a stats period in one statement over one scan of its rows: kind 0 rows are every figure
     * per bucket, kind 1 rows every figure per series, kind 2 rows the requests per bucket and series (the
     * other figures NULL: the trend lines need requests only, and moving every figure of every bucket and
     * series costs more than reading them). Columns: kind, bucket, series, then {@link #SUMS}.
     */
    static String period(List<Series> series, long[] boundaries) {
        return period(series, boundaries, parts(series, boundaries));
    }

    /** {@link #period(List, long[])} over the given parts of the period only. */
    static String period(List<Series> series, long[] boundaries, List<RollupPlan.Part> parts) {
        String nulls = ", NULL::BIGINT, NULL::BIGINT, NULL::DECIMAL(38,0), NULL::BIGINT, NULL::BIGINT, NULL::BIGINT,"
                + " NULL::BIGINT, NULL::BIGINT";
        return "WITH src AS MATERIALIZED (SELECT " + bucket(boundaries) + " AS b, * FROM (" + source(series, parts) + "))"
                + " SELECT 0, b, 0, " + SUMS + " FROM src GROUP BY b"
                + " UNION ALL SELECT 1, 0, series, " + SUMS + " FROM src GROUP BY series"
                + " UNION ALL SELECT 2, b, series, sum(requests)::BIGINT" + nulls + " FROM src GROUP BY b, series";
    }

    /**
     * The bucket index of a row's {@code minute}: within a run of equally wide buckets it is the run's first
     * index plus the whole widths since the run's start (minutes and hours are one run; days, weeks and
     * months are one run between DST changes or month ends).
     */
    static String bucket(long[] boundaries) {
        int n = boundaries.length - 1;
        List<long[]> runs = new ArrayList<>(); // start, width, first index
        for (int i = 0; i < n; ) {
            long width = boundaries[i + 1] - boundaries[i];
            int j = i + 1;
            while (j < n && boundaries[j + 1] - boundaries[j] == width) {
                j++;
            }
            runs.add(new long[] {boundaries[i], width, i});
            i = j;
        }
        if (runs.size() == 1) {
            return n == 1 ? "0" : index(runs.get(0));
        }
        StringBuilder sql = new StringBuilder("CASE");
        for (int r = 0; r < runs.size() - 1; r++) {
            sql.append(" WHEN minute < ").append(runs.get(r + 1)[0]).append(" THEN ").append(index(runs.get(r)));
        }
        return sql.append(" ELSE ").append(index(runs.get(runs.size() - 1))).append(" END").toString();
    }

    private static String index(long[] run) {
        return "(" + run[2] + " + (minute - " + run[0] + ") // " + run[1] + ")";
    }

    /** The rows of the parts (which cover a read's period once, or the stretches of it DuckDB answers). */
    private static String source(List<Series> series, List<RollupPlan.Part> parts) {
        return parts.stream().map(p -> rows(series, p.minutes(), p.from(), p.to()))
                .collect(Collectors.joining(" UNION ALL "));
    }

    /** The rows of the series in one tier within [from, to): their shards' folded rows and the recent ones. */
    static String rows(List<Series> series, int tier, long from, long to) {
        Kind kind = series.get(0).kind();
        String time = " AND minute >= " + from + " AND minute < " + to;
        Map<Integer, List<Series>> byShard = new TreeMap<>();
        series.forEach(s -> byShard.computeIfAbsent(s.shard(), x -> new ArrayList<>()).add(s));
        List<String> selects = new ArrayList<>();
        byShard.forEach((shard, list) -> selects.add("SELECT " + COLUMNS + " FROM " + table(tier, kind, shard)
                + " WHERE " + in(list) + time));
        selects.add("SELECT " + COLUMNS + " FROM " + recent(tier) + " WHERE " + in(series) + time);
        return String.join(" UNION ALL ", selects);
    }

    /** Per-minute sums of the series in the given [from, to) ranges, reduced to the largest requests and tokens. */
    static String peakOfMinutes(List<Series> series, List<long[]> ranges) {
        String rows = ranges.stream().map(r -> rows(series, 1, r[0], r[1])).collect(Collectors.joining(" UNION ALL "));
        return "SELECT minute, sum(requests) AS rq, sum(prompt_tokens + completion_tokens) AS tk FROM (" + rows
                + ") GROUP BY minute";
    }

    /** The whole hours of one series within [from, to) that have rows not folded yet (their peaks are not known). */
    static String pendingHours(Series s, long from, long to) {
        return "SELECT DISTINCT minute FROM " + recent(60) + " WHERE series = " + s.id()
                + " AND minute >= " + Math.floorDiv(from + 59, 60) * 60 + " AND minute < " + Math.floorDiv(to, 60) * 60;
    }

    /**
     * The busiest minute of one account or model series in [from, to): the folded hours inside the period
     * give their stored peaks, the pending hours and the unaligned ends are summed minute by minute.
     */
    static String peakOfSeries(Series s, long from, long to, List<Long> pending) {
        long h0 = Math.floorDiv(from + 59, 60) * 60, h1 = Math.floorDiv(to, 60) * 60;
        List<long[]> minutes = new ArrayList<>();
        if (h0 >= h1) {
            minutes.add(new long[] {from, to});
            return max(peakOfMinutes(List.of(s), minutes));
        }
        if (from < h0) {
            minutes.add(new long[] {from, h0});
        }
        pending.forEach(h -> minutes.add(new long[] {h, h + 60}));
        if (h1 < to) {
            minutes.add(new long[] {h1, to});
        }
        String hours = "SELECT peak_requests AS rq, peak_tokens AS tk FROM " + table(60, s.kind(), s.shard())
                + " WHERE series = " + s.id() + " AND minute >= " + h0 + " AND minute < " + h1
                + (pending.isEmpty() ? "" : " AND minute NOT IN ("
                + pending.stream().map(Object::toString).collect(Collectors.joining(",")) + ")");
        return max(minutes.isEmpty() ? hours
                : hours + " UNION ALL SELECT rq, tk FROM (" + peakOfMinutes(List.of(s), minutes) + ")");
    }

    /** Busiest minute of several series together (their per-minute sums). */
    static String peak(List<Series> series, long from, long to) {
        return max(peakOfMinutes(series, List.<long[]>of(new long[] {from, to})));
    }

    /** Busiest minute of several series together within the given [from, to) ranges. */
    static String peak(List<Series> series, List<long[]> ranges) {
        return max(peakOfMinutes(series, ranges));
    }

    /**
     * Every hour of account and model series (of one account): series, minute, the nine sums of {@link #SUMS}
     * over folded and recent rows, the largest stored peak requests and tokens, and whether recent rows exist.
     */
    static String hoursOf(List<Series> series) {
        String columns = "series, minute, " + String.join(", ", RollupMetrics.NAMES);
        List<String> rows = new ArrayList<>();
        byKindAndShard(series).forEach(list -> rows.add("SELECT " + columns + ", peak_requests, peak_tokens, false AS recent FROM "
                + table(60, list.get(0).kind(), list.get(0).shard()) + " WHERE " + in(list)));
        rows.add("SELECT " + columns + ", 0, 0, true FROM " + recent(60) + " WHERE " + in(series));
        return "SELECT series, minute, " + SUMS + ", max(peak_requests)::BIGINT, max(peak_tokens)::BIGINT, bool_or(recent)"
                + " FROM (" + String.join(" UNION ALL ", rows) + ") GROUP BY series, minute ORDER BY series, minute";
    }

    /** Series, minute and the nine sums of {@link #SUMS} per minute in [from, to) of account and model series (of one account). */
    static String minutesOf(List<Series> series, long from, long to) {
        String rows = byKindAndShard(series).stream().map(list -> rows(list, 1, from, to))
                .collect(Collectors.joining(" UNION ALL "));
        return "SELECT series, minute, " + SUMS + " FROM (" + rows + ") GROUP BY series, minute";
    }

    private static java.util.Collection<List<Series>> byKindAndShard(List<Series> series) {
        Map<Integer, List<Series>> bySlot = new TreeMap<>();
        series.forEach(s -> bySlot.computeIfAbsent(s.slot(), k -> new ArrayList<>()).add(s));
        return bySlot.values();
    }

    private static String max(String rows) {
        return "SELECT coalesce(max(rq), 0)::BIGINT, coalesce(max(tk), 0)::BIGINT FROM (" + rows + ")";
    }

    private static String in(List<Series> ids) {
        if (ids.size() == 1) {
            return "series = " + ids.get(0).id();
        }
        return "series IN (" + ids.stream().map(s -> Integer.toString(s.id())).collect(Collectors.joining(",")) + ")";
    }
}

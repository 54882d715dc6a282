package dev.tokenstats.store.postgres;

import dev.tokenstats.store.AccountTotals;
import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.EventQuery;
import dev.tokenstats.store.Peak;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.StoreUnavailableException;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import dev.tokenstats.store.internal.RollupMetrics;
import dev.tokenstats.store.internal.RollupPlan;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The shared store: one PostgreSQL database for several tokenstats instances.
 *
 * <p>An append is one transaction on the caller's thread: it first inserts the batch's keys into
 * {@code event_keys} (ON CONFLICT DO NOTHING RETURNING), which tells exactly which events are new even
 * when another instance stores the same event at the same moment (the second waits on the first's
 * uncommitted key, then sees the conflict); then the new raw events, and their sums upserted into the
 * minute and quarter-hour rollups and the account spans. Rows are written in key order so concurrent
 * instances lock them in the same order and never deadlock. PostgreSQL commits durably.
 */
public final class PostgresUsageStore implements UsageStore {

    private static final String[] METRICS = RollupMetrics.NAMES;
    /** The sums of {@link RollupMetrics#NAMES}, in that order (as {@link #totals} reads them). */
    private static final String SUMS = Arrays.stream(METRICS)
            .map(m -> "sum(" + m + ")::" + (m.equals("credit_nanos") ? "numeric" : "bigint")).collect(Collectors.joining(", "));
    private static final String EVENT_COLUMNS = "account, id, time_ms, model, api_key, prompt_tokens,"
            + " completion_tokens, cached_tokens, quota, credit_nanos, duration_ms, error, stream, grp, channel";

    private record SeriesKey(String account, String model, String key, Boolean error) {
    }

    private final DataSource dataSource;
    private final Map<SeriesKey, Integer> seriesIds = new ConcurrentHashMap<>();
    private final Set<String> partitions = ConcurrentHashMap.newKeySet();

    public PostgresUsageStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public AppendResult append(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return new AppendResult(0, 0);
        }
        try (Connection c = dataSource.getConnection()) {
            ensurePartitions(c, events);
            ensureSeries(c, events);
            c.setAutoCommit(false);
            try {
                List<UsageEvent> fresh = claimKeys(c, events);
                if (!fresh.isEmpty()) {
                    insertEvents(c, fresh);
                    upsertRollups(c, fresh);
                    upsertSpans(c, fresh);
                }
                c.commit();
                return new AppendResult(fresh.size(), events.size() - fresh.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("store write failed: " + e.getMessage(), e);
        }
    }

    /** Inserts the keys in key order; the events whose key this transaction inserted are new (first one wins). */
    private List<UsageEvent> claimKeys(Connection c, List<UsageEvent> events) throws SQLException {
        List<UsageEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(UsageEvent::account).thenComparing(UsageEvent::id));
        int n = sorted.size();
        String[] accounts = new String[n], ids = new String[n];
        Long[] times = new Long[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = sorted.get(i).account();
            ids[i] = sorted.get(i).id();
            times[i] = sorted.get(i).timeMillis();
        }
        Set<String> inserted = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_keys (account, id, time_ms)"
                + " SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) ON CONFLICT DO NOTHING RETURNING account, id")) {
            ps.setArray(1, c.createArrayOf("text", accounts));
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("bigint", times));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1) + '\n' + rs.getString(2));
                }
            }
        }
        List<UsageEvent> fresh = new ArrayList<>(inserted.size());
        for (UsageEvent e : events) {
            if (inserted.remove(e.account() + '\n' + e.id())) {
                fresh.add(e);
            }
        }
        return fresh;
    }

    private void insertEvents(Connection c, List<UsageEvent> events) throws SQLException {
        int n = events.size();
        Object[][] cols = new Object[15][n];
        for (int i = 0; i < n; i++) {
            UsageEvent e = events.get(i);
            cols[0][i] = e.account();
            cols[1][i] = e.id();
            cols[2][i] = e.timeMillis();
            cols[3][i] = e.model();
            cols[4][i] = e.key();
            cols[5][i] = e.promptTokens();
            cols[6][i] = e.completionTokens();
            cols[7][i] = e.cachedTokens();
            cols[8][i] = e.quota();
            cols[9][i] = e.creditNanos();
            cols[10][i] = e.durationMs() < 0 ? null : e.durationMs();
            cols[11][i] = e.error();
            cols[12][i] = e.stream();
            cols[13][i] = e.group();
            cols[14][i] = e.channel();
        }
        String[] types = {"text", "text", "bigint", "text", "text", "bigint", "bigint", "bigint", "bigint", "bigint",
                "bigint", "boolean", "boolean", "text", "text"};
        String unnest = Arrays.stream(types).map(t -> "?::" + t + "[]").collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (" + EVENT_COLUMNS + ") SELECT * FROM unnest(" + unnest + ")")) {
            for (int k = 0; k < 15; k++) {
                ps.setArray(k + 1, array(c, types[k], cols[k]));
            }
            ps.executeUpdate();
        }
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        Object[] typed = switch (type) {
            case "text" -> Arrays.copyOf(values, values.length, String[].class);
            case "bigint" -> Arrays.copyOf(values, values.length, Long[].class);
            case "boolean" -> Arrays.copyOf(values, values.length, Boolean[].class);
            case "integer" -> Arrays.copyOf(values, values.length, Integer[].class);
            default -> throw new IllegalArgumentException(type);
        };
        return c.createArrayOf(type, typed);
    }

    private void upsertRollups(Connection c, List<UsageEvent> events) throws SQLException {
        TreeMap<Long, long[]> perMinute = new TreeMap<>(), perQuarter = new TreeMap<>(), perHour = new TreeMap<>();
        Set<Integer> hourly = new HashSet<>(); // the model and account series (the hourly tier keeps only those)
        for (UsageEvent e : events) {
            long minute = e.epochMinute(), quarter = Math.floorDiv(minute, 15) * 15, hour = Math.floorDiv(minute, 60) * 60;
            int[] ids = {
                    seriesIds.get(new SeriesKey(e.account(), e.model(), e.key(), e.error())),
                    seriesIds.get(new SeriesKey(e.account(), e.model(), null, null)),
                    seriesIds.get(new SeriesKey(e.account(), null, null, null))};
            for (int i = 0; i < ids.length; i++) {
                long id = ids[i];
                RollupMetrics.add(perMinute.computeIfAbsent((id << 32) | minute, k -> RollupMetrics.zero()), e);
                RollupMetrics.add(perQuarter.computeIfAbsent((id << 32) | quarter, k -> RollupMetrics.zero()), e);
                if (i > 0) {
                    RollupMetrics.add(perHour.computeIfAbsent((id << 32) | hour, k -> RollupMetrics.zero()), e);
                    hourly.add(ids[i]);
                }
            }
        }
        // The minute rows' totals after this upsert give each hour's busiest minute (they only grow).
        Map<Long, long[]> peaks = new HashMap<>();
        upsert(c, RollupPlan.MINUTE, perMinute, rs -> {
            int series = rs.getInt(1);
            if (hourly.contains(series)) {
                long key = ((long) series << 32) | Math.floorDiv(rs.getLong(2), 60) * 60;
                long[] p = peaks.computeIfAbsent(key, k -> new long[2]);
                p[0] = Math.max(p[0], rs.getLong(3));
                p[1] = Math.max(p[1], rs.getLong(4));
            }
        });
        upsert(c, RollupPlan.QUARTER, perQuarter, null);
        upsert(c, RollupPlan.HOUR, perHour, null, peaks);
    }

    private interface Returned {
        void row(ResultSet rs) throws SQLException;
    }

    private static void upsert(Connection c, String table, TreeMap<Long, long[]> rows, Returned returned)
            throws SQLException {
        upsert(c, table, rows, returned, null);
    }

    /**
     * Rows arrive sorted by (series, minute), so concurrent upserts lock rows in one order. With {@code peaks}
     * (the hourly tier) each row also carries its hour's busiest minute, kept as the greatest seen; with
     * {@code returned} the rows' new totals (series, minute, requests, tokens) are handed back.
     */
    private static void upsert(Connection c, String table, TreeMap<Long, long[]> rows, Returned returned,
                               Map<Long, long[]> peaks) throws SQLException {
        int n = rows.size();
        Object[] series = new Object[n], minutes = new Object[n], peakRequests = new Object[n], peakTokens = new Object[n];
        Object[][] metrics = new Object[METRICS.length][n];
        int i = 0;
        for (Map.Entry<Long, long[]> r : rows.entrySet()) {
            series[i] = (int) (r.getKey() >>> 32);
            minutes[i] = (int) (r.getKey() & 0xffffffffL);
            for (int m = 0; m < METRICS.length; m++) {
                metrics[m][i] = r.getValue()[m];
            }
            if (peaks != null) {
                long[] p = peaks.getOrDefault(r.getKey(), new long[2]);
                peakRequests[i] = p[0];
                peakTokens[i] = p[1];
            }
            i++;
        }
        String sets = Arrays.stream(METRICS).map(m -> m + " = " + table + "." + m + " + excluded." + m)
                .collect(Collectors.joining(", "));
        String columns = "series, minute, " + String.join(", ", METRICS);
        String arrays = "?::int[], ?::int[]" + ", ?::bigint[]".repeat(METRICS.length);
        if (peaks != null) {
            columns += ", peak_requests, peak_tokens";
            arrays += ", ?::bigint[], ?::bigint[]";
            sets += ", peak_requests = greatest(" + table + ".peak_requests, excluded.peak_requests)"
                    + ", peak_tokens = greatest(" + table + ".peak_tokens, excluded.peak_tokens)";
        }
        String sql = "INSERT INTO " + table + " (" + columns + ") SELECT * FROM unnest(" + arrays
                + ") ON CONFLICT (series, minute) DO UPDATE SET " + sets
                + (returned == null ? "" : " RETURNING series, minute, requests, prompt_tokens + completion_tokens");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, array(c, "integer", series));
            ps.setArray(2, array(c, "integer", minutes));
            for (int m = 0; m < METRICS.length; m++) {
                ps.setArray(3 + m, array(c, "bigint", metrics[m]));
            }
            if (peaks != null) {
                ps.setArray(3 + METRICS.length, array(c, "bigint", peakRequests));
                ps.setArray(4 + METRICS.length, array(c, "bigint", peakTokens));
            }
            if (returned == null) {
                ps.executeUpdate();
            } else {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        returned.row(rs);
                    }
                }
            }
        }
    }

    private static void upsertSpans(Connection c, List<UsageEvent> events) throws SQLException {
        TreeMap<String, long[]> spans = new TreeMap<>();
        for (UsageEvent e : events) {
            spans.merge(e.account(), new long[] {e.timeMillis(), e.timeMillis()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Object[] accounts = spans.keySet().toArray(), first = new Object[spans.size()], last = new Object[spans.size()];
        int i = 0;
        for (long[] s : spans.values()) {
            first[i] = s[0];
            last[i++] = s[1];
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO account_span SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[])"
                + " ON CONFLICT (account) DO UPDATE SET first_ms = least(account_span.first_ms, excluded.first_ms),"
                + " last_ms = greatest(account_span.last_ms, excluded.last_ms)")) {
            ps.setArray(1, array(c, "text", accounts));
            ps.setArray(2, array(c, "bigint", first));
            ps.setArray(3, array(c, "bigint", last));
            ps.executeUpdate();
        }
    }

    /** Monthly partitions of the events table, created on first use by whichever instance gets there first. */
    private void ensurePartitions(Connection c, List<UsageEvent> events) throws SQLException {
        Set<LocalDate> months = new HashSet<>();
        for (UsageEvent e : events) {
            months.add(Instant.ofEpochMilli(e.timeMillis()).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1));
        }
        for (LocalDate month : months) {
            String name = String.format("events_p%04d%02d", month.getYear(), month.getMonthValue());
            if (partitions.contains(name)) {
                continue;
            }
            long from = month.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long to = month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            try (var s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF events FOR VALUES FROM (" + from + ") TO (" + to + ")");
            } catch (SQLException e) {
                if (!"42P07".equals(e.getSQLState())) { // another instance created it a moment ago
                    throw e;
                }
            }
            partitions.add(name);
        }
    }

    /** Creates the series this batch needs (outside its transaction: an unused series is harmless). */
    private void ensureSeries(Connection c, List<UsageEvent> events) throws SQLException {
        Set<SeriesKey> missing = new HashSet<>();
        for (UsageEvent e : events) {
            for (SeriesKey k : List.of(new SeriesKey(e.account(), e.model(), e.key(), e.error()),
                    new SeriesKey(e.account(), e.model(), null, null), new SeriesKey(e.account(), null, null, null))) {
                if (!seriesIds.containsKey(k)) {
                    missing.add(k);
                }
            }
        }
        for (SeriesKey k : missing) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO series (account, model, api_key, error) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING")) {
                ps.setString(1, k.account());
                ps.setString(2, k.model());
                ps.setString(3, k.key());
                ps.setObject(4, k.error());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM series WHERE account = ? AND model IS NOT DISTINCT FROM ?"
                    + " AND api_key IS NOT DISTINCT FROM ? AND error IS NOT DISTINCT FROM ?")) {
                ps.setString(1, k.account());
                ps.setString(2, k.model());
                ps.setString(3, k.key());
                ps.setObject(4, k.error());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seriesIds.put(k, rs.getInt(1));
                }
            }
        }
    }

    @Override
    public Optional<String> unavailable() {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("PostgreSQL is unreachable: " + e.getMessage());
        }
    }

    /** Drops the monthly partitions that end before the cutoff (whole tables, no row deletes), and old dedup keys. */
    @Override
    public long dropRawBefore(long cutoffMillis) {
        List<String> old = new ArrayList<>();
        query("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events' AND c.relnamespace = p.relnamespace",
                List.of(), rs -> {
                    String bound = rs.getString(2); // FOR VALUES FROM ('x') TO ('y')
                    String to = bound.substring(bound.lastIndexOf('(') + 1, bound.lastIndexOf(')')).replace("'", "");
                    if (Long.parseLong(to) <= cutoffMillis) {
                        old.add(rs.getString(1));
                    }
                });
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            for (String table : old) {
                s.execute("DROP TABLE IF EXISTS " + table);
                partitions.remove(table);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_keys WHERE time_ms < ?")) {
                ps.setLong(1, cutoffMillis);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("retention failed: " + e.getMessage(), e);
        }
        return -1;
    }

    /**
     * Marks the hourly tier's settled pages all-visible, so that whole hours are index-only reads (V6); only the
     * current hour's rows change. Autovacuum would do it too, but may be off or behind; an instance whose
     * neighbour is already at it skips.
     */
    @Override
    public void maintain() {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute("VACUUM (SKIP_LOCKED) " + RollupPlan.HOUR);
        } catch (SQLException e) {
            throw new StoreUnavailableException("maintenance failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long sizeBytes() {
        long[] size = {-1};
        query("SELECT pg_database_size(current_database())", List.of(), rs -> size[0] = rs.getLong(1));
        return size[0];
    }

    // ---------------------------------------------------------------- reads

    /** The series of {@code filter} as SQL over alias s, with its parameters (see SeriesIndex for the kinds). */
    private static String seriesWhere(SeriesFilter f, boolean byModel, List<Object> params) {
        StringBuilder w = new StringBuilder("s.account = ?");
        params.add(f.account());
        if (f.unfiltered() && !byModel) {
            return w.append(" AND s.model IS NULL").toString();
        }
        if (f.byModelOnly()) {
            w.append(" AND s.model IS NOT NULL AND s.api_key IS NULL");
        } else {
            w.append(" AND s.api_key IS NOT NULL");
        }
        in(w, params, "s.model", f.models());
        in(w, params, "s.api_key", f.keys());
        if (f.errors() != null) {
            w.append(" AND s.error = ?");
            params.add(f.errors());
        }
        return w.toString();
    }

    private static void in(StringBuilder sql, List<Object> params, String column, Set<String> values) {
        if (!values.isEmpty()) {
            sql.append(" AND ").append(column).append(" IN (").append("?,".repeat(values.size() - 1)).append("?)");
            params.addAll(values);
        }
    }

    private static final String COLUMNS = "series, minute, " + String.join(", ", METRICS);

    /**
     * The rollup rows of series s covering [boundaries[0], boundaries[last]) once, from the given tiers (see
     * RollupPlan). Callers join it LATERAL to the series they read, so that every part is an index range per
     * series whatever PostgreSQL estimates (with a plain join, an array condition made it scan whole tiers).
     */
    static String source(long[] boundaries, int... tiers) {
        String hours = hoursBetweenUnalignedBoundaries(boundaries, tiers);
        return hours != null ? hours : parts(RollupPlan.parts(boundaries, tiers));
    }

    private static String parts(List<RollupPlan.Part> parts) {
        return parts.stream()
                .map(p -> "SELECT " + COLUMNS + " FROM " + RollupPlan.table(p.minutes()) + " WHERE series = s.id AND minute >= " + p.from()
                        + " AND minute < " + p.to())
                .collect(Collectors.joining(" UNION ALL "));
    }

    /**
     * Long buckets whose boundaries fall within hours (days, weeks and months in Asia/Kolkata, +05:30, or
     * Asia/Kathmandu, +05:45): RollupPlan would read the whole period from quarter hours, 96 rows a day and series.
     * Instead each hour that a boundary cuts is read as its four quarters, and every other hour from the hourly
     * tier: 23 hours and 4 quarters a day. Null where that does not apply (buckets under 4 hours, boundaries
     * not on quarter hours or all on whole hours, no hourly tier).
     */
    static String hoursBetweenUnalignedBoundaries(long[] boundaries, int... tiers) {
        int n = boundaries.length - 1;
        long from = boundaries[0], to = boundaries[n];
        if (tiers[0] != 60 || n < 2 || (to - from) / n < 240) {
            return null;
        }
        long a = Math.floorDiv(from + 59, 60) * 60, b = Math.floorDiv(to, 60) * 60;
        TreeSet<Long> cut = new TreeSet<>();
        for (int i = 1; i < n; i++) {
            if (Math.floorMod(boundaries[i], 15) != 0) {
                return null;
            }
            long hour = Math.floorDiv(boundaries[i], 60) * 60;
            if (hour != boundaries[i] && hour >= a && hour + 60 <= b) {
                cut.add(hour);
            }
        }
        if (cut.isEmpty()) {
            return null;
        }
        int[] finer = Arrays.copyOfRange(tiers, 1, tiers.length);
        List<RollupPlan.Part> ends = new ArrayList<>(RollupPlan.parts(new long[] {from, a}, finer));
        ends.addAll(RollupPlan.parts(new long[] {b, to}, finer));
        String hours = cut.stream().map(Object::toString).collect(Collectors.joining(","));
        String quarters = cut.stream().flatMap(h -> Stream.of(h, h + 15, h + 30, h + 45))
                .map(Object::toString).collect(Collectors.joining(","));
        return "SELECT " + COLUMNS + " FROM " + RollupPlan.HOUR + " WHERE series = s.id AND minute >= " + a + " AND minute < " + b
                + " AND minute <> ALL ('{" + hours + "}'::int[])"
                + " UNION ALL SELECT " + COLUMNS + " FROM " + RollupPlan.QUARTER + " WHERE series = s.id AND minute = ANY ('{" + quarters + "}'::int[])"
                + (ends.isEmpty() ? "" : " UNION ALL " + parts(ends));
    }

    /** The tiers the series of {@code filter} have: full series (key or status filters) have no hourly tier. */
    private static int[] tiers(SeriesFilter f, boolean byModel) {
        boolean full = !(f.unfiltered() && !byModel) && !f.byModelOnly();
        return full ? new int[] {15, 1} : new int[] {60, 15, 1};
    }

    /** Which of the period's buckets a rollup row r falls into (0 when there is one). */
    private static String bucket(long[] boundaries) {
        if (boundaries.length <= 2) {
            return "0";
        }
        return "width_bucket(r.minute, ARRAY[" + Arrays.stream(boundaries, 1, boundaries.length - 1)
                .mapToObj(Long::toString).collect(Collectors.joining(",")) + "]::int[])";
    }

    @Override
    public List<Totals> sum(SeriesFilter filter, long[] boundaries, boolean byModel) {
        if (boundaries.length < 2) {
            return List.of();
        }
        List<Object> params = new ArrayList<>();
        String model = byModel ? "s.model" : "NULL::text";
        int[] tiers = tiers(filter, byModel);
        String from = " FROM series s CROSS JOIN LATERAL (" + source(boundaries, tiers) + ") r WHERE "
                + seriesWhere(filter, byModel, params);
        if (rowsPerBucket(boundaries, tiers) > 4) {
            List<Totals> out = new ArrayList<>();
            query("SELECT " + bucket(boundaries) + ", " + model + ", " + SUMS + from + " GROUP BY 1, 2", params,
                    rs -> out.add(totals(rs, 3, rs.getInt(1), rs.getString(2))));
            return out;
        }
        // A few rollup rows per bucket and series (30 days by hour: one hour row, or four quarter rows in zones
        // such as Asia/Kolkata or with a key filter; 24 h by minute: one): the rows are added up here. PostgreSQL's
        // GROUP BY would build almost as many groups as rows, at two to three times the cost of reading them.
        Map<String, Totals> out = new HashMap<>();
        String figures = Arrays.stream(METRICS).map(m -> "r." + m).collect(Collectors.joining(", "));
        query("SELECT " + bucket(boundaries) + ", " + model + ", " + figures + from, params, rs -> {
            Totals t = totals(rs, 3, rs.getInt(1), rs.getString(2));
            out.merge(t.bucket() + "\n" + t.model(), t, Totals::plus);
        });
        return new ArrayList<>(out.values());
    }

    /**
     * Roughly how many rollup rows of one series fall into one bucket: the period's minutes over the
     * coarsest tier that answers its middle, per bucket.
     */
    static double rowsPerBucket(long[] boundaries, int... tiers) {
        long rows = 0;
        for (RollupPlan.Part p : RollupPlan.parts(boundaries, tiers)) {
            rows += (p.to() - p.from()) / p.minutes();
        }
        return (double) rows / (boundaries.length - 1);
    }

    /** The nine sums from column {@code at} on, as {@link #SUMS} selects them. */
    private static Totals totals(ResultSet rs, int at, int bucket, String model) throws SQLException {
        return new Totals(bucket, model, rs.getLong(at), rs.getLong(at + 1), rs.getLong(at + 2),
                rs.getBigDecimal(at + 3).toBigIntegerExact(), rs.getLong(at + 4), rs.getLong(at + 5), rs.getLong(at + 6),
                rs.getLong(at + 7), rs.getLong(at + 8));
    }

    /** The account series (model NULL) of every account, summed over [fromMinute, toMinute). */
    @Override
    public List<AccountTotals> perAccount(long fromMinute, long toMinute) {
        if (toMinute <= fromMinute) {
            return List.of();
        }
        TreeMap<String, Totals> out = new TreeMap<>();
        query("SELECT account FROM series WHERE model IS NULL", List.of(), rs -> out.put(rs.getString(1), Totals.zero(0, null)));
        String sql = "SELECT s.account, " + SUMS + " FROM series s CROSS JOIN LATERAL ("
                + source(new long[] {fromMinute, toMinute}, 60, 15, 1) + ") r WHERE s.model IS NULL GROUP BY s.account";
        query(sql, List.of(), rs -> out.put(rs.getString(1), totals(rs, 2, 0, null)));
        List<AccountTotals> list = new ArrayList<>(out.size());
        out.forEach((account, totals) -> list.add(new AccountTotals(account, totals)));
        return list;
    }

    @Override
    public Peak peak(SeriesFilter filter, long fromMinute, long toMinute) {
        if (toMinute <= fromMinute) {
            return new Peak(0, 0);
        }
        List<Object> filterParams = new ArrayList<>(), params = new ArrayList<>();
        String where = seriesWhere(filter, false, filterParams);
        String minutes = "SELECT r.minute, sum(r.requests) AS rq, sum(r.prompt_tokens + r.completion_tokens) AS tk"
                + " FROM rollup_1m r JOIN series s ON s.id = r.series WHERE %s AND " + where + " GROUP BY r.minute";
        long h0 = Math.floorDiv(fromMinute + 59, 60) * 60, h1 = Math.floorDiv(toMinute, 60) * 60;
        boolean single = filter.unfiltered() || (filter.byModelOnly() && filter.models().size() == 1);
        String rows;
        if (single && h0 < h1) {
            // One account or model series: whole hours give their busiest minute, the ends are summed per minute
            // (each end a range of its own, so each is an index range read).
            rows = "SELECT h.peak_requests AS rq, h.peak_tokens AS tk FROM rollup_1h h JOIN series s ON s.id = h.series"
                    + " WHERE h.minute >= " + h0 + " AND h.minute < " + h1 + " AND " + where;
            params.addAll(filterParams);
            for (long[] end : new long[][] {{fromMinute, h0}, {h1, toMinute}}) {
                if (end[0] < end[1]) {
                    rows += " UNION ALL SELECT rq, tk FROM (" + String.format(minutes,
                            "r.minute >= " + end[0] + " AND r.minute < " + end[1]) + ") m" + end[0];
                    params.addAll(filterParams);
                }
            }
        } else {
            rows = String.format(minutes, "r.minute >= " + fromMinute + " AND r.minute < " + toMinute);
            params.addAll(filterParams);
        }
        String sql = "SELECT coalesce(max(rq), 0)::bigint, coalesce(max(tk), 0)::bigint FROM (" + rows + ") x";
        long[] out = new long[2];
        query(sql, params, rs -> {
            out[0] = rs.getLong(1);
            out[1] = rs.getLong(2);
        });
        return new Peak(out[0], out[1]);
    }

    @Override
    public Optional<long[]> timeRange(String account) {
        List<long[]> out = new ArrayList<>();
        query("SELECT first_ms, last_ms FROM account_span WHERE account = ?", List.of(account),
                rs -> out.add(new long[] {rs.getLong(1), rs.getLong(2)}));
        return out.stream().findFirst();
    }

    @Override
    public List<UsageEvent> events(String account, long fromMillis, long toMillis) {
        List<UsageEvent> out = new ArrayList<>();
        query("SELECT " + EVENT_COLUMNS + " FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, id",
                List.of(account, fromMillis, toMillis), rs -> out.add(event(rs)));
        return out;
    }

    @Override
    public List<UsageEvent> page(EventQuery q) {
        List<Object> params = new ArrayList<>(List.of(q.filter().account(), q.fromMillis(), q.toMillis()));
        StringBuilder sql = new StringBuilder("SELECT ").append(EVENT_COLUMNS)
                .append(" FROM events WHERE account = ? AND time_ms >= ? AND time_ms < ?");
        if (q.beforeMillis() != null) {
            sql.append(" AND (time_ms, id) < (?, ?)");
            params.add(q.beforeMillis());
            params.add(q.beforeId());
        }
        in(sql, params, "model", q.filter().models());
        in(sql, params, "api_key", q.filter().keys());
        if (q.filter().errors() != null) {
            sql.append(" AND error = ?");
            params.add(q.filter().errors());
        }
        sql.append(" ORDER BY time_ms DESC, id DESC LIMIT ").append(q.limit());
        List<UsageEvent> out = new ArrayList<>();
        query(sql.toString(), params, rs -> out.add(event(rs)));
        return out;
    }

    @Override
    public void scan(EventQuery q, Consumer<UsageEvent> sink) {
        EventQuery next = new EventQuery(q.filter(), q.fromMillis(), q.toMillis(), null, null, 10_000);
        while (true) {
            List<UsageEvent> page = page(next);
            page.forEach(sink);
            if (page.size() < next.limit()) {
                return;
            }
            UsageEvent last = page.get(page.size() - 1);
            next = new EventQuery(q.filter(), q.fromMillis(), q.toMillis(), last.timeMillis(), last.id(), 10_000);
        }
    }

    private static UsageEvent event(ResultSet rs) throws SQLException {
        long duration = rs.getLong(11);
        if (rs.wasNull()) {
            duration = -1;
        }
        return new UsageEvent(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), duration,
                rs.getBoolean(12), (Boolean) rs.getObject(13), rs.getString(14), rs.getString(15));
    }

    private interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    private void query(String sql, List<Object> params, RowHandler handler) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.row(rs);
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }
}

package dev.tokenstats.bench;

import dev.tokenstats.bench.Workload.GatewayCall;
import dev.tokenstats.store.DuckDbFixture;
import dev.tokenstats.store.MutableClock;
import dev.tokenstats.store.PostgresFixture;
import dev.tokenstats.store.postgres.PostgresUsageStore;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stats benchmark of issue 3 (and of issue 5 with {@code --engine=postgres}).
 *
 * <p>For each size N: generates N calls over 90 days ({@link Workload}: ~200 accounts, the heaviest ~10%,
 * 30 models, up to 20 keys) and stores them through the store's own write path, with a clock that moves
 * with the events as if they had arrived live (so the rollups are laid out as a running server leaves
 * them). The same calls go into new-api's SQLite {@code logs} table and its hourly {@code quota_data}
 * rollup. Then tokenstats is started as a server on that data and the full {@code GET /api/v1/stats} call
 * for the heaviest account is timed over HTTP, warm, in three views; beside it, in the same run, new-api's
 * log-scan SQL and its quota_data query for the same account and period. Every view's totals are checked
 * against the log scan. Usage: {@code bench/stats.sh [N ...] [--engine=duckdb|postgres] [--runs=200]}.
 */
public final class StatsBench {

    static final long SEED = 42;
    static final String KEY = "tsi_stats_bench_ingest_key_0123456789";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record View(String name, Duration span, String granularity, long sqliteBucketSeconds) {
    }

    static final List<View> VIEWS = List.of(
            new View("30 days by hour", Duration.ofDays(30), "hour", 3600),
            new View("90 days by day", Duration.ofDays(90), "day", 86_400),
            new View("24 h by minute", Duration.ofHours(24), "minute", 60));

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<Long> sizes = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        StatsBench b = new StatsBench();
        for (String a : args) {
            if (a.equals("--help")) {
                System.out.println("bench/stats.sh [N ...] [--engine=duckdb|postgres] [--runs=200] [--baseline-runs=3] [--warmup=500]"
                        + " [--accounts=200] [--load-batch=10000] [--work=target/bench-stats] [--reload] [--load-only] [--no-baseline] [--jfr]"
                        + " [--tz=UTC (the zone of the buckets; periods stay whole UTC hours and days)]"
                        + " [--server-xmx=4g] [--server-xms=SIZE]");
                return;
            }
            if (a.startsWith("--")) {
                String[] kv = a.substring(2).split("=", 2);
                b.options.put(kv[0], kv.length > 1 ? kv[1] : "true");
            } else {
                b.sizes.add(Long.parseLong(a.replace("_", "")));
            }
        }
        if (b.sizes.isEmpty()) {
            b.sizes.addAll(List.of(1_000_000L, 10_000_000L, 100_000_000L));
        }
        b.run();
    }

    private void run() throws Exception {
        String engine = options.getOrDefault("engine", "duckdb");
        Path work = Path.of(options.getOrDefault("work", "target/bench-stats")).toAbsolutePath();
        Path jar = Path.of("target/tokenstats.jar").toAbsolutePath();
        AzureTrace trace = AzureTrace.read(Path.of("../shared/data/azure-llm-trace-2023").toAbsolutePath());
        System.out.println("# tokenstats stats bench (issue 3), engine " + engine + ", " + Instant.now());
        System.out.println("machine: " + Machine.describe());
        Map<Long, Map<String, double[]>> results = new TreeMap<>();
        for (long n : sizes) {
            Path dir = work.resolve(engine + "-" + n);
            Properties meta = loaded(dir, n, engine);
            if (meta == null || options.containsKey("reload")) {
                meta = load(trace, dir, n, engine);
            } else {
                System.out.println("\n## " + n + " events: reusing the data loaded in " + dir);
            }
            if (!options.containsKey("load-only")) {
                results.put(n, measure(jar, dir, meta, engine));
            }
        }
        if (!results.isEmpty()) {
            summary(results);
        }
    }

    // ------------------------------------------------------------------ load

    private static Properties loaded(Path dir, long n, String engine) throws IOException {
        Path file = dir.resolve("meta.properties");
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return Long.parseLong(p.getProperty("n")) == n && engine.equals(p.getProperty("engine")) ? p : null;
    }

    private Properties load(AzureTrace trace, Path dir, long n, String engine) throws Exception {
        IngestBench.deleteTree(dir);
        Files.createDirectories(dir);
        int accounts = Integer.parseInt(options.getOrDefault("accounts", "200"));
        long end = Instant.now().truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
        Workload w = new Workload(trace, SEED, n, accounts, end, Duration.ofDays(90).toMillis(), 20);
        System.out.println("\n## " + n + " events: loading into " + engine + " and new-api's SQLite tables ...");
        w.describe().forEach(l -> System.out.println("workload: " + l));
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(w.start()));
        String schema = null;
        AutoCloseable fixture;
        UsageStore store;
        if (engine.equals("postgres")) {
            schema = PostgresFixture.freshSchema("stats_bench");
            PostgresFixture pg = new PostgresFixture(schema);
            // folds the rollup deltas every half second while loading, as a running instance does
            PostgresUsageStore folding = new PostgresUsageStore(pg.dataSource, Duration.ofMillis(500));
            fixture = () -> {
                folding.close();
                folding.fold();
                pg.close();
            };
            store = folding;
        } else {
            DuckDbFixture duck = new DuckDbFixture(Files.createDirectories(dir.resolve("data")), clock);
            fixture = duck;
            store = duck.store;
        }
        NewApiTables sqlite = new NewApiTables(dir.resolve("newapi.sqlite"), w);
        BlockingQueue<List<GatewayCall>> toSqlite = new ArrayBlockingQueue<>(8);
        ExecutorService sqliteWriter = Executors.newSingleThreadExecutor();
        Future<?> sqliteDone = sqliteWriter.submit(() -> {
            while (true) {
                List<GatewayCall> batch = toSqlite.take();
                if (batch.isEmpty()) {
                    return null;
                }
                sqlite.insert(batch);
            }
        });
        ExecutorService appenders = Executors.newFixedThreadPool(2);
        List<Future<?>> inFlight = new ArrayList<>();
        int batchSize = Integer.parseInt(options.getOrDefault("load-batch", "10000"));
        long t0 = System.nanoTime();
        long[] perAccount = new long[accounts];
        for (long done = 0; done < n; ) {
            int size = (int) Math.min(batchSize, n - done);
            List<GatewayCall> calls = new ArrayList<>(size);
            List<UsageEvent> events = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                GatewayCall c = w.next();
                calls.add(c);
                events.add(event(w, c));
                perAccount[c.account()]++;
            }
            done += size;
            // the events arrive as they happen: the store's clock is at the newest of them
            clock.set(Instant.ofEpochMilli(calls.get(size - 1).timeMillis() + 1_000));
            inFlight.add(appenders.submit(() -> store.append(events)));
            while (inFlight.size() > 4) {
                inFlight.remove(0).get();
            }
            toSqlite.put(calls);
            if (done % 5_000_000 < batchSize) {
                System.out.printf("  %,d loaded (%.0f s)%n", done, (System.nanoTime() - t0) / 1e9);
            }
        }
        for (Future<?> f : inFlight) {
            f.get();
        }
        appenders.shutdown();
        toSqlite.put(List.of());
        sqliteDone.get();
        sqliteWriter.shutdown();
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        fixture.close();
        long ti = System.nanoTime();
        sqlite.finish();
        System.out.printf("loaded %,d events in %.0f s (%,.0f events/s through the store's write path and SQLite"
                + " side by side); new-api's indexes and quota_data built in %.0f s%n", n, loadSeconds, n / loadSeconds,
                (System.nanoTime() - ti) / 1e9);
        int heaviest = 0;
        for (int a = 0; a < accounts; a++) {
            if (perAccount[a] > perAccount[heaviest]) {
                heaviest = a;
            }
        }
        Properties p = new Properties();
        p.setProperty("n", Long.toString(n));
        p.setProperty("engine", engine);
        p.setProperty("end", Long.toString(end));
        p.setProperty("account", w.accounts[heaviest]);
        p.setProperty("user_id", Integer.toString(heaviest + 1));
        p.setProperty("account_events", Long.toString(perAccount[heaviest]));
        p.setProperty("load_seconds", String.format("%.1f", loadSeconds));
        if (schema != null) {
            p.setProperty("schema", schema);
        }
        try (var out = Files.newBufferedWriter(dir.resolve("meta.properties"))) {
            p.store(out, "stats bench data");
        }
        return p;
    }

    static UsageEvent event(Workload w, GatewayCall c) {
        return new UsageEvent(w.accounts[c.account()], c.id(), c.timeMillis(), Workload.MODELS[c.model()].name(),
                w.accountKeys[c.account()][c.key()], c.prompt(), c.completion(), c.cached(), c.quota(),
                c.quota() * 2_000, // quota / 500,000 credits, in nano-credits: exact
                c.durationMs(), c.error(), c.stream(), w.groupOf(c), Integer.toString(c.channel()));
    }

    // ------------------------------------------------------------------ measure

    private Map<String, double[]> measure(Path jar, Path dir, Properties meta, String engine) throws Exception {
        int runs = Integer.parseInt(options.getOrDefault("runs", "200"));
        int baselineRuns = Integer.parseInt(options.getOrDefault("baseline-runs", "3"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "500"));
        long end = Long.parseLong(meta.getProperty("end"));
        String account = meta.getProperty("account");
        int userId = Integer.parseInt(meta.getProperty("user_id"));
        System.out.printf("heaviest account %s: %,d of %s events%n", account,
                Long.parseLong(meta.getProperty("account_events")), meta.getProperty("n"));
        List<String> extra = new ArrayList<>();
        if (engine.equals("postgres")) {
            String schema = meta.getProperty("schema");
            extra.addAll(PostgresFixture.serverArguments(schema));
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        Path serverDir = dir.resolve("server");
        Files.createDirectories(serverDir);
        if (!engine.equals("postgres")) {
            // the server's data folder is the loaded one
            Path link = serverDir.resolve("data");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, dir.resolve("data"));
        }
        long ts = System.nanoTime();
        try (TokenstatsProcess server = TokenstatsProcess.start(jar, serverDir,
                options.getOrDefault("server-xmx", "4g"),
                options.containsKey("server-xms") ? List.of("-Xms" + options.get("server-xms")) : List.of(),
                KEY, options.containsKey("jfr"), extra)) {
            server.awaitHealthy(Duration.ofMinutes(10));
            System.out.printf("server up in %.1f s (opening the store, loading the dedup keys of the last 36 days)%n",
                    (System.nanoTime() - ts) / 1e9);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String token = personalToken(http, server.base);
            try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("newapi.sqlite"))) {
                for (View v : VIEWS) {
                    Instant to = Instant.ofEpochMilli(end).truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
                    if (v.granularity().equals("day")) {
                        to = Instant.ofEpochMilli(end).truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
                    }
                    Instant from = to.minus(v.span());
                    URI uri = server.base.resolve("/api/v1/stats?account=" + enc(account) + "&from=" + enc(from.toString())
                            + "&to=" + enc(to.toString()) + "&tz=" + enc(options.getOrDefault("tz", "UTC"))
                            + "&granularity=" + v.granularity());
                    String body = null;
                    for (int i = 0; i < warmup; i++) { // the server's JIT and the client's connection
                        body = get(uri, token);
                    }
                    long[] nanos = new long[runs];
                    for (int i = 0; i < runs; i++) {
                        long t = System.nanoTime();
                        body = get(uri, token);
                        nanos[i] = System.nanoTime() - t;
                    }
                    double[] ours = {IngestBench.percentile(nanos, 0.5), IngestBench.percentile(nanos, 0.99)};
                    JsonNode stats = JSON.readTree(body);

                    double[] scan = {Double.NaN, Double.NaN};
                    double[] rollup = {Double.NaN, Double.NaN};
                    String check = "not checked (--no-baseline)";
                    if (!options.containsKey("no-baseline")) {
                        long[] scanNanos = new long[baselineRuns];
                        long[] sums = null;
                        for (int i = 0; i < baselineRuns; i++) {
                            long t = System.nanoTime();
                            sums = NewApiTables.logScan(sqlite, userId, from, to, v.sqliteBucketSeconds());
                            scanNanos[i] = System.nanoTime() - t;
                        }
                        scan = new double[] {IngestBench.percentile(scanNanos, 0.5), IngestBench.percentile(scanNanos, 0.99)};
                        check = check(stats, sums);
                        if (v.sqliteBucketSeconds() >= 3600) {
                            long[] rollupNanos = new long[Math.max(baselineRuns, 20)];
                            for (int i = 0; i < rollupNanos.length; i++) {
                                long t = System.nanoTime();
                                NewApiTables.quotaData(sqlite, userId, from, to);
                                rollupNanos[i] = System.nanoTime() - t;
                            }
                            rollup = new double[] {IngestBench.percentile(rollupNanos, 0.5),
                                    IngestBench.percentile(rollupNanos, 0.99)};
                        }
                    }
                    System.out.printf("%-16s tokenstats p50 %7.2f ms  p99 %7.2f ms  (%d calls, %,d bytes JSON) |"
                                    + " log scan p50 %9.1f ms | quota_data p50 %7.2f ms | totals vs log scan: %s%n",
                            v.name(), ours[0], ours[1], runs, body.length(), scan[0], rollup[0], check);
                    out.put(v.name(), new double[] {ours[0], ours[1], scan[0], scan[1], rollup[0], rollup[1]});
                }
            }
            System.out.printf("server heap after the calls: %s; rss %,d MiB%n", server.gcSummary(),
                    server.statusKib("VmRSS") >> 10);
        }
        return out;
    }

    /**
     * One GET over the JDK's keep-alive connection cache (HttpURLConnection), read to the end so the connection
     * is reused. The JDK HttpClient is not used for the timed calls: warm, it still added 0.4–4 ms at p50/p99
     * against this client on the same server (3.63/11.77 vs 3.19/7.67 ms, 2026-11-28), cold about 6 ms per call.
     */
    private static String get(URI uri, String token) throws Exception {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri.toURL().openConnection();
        c.setRequestProperty("Authorization", "Bearer " + token);
        int status = c.getResponseCode();
        try (var in = status == 200 ? c.getInputStream() : c.getErrorStream()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IllegalStateException(uri + " answered " + status + ": " + body);
            }
            return body;
        }
    }

    /** The admin signs in once (HTTP Basic) to make a read-only personal token, as a script would. */
    private static String personalToken(HttpClient http, URI base) throws Exception {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("admin:" + TokenstatsProcess.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/tokens"))
                .header("Authorization", basic).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"stats-bench\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("making a token answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).get("token").asString();
    }

    /** Requests, quota and tokens of the stats answer against the log scan's sums: "equal" or what differs. */
    private static String check(JsonNode stats, long[] scan) {
        JsonNode o = stats.get("overview");
        long requests = o.get("requests").asLong(), quota = o.get("quota").asLong(), tokens = o.get("tokens").asLong();
        long consumptionQuota = 0;
        for (JsonNode c : stats.get("consumption")) {
            consumptionQuota += c.get("quota").asLong();
        }
        if (requests == scan[0] && quota == scan[1] && tokens == scan[2] && consumptionQuota == scan[1]) {
            return String.format("equal (%,d requests, %,d quota, %,d tokens)", requests, quota, tokens);
        }
        return String.format("DIFFERENT: tokenstats %d/%d/%d (consumption quota %d), log scan %d/%d/%d",
                requests, quota, tokens, consumptionQuota, scan[0], scan[1], scan[2]);
    }

    private void summary(Map<Long, Map<String, double[]>> results) {
        System.out.println("\n## summary (ms; targets at 100M: p50 <= 5, p99 <= 20, <= 1.5x the 1M p50,"
                + " >= 500x the log scan, >= 3x the quota_data query)");
        System.out.printf("%-12s %-16s %8s %8s %10s %10s %8s %10s %10s%n", "events", "view", "p50", "p99", "vs 1M p50",
                "log scan", "x faster", "quota_data", "x faster");
        Map<String, double[]> first = results.values().iterator().next();
        long firstN = results.keySet().iterator().next();
        results.forEach((n, views) -> views.forEach((name, r) -> System.out.printf(
                "%-12s %-16s %8.2f %8.2f %10s %10.1f %8.0f %10s %10s%n", String.format("%,d", n), name, r[0], r[1],
                firstN == 1_000_000L ? String.format("%.2fx", r[0] / first.get(name)[0]) : "-", r[2], r[2] / r[0],
                Double.isNaN(r[4]) ? "n/a" : String.format("%.2f", r[4]),
                Double.isNaN(r[4]) ? "n/a" : String.format("%.1f", r[4] / r[0]))));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * new-api's usage tables on SQLite: {@code logs} (columns of model/log.go) and {@code quota_data} (model/usedata.go:
     * one row per user, model and hour, as new-api's data-export cache leaves it), loaded in bulk, then indexed as
     * new-api indexes them (the indexes that a read by user and time can use).
     */
    static final class NewApiTables {

        private final Connection c;
        private final Workload w;
        private final PreparedStatement insert;
        private final Map<String, long[]> quotaData = new HashMap<>();

        NewApiTables(Path file, Workload w) throws SQLException {
            this.w = w;
            c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=OFF");
                s.execute("PRAGMA synchronous=OFF");
                s.execute(Baselines.NEW_API_LOGS);
                s.execute("CREATE TABLE quota_data (id integer PRIMARY KEY AUTOINCREMENT, user_id integer,"
                        + " username text DEFAULT '', model_name text DEFAULT '', created_at bigint, token_used integer"
                        + " DEFAULT 0, count integer DEFAULT 0, quota integer DEFAULT 0)");
            }
            c.setAutoCommit(false);
            insert = c.prepareStatement("INSERT INTO logs (user_id, created_at, type, content, username, token_name,"
                    + " model_name, quota, prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id,"
                    + " \"group\", ip, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }

        void insert(List<GatewayCall> calls) throws SQLException {
            for (GatewayCall e : calls) {
                Baselines.bindNewApiLog(insert, e, w);
                insert.addBatch();
                if (!e.error()) {
                    long hour = e.timeMillis() / 1000 / 3600 * 3600;
                    long[] q = quotaData.computeIfAbsent(e.account() + "\u0000" + e.model() + "\u0000" + hour,
                            k -> new long[3]);
                    q[0] += e.prompt() + e.completion();
                    q[1]++;
                    q[2] += e.quota();
                }
            }
            insert.executeBatch();
            c.commit();
        }

        void finish() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO quota_data (user_id, username, model_name,"
                    + " created_at, token_used, count, quota) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Map.Entry<String, long[]> e : quotaData.entrySet()) {
                    String[] k = e.getKey().split("\u0000");
                    int a = Integer.parseInt(k[0]);
                    ps.setInt(1, a + 1);
                    ps.setString(2, w.accounts[a]);
                    ps.setString(3, Workload.MODELS[Integer.parseInt(k[1])].name());
                    ps.setLong(4, Long.parseLong(k[2]));
                    ps.setLong(5, e.getValue()[0]);
                    ps.setLong(6, e.getValue()[1]);
                    ps.setLong(7, e.getValue()[2]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                for (String ix : Baselines.NEW_API_READ_INDEXES) {
                    s.execute(ix);
                }
                s.execute("CREATE INDEX idx_quota_data_user_id ON quota_data(user_id)");
                s.execute("CREATE INDEX idx_qdt_model_user_name ON quota_data(model_name, username)");
                s.execute("CREATE INDEX idx_qdt_created_at ON quota_data(created_at)");
                s.execute("ANALYZE");
            }
            insert.close();
            c.close();
        }

        /**
         * new-api's log-scan statistics: {@code SUM ... FROM logs WHERE user_id = ? AND created_at in the period
         * GROUP BY bucket, model_name}, all rows read; returns requests, quota, tokens over all groups.
         */
        static long[] logScan(Connection c, int userId, Instant from, Instant to, long bucketSeconds) throws SQLException {
            long[] out = new long[3];
            try (PreparedStatement ps = ofUser(c, "SELECT created_at / " + bucketSeconds + " * " + bucketSeconds
                    + " AS bucket, model_name, count(*), sum(quota), sum(prompt_tokens) + sum(completion_tokens)"
                    + " FROM logs WHERE user_id = ? AND created_at >= ? AND created_at < ?"
                    + " GROUP BY bucket, model_name ORDER BY bucket, model_name", userId, from, to);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out[0] += rs.getLong(3);
                    out[1] += rs.getLong(4);
                    out[2] += rs.getLong(5);
                }
            }
            return out;
        }

        /** {@code sql} with its three parameters bound: the user id and the period [from, to) in epoch seconds. */
        private static PreparedStatement ofUser(Connection c, String sql, int userId, Instant from, Instant to)
                throws SQLException {
            PreparedStatement ps = c.prepareStatement(sql);
            ps.setInt(1, userId);
            ps.setLong(2, from.getEpochSecond());
            ps.setLong(3, to.getEpochSecond());
            return ps;
        }

        /** new-api's dashboard read (GetQuotaDataByUserId): the user's hourly rows of the period, all read. */
        static long quotaData(Connection c, int userId, Instant from, Instant to) throws SQLException {
            long rows = 0;
            try (PreparedStatement ps = ofUser(c, "SELECT id, user_id, username, model_name, created_at, token_used,"
                    + " count, quota FROM quota_data WHERE user_id = ? AND created_at >= ? AND created_at < ?", userId, from, to);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows += rs.getLong(7);
                }
            }
            return rows;
        }
    }
}

package dev.tokenstats.bench;

import dev.tokenstats.store.PostgresFixture;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingestion on the shared store (issue 5): two tokenstats instances on one PostgreSQL (127.0.0.1:5432,
 * database `test`, a fresh schema), N events in 1,000-event NDJSON batches prepared before the clock,
 * posted by 4 client threads alternating between the instances; prints events/s (whole run, and steady: between
 * the 10th and 90th percentile of acknowledgements, after the JIT warm-up), p50/p99, where the CPU went (server
 * JIT compilers, the rest of the servers, PostgreSQL, the client), then checks the stored count.
 *
 * <p>Then, as the floor beside it: the same events written straight over JDBC from 4 threads into a fresh schema
 * of the same migrations, as the least an exactly-once store writes, each 1,000-event batch one transaction of the
 * dedup keys' {@code INSERT ... ON CONFLICT DO NOTHING RETURNING} and the raw rows' {@code COPY} (the store's own
 * two statements), no HTTP, no JSON, no rollups; it prints events/s and PostgreSQL's CPU per event.
 * Usage: bench/ingest-postgres.sh [N] [--no-floor]   (default 1,000,000)
 */
public final class PostgresIngestBench {

    static final String KEY = "pg-bench-key";
    static final String DB = "jdbc:postgresql://127.0.0.1:5432/test";
    static final java.util.regex.Pattern ACCEPTED = java.util.regex.Pattern.compile("\"accepted\":(\\d+)");

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        long n = args.length > 0 && !args[0].startsWith("--") ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        String schema = "bench_" + Long.toString(System.nanoTime(), 36);
        Path work = Files.createTempDirectory("tokenstats-pg-bench");
        List<Process> servers = new ArrayList<>();
        List<URI> bases = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx1g", "-jar", Path.of("target/tokenstats.jar").toAbsolutePath().toString(),
                        "--server.port=" + port, "--tokenstats.data-dir=" + work.resolve("data" + i),
                        "--spring.datasource.hikari.maximum-pool-size=16"));
                command.addAll(PostgresFixture.serverArguments(schema));
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("server" + i + ".log").toFile());
                pb.environment().put("TOKENSTATS_INGEST_KEY", KEY);
                servers.add(pb.start());
                bases.add(URI.create("http://127.0.0.1:" + port));
                if (i == 0) {
                    awaitHealthy(bases.get(0)); // the first runs the migrations
                }
            }
            awaitHealthy(bases.get(1));

            long now = System.currentTimeMillis();
            List<String> bodies = new ArrayList<>();
            for (long b = 0; b < n / 1000; b++) {
                StringBuilder body = new StringBuilder(280_000);
                for (int i = 0; i < 1000; i++) {
                    Event e = new Event(b * 1000 + i, n, now);
                    body.append("{\"id\":\"").append(e.id()).append("\",\"account\":\"").append(e.account())
                            .append("\",\"time\":").append(e.time()).append(",\"model\":\"").append(e.model())
                            .append("\",\"key\":\"").append(e.key()).append("\",\"prompt_tokens\":").append(e.prompt())
                            .append(",\"completion_tokens\":").append(e.completion()).append(",\"quota\":").append(e.quota())
                            .append(",\"duration_ms\":").append(e.durationMs()).append(",\"status\":\"")
                            .append(e.error() ? "error" : "success").append("\"}\n");
                }
                bodies.add(body.toString());
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicInteger next = new AtomicInteger();
            AtomicLong accepted = new AtomicLong();
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
            long ticks = TokenstatsProcess.clockTicksPerSecond();
            long[][] serverCpu0 = new long[servers.size()][];
            for (int i = 0; i < servers.size(); i++) {
                serverCpu0[i] = jitAndRest(servers.get(i).pid(), ticks);
            }
            long postgresCpu0 = postgresCpuMillis(ticks), clientCpu0 = TokenstatsProcess.selfCpuMillis(ticks);
            double seconds = onThreads(4, thread -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    HttpRequest req = HttpRequest.newBuilder(bases.get(thread % 2).resolve("/api/v1/events"))
                            .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/x-ndjson")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build();
                    while (true) {
                        long r0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                long r1 = System.nanoTime();
                                latencies.add(r1 - r0);
                                acks.add(r1);
                                java.util.regex.Matcher m = ACCEPTED.matcher(r.body());
                                if (m.find()) {
                                    accepted.addAndGet(Long.parseLong(m.group(1)));
                                }
                                break;
                            }
                            Thread.sleep(100); // 429/503: retry
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            });
            long jit = 0, rest = 0;
            for (int i = 0; i < servers.size(); i++) {
                long[] now1 = jitAndRest(servers.get(i).pid(), ticks);
                jit += now1[0] - serverCpu0[i][0];
                rest += now1[1] - serverCpu0[i][1];
            }
            long postgresCpu = postgresCpuMillis(ticks) - postgresCpu0, clientCpu = TokenstatsProcess.selfCpuMillis(ticks) - clientCpu0;
            List<Long> lat = new ArrayList<>(latencies);
            lat.sort(null);
            List<Long> ackTimes = new ArrayList<>(acks);
            ackTimes.sort(null);
            int from = ackTimes.size() / 10, to = ackTimes.size() * 9 / 10;
            double steady = (to - from) * 1000.0 / ((ackTimes.get(to) - ackTimes.get(from)) / 1e9);
            long stored;
            try (Connection c = DriverManager.getConnection(DB, "postgres", ""); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".events")) {
                rs.next();
                stored = rs.getLong(1);
            }
            System.out.printf("PostgreSQL, 2 instances, 4 client threads: %,d events in %.1f s = %,.0f events/s;"
                            + " request p50 %.0f ms p99 %.0f ms; accepted %,d, stored %,d (%s); load average %s%n",
                    n, seconds, n / seconds, lat.get(lat.size() / 2) / 1e6, lat.get(lat.size() * 99 / 100) / 1e6,
                    accepted.get(), stored, stored == n && accepted.get() == n ? "exact" : "MISMATCH",
                    Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.printf("  steady (10th-90th pct of acks): %,.0f events/s; CPU s of %.1f s x %d cores: server JIT compilers %.1f,"
                            + " servers otherwise %.1f, PostgreSQL %.1f, bench client %.1f; per event %.1f us servers (JIT excluded),"
                            + " %.1f us PostgreSQL%n", steady, seconds, Runtime.getRuntime().availableProcessors(), jit / 1e3,
                    rest / 1e3, postgresCpu / 1e3, clientCpu / 1e3, rest * 1e3 / n, postgresCpu * 1e3 / n);
        } finally {
            servers.forEach(Process::destroy);
            for (Process p : servers) {
                p.waitFor();
            }
            try (Connection c = DriverManager.getConnection(DB, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        if (!options.contains("--no-floor")) {
            floor(n);
        }
    }

    /** The floor (see the class comment): dedup keys and raw rows only, over JDBC, the same events. */
    static void floor(long n) throws Exception {
        String schema = "bench_floor_" + Long.toString(System.nanoTime(), 36);
        String url = DB + "?currentSchema=" + schema;
        org.flywaydb.core.Flyway.configure().dataSource(url, "postgres", "").schemas(schema).defaultSchema(schema)
                .locations("classpath:db/postgres").load().migrate();
        long now = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            long month = java.time.Instant.ofEpochMilli(now - 3_600_000L).atZone(java.time.ZoneOffset.UTC).toLocalDate()
                    .withDayOfMonth(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            s.execute("CREATE TABLE events_floor PARTITION OF events FOR VALUES FROM (" + month + ") TO (" + (now + 86_400_000L) + ")");
        }
        List<String[]> batches = new ArrayList<>(); // {accounts, ids, times as array literals, COPY text}
        for (long b = 0; b < n / 1000; b++) {
            StringBuilder accounts = new StringBuilder("{"), ids = new StringBuilder("{"), times = new StringBuilder("{"),
                    rows = new StringBuilder(200_000);
            for (int i = 0; i < 1000; i++) {
                Event e = new Event(b * 1000 + i, n, now);
                String sep = i == 0 ? "" : ",";
                accounts.append(sep).append(e.account());
                ids.append(sep).append(e.id());
                times.append(sep).append(e.time());
                // as the server stores them: no cached tokens, credits = quota / 500,000, no stream, group or channel
                rows.append(e.account()).append('\t').append(e.id()).append('\t').append(e.time()).append('\t').append(e.model())
                        .append('\t').append(e.key()).append('\t').append(e.prompt()).append('\t').append(e.completion())
                        .append("\t0\t").append(e.quota()).append('\t').append(e.quota() * 2000).append('\t')
                        .append(e.durationMs()).append('\t').append(e.error() ? 't' : 'f').append("\t\\N\t\t\n");
            }
            batches.add(new String[] {accounts.append('}').toString(), ids.append('}').toString(), times.append('}').toString(),
                    rows.toString()});
        }
        long ticks = TokenstatsProcess.clockTicksPerSecond();
        long postgresCpu0 = postgresCpuMillis(ticks);
        AtomicInteger next = new AtomicInteger();
        AtomicLong stored = new AtomicLong();
        double seconds = onThreads(4, thread -> {
            try (Connection c = DriverManager.getConnection(url, "postgres", "");
                 java.sql.PreparedStatement keys = c.prepareStatement("INSERT INTO event_keys (account, id, time_ms)"
                         + " SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) ON CONFLICT DO NOTHING RETURNING account, id")) {
                c.setAutoCommit(false);
                var copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
                int i;
                while ((i = next.getAndIncrement()) < batches.size()) {
                    String[] batch = batches.get(i);
                    keys.setString(1, batch[0]);
                    keys.setString(2, batch[1]);
                    keys.setString(3, batch[2]);
                    int fresh = 0;
                    try (ResultSet rs = keys.executeQuery()) {
                        while (rs.next()) {
                            fresh++;
                        }
                    }
                    copy.copyIn("COPY events (account, id, time_ms, model, api_key, prompt_tokens, completion_tokens,"
                            + " cached_tokens, quota, credit_nanos, duration_ms, error, stream, grp, channel) FROM STDIN",
                            new java.io.ByteArrayInputStream(batch[3].getBytes(StandardCharsets.UTF_8)));
                    c.commit();
                    stored.addAndGet(fresh);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long postgresCpu = postgresCpuMillis(ticks) - postgresCpu0;
        try (Connection c = DriverManager.getConnection(DB, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        System.out.printf("floor, dedup keys and raw rows only (JDBC, 4 threads, 1,000-event transactions, no HTTP, no rollups):"
                        + " %,d events in %.1f s = %,.0f events/s; PostgreSQL %.1f s of CPU = %.1f us per event; %s%n",
                n, seconds, n / seconds, postgresCpu / 1e3, postgresCpu * 1e3 / n,
                stored.get() == n ? "stored exactly" : "MISMATCH: " + stored.get() + " stored");
    }

    /** Event number k of n, the same for the run through the servers and for the floor; times over the hour before now. */
    record Event(long k, long n, long now) {
        String id() {
            return "pg-" + k;
        }

        String account() {
            return "acct-" + (k % 7 == 0 ? 0 : k % 200);
        }

        long time() {
            return now - 3_600_000L + (k * 3_600_000L / n);
        }

        String model() {
            return "model-" + k % 29 % 13;
        }

        String key() {
            return "key-" + k % 5;
        }

        long prompt() {
            return 200 + k % 4000;
        }

        long completion() {
            return 10 + k % 800;
        }

        long quota() {
            return 500 + k % 40_000;
        }

        long durationMs() {
            return 300 + k % 8000;
        }

        boolean error() {
            return k % 67 == 0;
        }
    }

    /** Runs {@code work} on {@code n} threads (given their number) until all return; the seconds that took. */
    static double onThreads(int n, java.util.function.IntConsumer work) throws InterruptedException {
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int thread = t;
            Thread th = new Thread(() -> work.accept(thread));
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** CPU ms of a server: {its JIT compiler threads, every other thread}. */
    static long[] jitAndRest(long pid, long ticks) {
        long jit = 0, total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    long ms = statCpuMillis(Files.readString(t.resolve("stat")), false, ticks);
                    total += ms;
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        jit += ms;
                    }
                } catch (IOException gone) {
                    // thread ended
                }
            }
        } catch (IOException gone) {
            // process ended
        }
        return new long[] {jit, total - jit};
    }

    /** CPU ms of every PostgreSQL process, with the ended backends (counted in their parent's children time). */
    static long postgresCpuMillis(long ticks) {
        long total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.contains("(postgres)")) {
                        total += statCpuMillis(stat, true, ticks);
                    }
                } catch (IOException gone) {
                    // ended
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static long statCpuMillis(String stat, boolean withChildren, long ticks) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]) + (withChildren ? Long.parseLong(f[13]) + Long.parseLong(f[14]) : 0);
        return t * 1000 / ticks;
    }

    static void awaitHealthy(URI base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/actuator/health")).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200 && r.body().contains("UP")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(300);
        }
        throw new IOException(base + " not healthy");
    }
}

package dev.tokenstats.imports;

import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.store.DuckDbFixture;
import dev.tokenstats.store.Totals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Benchmark of the new-api importer (not a test): builds a new-api SQLite {@code logs} table of N rows
 * (real schema, rows like NewApiImportTest's, spread over the {@code days} days before it is made, ~80% consume
 * rows; kept in target/bench-import/ and reused),
 * runs {@code java -jar target/tokenstats.jar import newapi} on it as a user would, in process into a fresh
 * DuckDB store, and prints rows/s; then checks that the store's totals equal the table's sums.
 * Usage (through bench/import-newapi.sh): NewApiImportBench [N] [days]
 */
public final class NewApiImportBench {

    private NewApiImportBench() {
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 10_000_000L;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 90;
        Path dir = Files.createTempDirectory("tokenstats-bench-import-");
        try {
            run(n, days, dir);
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(long n, int days, Path dir) throws Exception {
        System.out.printf("machine: %d cores, %s, Java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"), cpu());
        // the generated table is kept in target/ and reused by later runs with the same N and days
        Path db = Path.of("target", "bench-import", "newapi-" + n + "-" + days + "d.db").toAbsolutePath();
        if (!Files.exists(db)) {
            prepare(n, days, db);
        } else {
            System.out.println("reusing " + db + " (delete it to generate it again)");
        }
        Sums sums = Sums.of(db);
        System.out.printf("table: %,d rows, %,d consume rows (%,d with quota >= 0), %,d MB%n", n, sums.consume, sums.valid,
                Files.size(db) >> 20);

        Path data = dir.resolve("data");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + System.getProperty("bench.importer.xmx", "2g"), "-jar", "target/tokenstats.jar", "import", "newapi",
                db.toString(), "--tokenstats.data-dir=" + data);
        System.out.println("running: " + String.join(" ", command));
        String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
        long s0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.concurrent.atomic.AtomicLong cpuNanos = new java.util.concurrent.atomic.AtomicLong();
        Thread cpuWatch = new Thread(() -> {
            while (p.isAlive()) {
                p.toHandle().info().totalCpuDuration().ifPresent(d -> cpuNanos.set(d.toNanos()));
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        cpuWatch.setDaemon(true);
        cpuWatch.start();
        String summaryTime = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("  | " + line);
                if (line.strip().startsWith("time ")) {
                    summaryTime = line.strip();
                }
            }
        }
        int status = p.waitFor();
        double wall = (System.nanoTime() - s0) / 1e9;
        String load1 = Files.readString(Path.of("/proc/loadavg")).strip();
        if (status != 0 && status != 2) {
            throw new IllegalStateException("the importer failed with exit status " + status);
        }
        double cpu = cpuNanos.get() / 1e9;
        System.out.printf("importer: %,d consume rows in %.1f s wall (JVM start, store open and close included): %,.0f rows/s;"
                + " its own summary: %s%n", sums.consume, wall, sums.consume / wall, summaryTime);
        System.out.printf("importer CPU: %.1f s (user+system, all threads, up to 200 ms before exit): %,.0f rows per CPU second;"
                + " load average before %s, after %s%n", cpu, sums.consume / cpu, load0, load1);

        try (DuckDbFixture store = new DuckDbFixture(data, Clock.systemUTC())) {
            long requests = 0, q = 0, pt = 0, ct = 0;
            for (String a : sums.accounts) {
                Totals t = Imports.totals(store.store, a);
                requests += t.requests();
                q += t.quota();
                pt += t.promptTokens();
                ct += t.completionTokens();
            }
            boolean ok = requests == sums.valid && q == sums.quota && pt == sums.prompt && ct == sums.completion;
            System.out.printf("check: stored %,d events, quota %,d, tokens %,d + %,d; the table: %,d, %,d, %,d + %,d -> %s%n",
                    requests, q, pt, ct, sums.valid, sums.quota, sums.prompt, sums.completion, ok ? "equal" : "DIFFERENT");
            if (!ok) {
                System.exit(1);
            }
        }
    }

    private static void prepare(long n, int days, Path db) throws Exception {
        Files.createDirectories(db.getParent());
        Path tmp = Files.createTempDirectory(db.getParent(), "preparing-");
        long now = Instant.now().getEpochSecond() - 60;
        long span = days * 86_400L;
        long t0 = System.nanoTime();
        try (NewApiLogsTable table = new NewApiLogsTable(Db.SQLITE, tmp)) {
            Random r = new Random(2026);
            int chunk = 200_000;
            for (long first = 1; first <= n; first += chunk) {
                int size = (int) Math.min(chunk, n - first + 1);
                long chunkEnd = now - span + (long) ((double) (first - 1 + size) / n * span);
                table.insert(NewApiLogsTable.generate(r, first, size, chunkEnd, (long) ((double) size / n * span)));
            }
            Files.move(Path.of(table.name), db);
        }
        Files.delete(tmp);
        System.out.printf("prepared %,d new-api log rows over the %d days before now in %s: %.1f s%n", n, days, db,
                (System.nanoTime() - t0) / 1e9);
    }

    /** The table's own sums of what should be imported (consume rows with quota >= 0), by SQL. */
    private record Sums(long consume, long valid, long quota, long prompt, long completion, Set<String> accounts) {
        static Sums of(Path db) throws Exception {
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement()) {
                long consume;
                try (var rs = s.executeQuery("SELECT count(*) FROM logs WHERE type = 2")) {
                    rs.next();
                    consume = rs.getLong(1);
                }
                try (var rs = s.executeQuery("SELECT count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)"
                        + " FROM logs WHERE type = 2 AND quota >= 0")) {
                    rs.next();
                    Set<String> accounts = new HashSet<>();
                    try (var a = c.createStatement().executeQuery("SELECT DISTINCT CASE WHEN username = '' THEN 'user-' || user_id"
                            + " ELSE username END FROM logs WHERE type = 2")) {
                        while (a.next()) {
                            accounts.add(a.getString(1));
                        }
                    }
                    return new Sums(consume, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), accounts);
                }
            }
        }
    }

    private static String cpu() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}

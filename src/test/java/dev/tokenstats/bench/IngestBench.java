package dev.tokenstats.bench;

import dev.tokenstats.bench.Workload.GatewayCall;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The ingestion benchmark of issue 2 (not a test): {@code bench/ingest.sh [N] [--option=value ...]}.
 *
 * <ol>
 *   <li>Reads the Azure trace and prepares N events of a realistic gateway workload ({@link Workload}) as
 *       NDJSON request bodies of 1,000 events, written to a file in the work folder and synced, before
 *       the clock starts (10M events are ~2.7 GB: the bodies are streamed from that file, which sits in
 *       the page cache, with one positional read per request).</li>
 *   <li>Starts tokenstats ({@code java -jar target/tokenstats.jar}) as a child process on 127.0.0.1 with a
 *       fresh data folder, waits for /actuator/health, warms it up with invalid batches (rejected whole,
 *       so nothing is stored).</li>
 *   <li>Timed: 2 client threads (java.net.http, HTTP/1.1, one connection each) post all batches, plus 1%
 *       of them a second time (every 100th request resends the batch sent 50 earlier); every request must
 *       be acknowledged 200 (durable).</li>
 *   <li>Reads the server's heap (GC log; jcmd GC.heap_info after the run), RSS (/proc) and CPU per thread,
 *       stops it gracefully, opens the DuckDB file itself: stored count == N, rollups == the generated
 *       totals, CHECKPOINT, bytes on disk / N.</li>
 *   <li>Baselines on the first events of the same workload: one INSERT per event in autocommit
 *       ({@link Baselines}), time-bounded.</li>
 * </ol>
 */
public final class IngestBench {

    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    private static final Pattern DUPLICATES = Pattern.compile("\"duplicates\"\\s*:\\s*(\\d+)");

    private final Map<String, String> options;
    private final long n;
    private final int batchSize;
    private final int threads;

    private IngestBench(long n, Map<String, String> options) {
        this.n = n;
        this.options = options;
        this.batchSize = Integer.parseInt(options.getOrDefault("batch", "1000"));
        this.threads = Integer.parseInt(options.getOrDefault("threads", "2"));
    }

    public static void main(String[] args) throws Exception {
        long n = 10_000_000;
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                options.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
            } else {
                n = Long.parseLong(a.replace("_", "").replace(",", ""));
            }
        }
        if (options.containsKey("help")) {
            System.out.println("""
                    bench/ingest.sh [N] [options]      N events (default 10000000)
                      --server-xmx=2g        heap of the tokenstats child process
                      --window-hours=6       event times span the last H hours
                      --accounts=200         number of accounts
                      --seed=42              workload seed
                      --baseline-events=200000 --baseline-seconds=60   baseline subset and time bound (each)
                      --no-baseline          skip the baselines
                      --no-ceiling           skip the HTTP+parse ceiling (300 rejected batches before the clock)
                      --ceiling-batches=300
                      --warmup-batches=40    invalid (rejected) batches sent before the clock
                      --jfr                  record the server with JFR (profile settings) and print hot frames
                      --jar=PATH             the tokenstats build to run (default target/tokenstats.jar)
                      --work-dir=DIR         where data, bodies and logs go (default: a new temp folder)
                      --keep                 keep the work folder""");
            return;
        }
        int exit = new IngestBench(n, options).run();
        System.exit(exit);
    }

    private int run() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path jar = root.resolve(options.getOrDefault("jar", "target/tokenstats.jar"));
        Path traceDir = root.resolve("../shared/data/azure-llm-trace-2023").normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: run mvn -q -B package -DskipTests (bench/ingest.sh does)");
        }
        Path work = options.containsKey("work-dir") ? Files.createDirectories(Path.of(options.get("work-dir")))
                : Files.createTempDirectory("tokenstats-bench-");
        boolean keep = options.containsKey("keep") || options.containsKey("work-dir");
        try {
            return run(jar, traceDir, work);
        } finally {
            if (!keep) {
                deleteTree(work);
            } else {
                System.out.println("work folder kept: " + work);
            }
        }
    }

    private int run(Path jar, Path traceDir, Path work) throws Exception {
        String serverXmx = options.getOrDefault("server-xmx", "2g");
        long windowMillis = (long) (Double.parseDouble(options.getOrDefault("window-hours", "6")) * 3_600_000);
        int accounts = Integer.parseInt(options.getOrDefault("accounts", "200"));
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        int baselineEvents = (int) Math.min(n, Long.parseLong(options.getOrDefault("baseline-events", "200000")));
        Duration baselineLimit = Duration.ofSeconds(Long.parseLong(options.getOrDefault("baseline-seconds", "60")));
        boolean baseline = !options.containsKey("no-baseline");

        header();
        // ---------------------------------------------------------------- prepare (untimed)
        long t0 = System.nanoTime();
        AzureTrace trace = AzureTrace.read(traceDir);
        long windowEnd = System.currentTimeMillis() - 60_000;
        Workload workload = new Workload(trace, seed, n, accounts, windowEnd, windowMillis);
        workload.describe().forEach(l -> System.out.println("workload: " + l));
        Path bodies = work.resolve("bodies.ndjson");
        int batches = (int) ((n + batchSize - 1) / batchSize);
        long[] offset = new long[batches];
        int[] length = new int[batches];
        int[] events = new int[batches];
        List<GatewayCall> firstCalls = new ArrayList<>(baseline ? baselineEvents : 0);
        long[] expected = new long[6]; // requests, errors, quota, prompt, completion, cached
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(bodies), 1 << 20)) {
            StringBuilder sb = new StringBuilder(batchSize * 320);
            long pos = 0;
            long made = 0;
            for (int b = 0; b < batches; b++) {
                sb.setLength(0);
                int inBatch = (int) Math.min(batchSize, n - made);
                for (int i = 0; i < inBatch; i++) {
                    GatewayCall c = workload.next();
                    workload.appendJson(sb, c);
                    if (baseline && firstCalls.size() < baselineEvents) {
                        firstCalls.add(c);
                    }
                    expected[0]++;
                    expected[1] += c.error() ? 1 : 0;
                    expected[2] += c.quota();
                    expected[3] += c.prompt();
                    expected[4] += c.completion();
                    expected[5] += c.cached();
                }
                made += inBatch;
                byte[] body = sb.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(body);
                offset[b] = pos;
                length[b] = body.length;
                events[b] = inBatch;
                pos += body.length;
            }
        }
        try (FileChannel ch = FileChannel.open(bodies, StandardOpenOption.WRITE)) {
            ch.force(true); // no write-back of the bodies competing with the server's syncs during the run
        }
        long bodyBytes = Files.size(bodies);
        System.out.printf(Locale.ROOT, "prepared %,d events in %,d bodies (%,d bytes, %.0f bytes/event NDJSON) in %.1f s;"
                        + " event times %s .. %s%n", n, batches, bodyBytes, bodyBytes / (double) n,
                (System.nanoTime() - t0) / 1e9, Instant.ofEpochMilli(workload.start()), Instant.ofEpochMilli(windowEnd));

        // schedule: every batch once, and after every 100th request the batch sent 50 before it again
        List<Integer> order = new ArrayList<>(batches + batches / 100 + 1);
        long expectedDuplicates = 0;
        int resends = 0;
        for (int b = 0; b < batches; b++) {
            order.add(b);
            if (b % 100 == 99) {
                order.add(b - 50);
                expectedDuplicates += events[b - 50];
                resends++;
            }
        }
        int[] schedule = order.stream().mapToInt(Integer::intValue).toArray();

        // ---------------------------------------------------------------- server
        String key = "bench-" + UUID.randomUUID();
        int failures = 0;
        Map<String, Object> r = new LinkedHashMap<>();
        try (TokenstatsProcess server = TokenstatsProcess.start(jar, work, serverXmx, key, options.containsKey("jfr"));
             FileChannel body = FileChannel.open(bodies, StandardOpenOption.READ)) {
            long startNanos = System.nanoTime();
            server.awaitHealthy(Duration.ofSeconds(120));
            System.out.printf(Locale.ROOT, "tokenstats pid %d up in %.1f s at %s (-Xmx%s, data %s)%n", server.pid(),
                    (System.nanoTime() - startNanos) / 1e9, server.base, serverXmx, server.dataDir);

            warmUp(server, body, offset, length, Integer.parseInt(options.getOrDefault("warmup-batches", "40")));
            if (!options.containsKey("no-ceiling")) {
                r.put("ceiling", httpCeiling(server, body, offset, length,
                        Integer.parseInt(options.getOrDefault("ceiling-batches", "300"))));
            }

            // ------------------------------------------------------------ timed
            long serverCpu0 = server.cpuMillis();
            Map<String, Long> threadCpu0 = server.cpuMillisByThread();
            long[] io0 = server.io();
            long clientCpu0 = TokenstatsProcess.selfCpuMillis(server.clockTicks());
            long machineCpu0 = TokenstatsProcess.machineBusyMillis(server.clockTicks());
            Timed timed = post(server, body, schedule, offset, length, events);
            long serverCpu = server.cpuMillis() - serverCpu0;
            long clientCpu = TokenstatsProcess.selfCpuMillis(server.clockTicks()) - clientCpu0;
            long otherCpu = TokenstatsProcess.machineBusyMillis(server.clockTicks()) - machineCpu0 - serverCpu - clientCpu;

            long[] io = server.io();
            long[] heap = server.heapInfoKib();
            long hwm = server.statusKib("VmHWM");
            Map<String, Long> threadCpu = server.cpuMillisByThread();
            threadCpu0.forEach((t, ms) -> threadCpu.computeIfPresent(t, (k, v) -> v - ms));
            int exit = server.stop(Duration.ofSeconds(180));
            TokenstatsProcess.GcSummary gc = server.gcSummary();
            System.out.println("tokenstats stopped (SIGTERM), exit code " + exit);

            // ------------------------------------------------------------ verify and size
            long dirAfterStop = sizeOfTree(server.dataDir);
            Path dbFile = server.dataDir.resolve("tokenstats.duckdb");
            Verification v = verify(dbFile);
            long dirAfterCheckpoint = sizeOfTree(server.dataDir);

            double seconds = timed.nanos / 1e9;
            r.put("events", n);
            r.put("seconds", seconds);
            r.put("eventsPerSecond", n / seconds);
            r.put("postedPerSecond", (n + expectedDuplicates) / seconds);
            r.put("steadyPerSecond", timed.steadyPerSecond);
            r.put("requests", schedule.length);
            r.put("p50", percentile(timed.latencies, 0.50));
            r.put("p99", percentile(timed.latencies, 0.99));
            r.put("max", percentile(timed.latencies, 1.0));
            r.put("gc", gc);
            r.put("heapAfterRun", heap);
            r.put("rssPeakKib", Math.max(hwm, timed.maxRssKib));
            r.put("bytesPerEvent", dirAfterCheckpoint / (double) n);

            System.out.println();
            line("timed run: %,d events + %,d resent (%d batches) = %,d requests in %.2f s",
                    n, expectedDuplicates, resends, schedule.length, seconds);
            line("  accepted %,d (expected %,d), duplicates %,d (expected %,d), retries %d",
                    timed.accepted, n, timed.duplicates, expectedDuplicates, timed.retries);
            line("  CPU during the run: server %.1f s (%.0f us/event), bench client %.1f s, OTHER processes on the machine %.1f s,"
                    + " of %.1f s x %d cores", serverCpu / 1e3, serverCpu * 1e3 / n, clientCpu / 1e3,
                    Math.max(0, otherCpu) / 1e3, seconds, Runtime.getRuntime().availableProcessors());
            r.put("otherCpuShare", Math.max(0, otherCpu) / 1e3 / (seconds * Runtime.getRuntime().availableProcessors()));
            r.put("serverCpuPerEventMicros", serverCpu * 1e3 / n);
            line("  server wrote %,d bytes to storage during the run (%.0f bytes/event), %,d write calls",
                    io[0] - io0[0], (io[0] - io0[0]) / (double) n, io[1] - io0[1]);
            line("  server CPU by thread during the run (s): %s", topThreads(threadCpu, 8));
            line("  server heap: GC log max used before GC %d MiB, max live after GC %d MiB, max committed %d MiB"
                    + " (%d pauses, %.0f ms total); jcmd GC.heap_info after the run: used %s MiB of %s MiB; peak RSS %d MiB",
                    gc.maxBeforeMib(), gc.maxAfterMib(), gc.maxCommittedMib(), gc.collections(), gc.pauseMs(),
                    heap == null ? "?" : Long.toString(heap[1] >> 10), heap == null ? "?" : Long.toString(heap[0] >> 10),
                    Math.max(hwm, timed.maxRssKib) >> 10);
            line("  data dir after graceful stop %,d bytes; after CHECKPOINT %,d bytes (%s)",
                    dirAfterStop, dirAfterCheckpoint, v.databaseSize);
            line("  bytes/event by table, each copied alone into a fresh file: %s", v.tableBytes.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / (double) n))
                    .reduce((a, b) -> a + ", " + b).orElse(""));
            line("  stored rows: events %,d (distinct account,id %,d), rollup_1m %,d, rollup_15m %,d, series %,d",
                    v.stored, v.distinct, v.rollup1m, v.rollup15m, v.series);
            failures += check("stored count == N", v.stored == n && v.distinct == n);
            failures += check("acknowledged accepted == N and duplicates == resent events",
                    timed.accepted == n && timed.duplicates == expectedDuplicates);
            failures += check("events table totals == generated totals " + Arrays.toString(expected),
                    Arrays.equals(v.eventTotals, expected));
            failures += check("rollup_1m account series == generated totals", Arrays.equals(v.rollup1mTotals, expected));
            failures += check("rollup_15m account series == generated totals", Arrays.equals(v.rollup15mTotals, expected));
            failures += check("every request acknowledged 200 on the first try", timed.retries == 0);
            if (server.jfr != null && Files.exists(server.jfr)) {
                System.out.println();
                System.out.println("JFR (" + server.jfr + "):");
                ServerProfile.print(server.jfr, 15).forEach(System.out::println);
            }
        }

        // ---------------------------------------------------------------- baselines
        List<Baselines.Result> baselines = new ArrayList<>();
        if (baseline) {
            System.out.println();
            System.out.printf(Locale.ROOT, "baselines: first %,d events of the same workload, one INSERT per event,"
                    + " autocommit, 1 writer, stopped after %d s each%n", firstCalls.size(), baselineLimit.toSeconds());
            baselines.add(Baselines.sqliteNewApi(work.resolve("new-api.db"), false, firstCalls, workload, baselineLimit));
            printBaseline(baselines.get(baselines.size() - 1));
            baselines.add(Baselines.sqliteNewApi(work.resolve("new-api-wal.db"), true, firstCalls, workload, baselineLimit));
            printBaseline(baselines.get(baselines.size() - 1));
            baselines.add(Baselines.duckDbInsertPerEvent(work.resolve("insert-per-event.duckdb"), firstCalls, workload,
                    baselineLimit));
            printBaseline(baselines.get(baselines.size() - 1));
        }
        table(r, baselines, serverXmx);
        System.out.println(failures == 0 ? "CHECKS: all passed" : "CHECKS: " + failures + " FAILED");
        return failures == 0 ? 0 : 1;
    }

    private void header() {
        System.out.printf(Locale.ROOT, "tokenstats ingestion bench: N=%,d, batches of %,d, %d client threads, HTTP/1.1 NDJSON%n",
                n, batchSize, threads);
        System.out.printf(Locale.ROOT, "machine: %d cores, %s, %s, JDK %s%n", Runtime.getRuntime().availableProcessors(),
                Machine.memTotal(), Machine.cpuModel(), System.getProperty("java.runtime.version"));
    }

    // -------------------------------------------------------------------- HTTP

    private record Timed(long nanos, long[] latencies, long accepted, long duplicates, int retries,
                         double steadyPerSecond, long maxRssKib) {
    }

    private static HttpRequest request(TokenstatsProcess server, byte[] body) {
        return HttpRequest.newBuilder(server.base.resolve("/api/v1/events"))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + server.ingestKey)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private static byte[] read(FileChannel ch, long offset, int length) throws IOException {
        byte[] b = new byte[length];
        ByteBuffer bb = ByteBuffer.wrap(b);
        while (bb.hasRemaining()) {
            if (ch.read(bb, offset + bb.position()) < 0) {
                throw new IOException("bodies file ended early");
            }
        }
        return b;
    }

    /** Valid batches with one invalid event appended: parsed in full, rejected whole (400), nothing stored. */
    private void warmUp(TokenstatsProcess server, FileChannel body, long[] offset, int[] length, int count)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] invalid = "{\"id\":\"warm-up\",\"account\":\"warm-up\"}\n".getBytes(StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        for (int i = 0; i < count && i < offset.length; i++) {
            byte[] valid = read(body, offset[i], length[i]);
            byte[] b = Arrays.copyOf(valid, valid.length + invalid.length);
            System.arraycopy(invalid, 0, b, valid.length, invalid.length);
            HttpResponse<String> r = http.send(request(server, b), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 400 || !r.body().contains("invalid_events")) {
                throw new IOException("warm-up batch: expected 400 invalid_events, got " + r.statusCode() + " " + r.body());
            }
        }
        System.out.printf(Locale.ROOT, "warm-up: %d invalid batches rejected whole (400) in %.1f s%n", count,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The same bodies with one invalid event appended, from the same client threads: HTTP, auth, JSON parsing
     * and validation of every event, then a 400 and nothing stored. An upper bound for this machine's
     * ingestion rate whatever the store does.
     */
    private double httpCeiling(TokenstatsProcess server, FileChannel body, long[] offset, int[] length, int count)
            throws InterruptedException {
        int batches = Math.min(count, offset.length);
        byte[] invalid = "{\"id\":\"warm-up\",\"account\":\"warm-up\"}\n".getBytes(StandardCharsets.US_ASCII);
        AtomicInteger cursor = new AtomicInteger();
        AtomicLong parsed = new AtomicLong();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable client = () -> {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                int i;
                while ((i = cursor.getAndIncrement()) < batches) {
                    byte[] valid = read(body, offset[i], length[i]);
                    byte[] b = Arrays.copyOf(valid, valid.length + invalid.length);
                    System.arraycopy(invalid, 0, b, valid.length, invalid.length);
                    HttpResponse<String> r = http.send(request(server, b), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 400) {
                        throw new IOException("expected 400, got " + r.statusCode() + " " + r.body());
                    }
                    parsed.addAndGet(batchSize + 1);
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        };
        long t0 = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(client, "ceiling-" + t);
            clients.add(th);
            th.start();
        }
        for (Thread th : clients) {
            th.join();
        }
        double rate = parsed.get() * 1e9 / (System.nanoTime() - t0);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("HTTP ceiling run failed", errors.get(0));
        }
        System.out.printf(Locale.ROOT, "HTTP+parse ceiling: %,d events in %d rejected batches from %d threads: %,.0f events/s%n",
                parsed.get(), batches, threads, rate);
        return rate;
    }

    private Timed post(TokenstatsProcess server, FileChannel body, int[] schedule, long[] offset, int[] length,
                       int[] events) throws InterruptedException {
        AtomicInteger cursor = new AtomicInteger();
        long[] latencies = new long[schedule.length];
        long[] doneAt = new long[schedule.length];
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicInteger retries = new AtomicInteger();
        AtomicLong acked = new AtomicLong();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        Runnable client = () -> {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                int i;
                while ((i = cursor.getAndIncrement()) < schedule.length && errors.isEmpty()) {
                    int b = schedule[i];
                    byte[] bytes = read(body, offset[b], length[b]);
                    HttpRequest req = request(server, bytes);
                    for (int attempt = 1; ; attempt++) {
                        long s = System.nanoTime();
                        HttpResponse<String> resp;
                        try {
                            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                        } catch (IOException e) {
                            resp = null;
                            if (attempt >= 10) {
                                throw e;
                            }
                        }
                        long e = System.nanoTime();
                        if (resp != null && resp.statusCode() == 200) {
                            latencies[i] = e - s;
                            doneAt[i] = e;
                            accepted.addAndGet(number(ACCEPTED, resp.body()));
                            duplicates.addAndGet(number(DUPLICATES, resp.body()));
                            acked.addAndGet(events[b]);
                            break;
                        }
                        if (attempt >= 10) {
                            throw new IOException("batch " + b + ": " + (resp == null ? "no answer"
                                    : resp.statusCode() + " " + resp.body()));
                        }
                        retries.incrementAndGet();
                        System.out.println("retrying batch " + b + " after " + (resp == null ? "an I/O error"
                                : resp.statusCode() + " " + resp.body()));
                        Thread.sleep(200);
                    }
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        };
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(client, "client-" + t);
            clients.add(th);
            th.start();
        }
        long maxRss = 0;
        long lastPrint = start;
        long lastAcked = 0;
        while (clients.stream().anyMatch(Thread::isAlive)) {
            clients.get(0).join(1000);
            maxRss = Math.max(maxRss, server.statusKib("VmRSS"));
            long now = System.nanoTime();
            if (now - lastPrint >= 5_000_000_000L) {
                long a = acked.get();
                System.out.printf(Locale.ROOT, "  %5.0f s  %,13d events acked  %,10.0f events/s (last %.0f s)  server RSS %,d MiB%n",
                        (now - start) / 1e9, a, (a - lastAcked) * 1e9 / (now - lastPrint), (now - lastPrint) / 1e9,
                        maxRss >> 10);
                lastPrint = now;
                lastAcked = a;
            }
        }
        for (Thread th : clients) {
            th.join();
        }
        long nanos = System.nanoTime() - start;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the run failed: " + errors.get(0) + "\n" + server.logTail(30), errors.get(0));
        }
        // steady rate: events acknowledged between the 10th and the 90th percentile of completion times
        Integer[] byTime = new Integer[schedule.length];
        for (int i = 0; i < byTime.length; i++) {
            byTime[i] = i;
        }
        Arrays.sort(byTime, Comparator.comparingLong(i -> doneAt[i]));
        int from = byTime.length / 10, to = byTime.length * 9 / 10;
        long steadyEvents = 0;
        for (int k = from + 1; k <= to; k++) {
            steadyEvents += events[schedule[byTime[k]]];
        }
        double steady = to > from ? steadyEvents * 1e9 / (doneAt[byTime[to]] - doneAt[byTime[from]]) : 0;
        return new Timed(nanos, latencies, accepted.get(), duplicates.get(), retries.get(), steady, maxRss);
    }

    private static long number(Pattern p, String json) {
        Matcher m = p.matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The q-quantile of the durations, in milliseconds. */
    static double percentile(long[] nanos, double q) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
        return s[i] / 1e6;
    }

    // -------------------------------------------------------------------- verification

    private record Verification(long stored, long distinct, long[] eventTotals, long[] rollup1mTotals,
                                long[] rollup15mTotals, long rollup1m, long rollup15m, long series,
                                String databaseSize, Map<String, Long> tableBytes) {
    }

    private static Verification verify(Path db) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            long stored = single(s, "SELECT count(*) FROM events");
            long distinct = single(s, "SELECT count(*) FROM (SELECT DISTINCT account, id FROM events)");
            long[] eventTotals = totals(s, "SELECT count(*), sum(error::INTEGER), sum(quota), sum(prompt_tokens),"
                    + " sum(completion_tokens), sum(cached_tokens) FROM events");
            String rollup = "SELECT sum(requests), sum(errors), sum(quota), sum(prompt_tokens), sum(completion_tokens),"
                    + " sum(cached_tokens) FROM %s r JOIN series s ON s.id = r.series WHERE s.model IS NULL";
            // a rollup is its folded rows plus the recent rows of buckets still open at the stop (a quarter's are
            // its folded minutes in rollup_15m_recent and its unfolded ones in rollup_1m_recent)
            String r1m = "(SELECT * FROM rollup_1m UNION ALL SELECT * FROM rollup_1m_recent)";
            String r15m = "(SELECT * FROM rollup_15m UNION ALL SELECT * FROM rollup_15m_recent"
                    + " UNION ALL SELECT * FROM rollup_1m_recent)";
            long[] r1 = totals(s, rollup.formatted(r1m));
            long[] r15 = totals(s, rollup.formatted(r15m));
            long rows1 = single(s, "SELECT count(*) FROM " + r1m);
            long rows15 = single(s, "SELECT count(*) FROM " + r15m);
            long series = single(s, "SELECT count(*) FROM series");
            s.execute("CHECKPOINT");
            String size;
            try (ResultSet rs = s.executeQuery("SELECT database_size, block_size, used_blocks, free_blocks, wal_size"
                    + " FROM pragma_database_size()")) {
                rs.next();
                size = "database_size " + rs.getString(1) + ", " + rs.getLong(3) + " used + " + rs.getLong(4)
                        + " free blocks of " + rs.getLong(2) + " B, WAL " + rs.getString(5);
            }
            // what each table takes, compressed: copied alone into a fresh file (approximate: 256 KiB blocks)
            Map<String, Long> tableBytes = new LinkedHashMap<>();
            for (String table : List.of("events", "rollup_1m", "rollup_15m", "series", "account_span")) {
                Path copy = db.resolveSibling("size-of-" + table + ".duckdb");
                s.execute("ATTACH '" + copy + "' AS size_probe");
                s.execute("CREATE TABLE size_probe." + table + " AS SELECT * FROM main." + table);
                s.execute("DETACH size_probe");
                tableBytes.put(table, Baselines.sizeOf(copy.getParent(), copy.getFileName().toString()));
                Files.deleteIfExists(copy);
                Files.deleteIfExists(copy.resolveSibling(copy.getFileName() + ".wal"));
            }
            return new Verification(stored, distinct, eventTotals, r1, r15, rows1, rows15, series, size, tableBytes);
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long[] totals(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long[] t = new long[6];
            for (int i = 0; i < 6; i++) {
                t[i] = rs.getLong(i + 1);
            }
            return t;
        }
    }

    private static int check(String what, boolean ok) {
        System.out.println("  check: " + what + ": " + (ok ? "OK" : "FAILED"));
        return ok ? 0 : 1;
    }

    // -------------------------------------------------------------------- report

    private static void printBaseline(Baselines.Result b) {
        System.out.printf(Locale.ROOT, "  %-40s %,9d events in %6.1f s = %,10.0f events/s, %,.0f bytes/event on disk%n",
                b.name(), b.events(), b.nanos() / 1e9, b.perSecond(), b.bytesOnDisk() / (double) b.events());
    }

    private void table(Map<String, Object> r, List<Baselines.Result> baselines, String xmx) {
        double eps = (double) r.get("eventsPerSecond");
        TokenstatsProcess.GcSummary gc = (TokenstatsProcess.GcSummary) r.get("gc");
        double bytes = (double) r.get("bytesPerEvent");
        System.out.println();
        System.out.printf(Locale.ROOT, "== tokenstats ingestion: %,d events, batches of %,d, %d client threads ==%n",
                n, batchSize, threads);
        row("events/s (N / wall time)", fmt(eps), ">= 250,000", eps >= 250_000);
        if (r.containsKey("ceiling")) {
            row("ceiling: HTTP+JSON+validation, nothing stored", fmt((double) r.get("ceiling")), "", null);
        }
        row("events/s, steady (10th-90th pct of acks)", fmt((double) r.get("steadyPerSecond")), "", null);
        row("posted events/s incl. 1% resent", fmt((double) r.get("postedPerSecond")), "", null);
        row("server CPU per event (us)", String.format(Locale.ROOT, "%.1f", (double) r.get("serverCpuPerEventMicros")), "", null);
        row("machine CPU taken by other processes", String.format(Locale.ROOT, "%.0f%%", 100 * (double) r.get("otherCpuShare")), "", null);
        row("request latency p50 (ms)", String.format(Locale.ROOT, "%.1f", (double) r.get("p50")), "", null);
        row("request latency p99 (ms)", String.format(Locale.ROOT, "%.1f", (double) r.get("p99")), "", null);
        row("request latency max (ms)", String.format(Locale.ROOT, "%.1f", (double) r.get("max")), "", null);
        row("server heap, max used before GC (MiB)", gc.maxBeforeMib() + " of -Xmx" + xmx, "", null);
        row("server heap, max live after GC (MiB)", Long.toString(gc.maxAfterMib()), "", null);
        row("server peak RSS (MiB, heap + DuckDB)", Long.toString((long) r.get("rssPeakKib") >> 10), "", null);
        row("bytes on disk / event (after CHECKPOINT)", String.format(Locale.ROOT, "%.1f", bytes), "<= 60", bytes <= 60);
        for (int i = 0; i < baselines.size(); i++) {
            Baselines.Result b = baselines.get(i);
            double speedup = eps / b.perSecond();
            row("baseline: " + b.name(), fmt(b.perSecond()) + " ev/s", "", null);
            row("  speedup vs that", String.format(Locale.ROOT, "%.1fx", speedup), i == 0 ? ">= 20x" : "",
                    i == 0 ? speedup >= 20 : null);
        }
    }

    private static void row(String what, String value, String target, Boolean met) {
        System.out.printf(Locale.ROOT, "  %-44s %22s  %-12s %s%n", what, value, target,
                met == null ? "" : met ? "MET" : "NOT MET");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private void line(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    private static String topThreads(Map<String, Long> cpu, int k) {
        return cpu.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(k)
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 1e3))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    // -------------------------------------------------------------------- files

    private static long sizeOfTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package dev.tokenstats.bench;

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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The overload run of issue 6 (loopback only, bounded in time): measures ingestion capacity for 15 s, then
 * offers 10x that for 60 s (open loop: requests are sent on schedule whatever the answers) while two readers
 * call the stats API; then checks that nothing answered 5xx, every 429 carried Retry-After, the server's heap
 * stayed under its -Xmx bound, and every acknowledged event is stored exactly once.
 * Usage: bench/load.sh [--seconds=60] [--xmx=512m]
 */
public final class LoadRun {

    static final int BATCH = 1000;
    static final String KEY = "load-run-key";

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(16)).build();
    final AtomicLong seq = new AtomicLong();
    final Map<Integer, AtomicInteger> ingestStatus = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> readStatus = new ConcurrentHashMap<>();
    final AtomicInteger tooManyWithoutRetryAfter = new AtomicInteger(), transportErrors = new AtomicInteger();
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Long> readMillis = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new TreeMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opt.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "60"));
        String xmx = opt.getOrDefault("xmx", "512m");
        System.exit(new LoadRun().run(seconds, xmx) ? 0 : 1);
    }

    String body(int events) {
        StringBuilder b = new StringBuilder(events * 260);
        long now = System.currentTimeMillis();
        for (int i = 0; i < events; i++) {
            long n = seq.incrementAndGet();
            b.append("{\"id\":\"load-").append(n).append("\",\"account\":\"acct-").append(n % 20 < 8 ? 0 : n % 20)
                    .append("\",\"time\":").append(now - (n % 5000)).append(",\"model\":\"model-").append(n % 11)
                    .append("\",\"key\":\"k").append(n % 4).append("\",\"prompt_tokens\":").append(300 + n % 3000)
                    .append(",\"completion_tokens\":").append(20 + n % 700).append(",\"quota\":").append(1000 + n % 50_000)
                    .append(",\"duration_ms\":").append(200 + n % 9000).append("}\n");
        }
        return b.toString();
    }

    static List<String> ids(String body) {
        List<String> ids = new ArrayList<>(BATCH);
        for (String line : body.split("\n")) {
            int s = line.indexOf("\"id\":\"") + 6;
            ids.add(line.substring(s, line.indexOf('"', s)));
        }
        return ids;
    }

    HttpRequest post(URI base, String body) {
        return HttpRequest.newBuilder(base.resolve("/api/v1/events")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    boolean run(int seconds, String xmx) throws Exception {
        Path work = Files.createTempDirectory("tokenstats-load");
        Path jar = Path.of("target/tokenstats.jar").toAbsolutePath();
        try (TokenstatsProcess server = TokenstatsProcess.start(jar, work, xmx, KEY, false)) {
            server.awaitHealthy(Duration.ofSeconds(90));
            System.out.printf("server pid %d at %s, -Xmx%s, load average %s%n", server.pid(), server.base, xmx,
                    Files.readString(Path.of("/proc/loadavg")).trim());

            // 1. capacity: 4 closed-loop senders for 15 s
            long t0 = System.nanoTime(), stored0 = 0;
            AtomicLong storedEvents = new AtomicLong();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    while (System.nanoTime() - t0 < 15_000_000_000L) {
                        String body = body(BATCH);
                        try {
                            HttpResponse<String> r = http.send(post(server.base, body), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.addAll(ids(body));
                                storedEvents.addAndGet(BATCH);
                            }
                        } catch (Exception e) {
                            transportErrors.incrementAndGet();
                        }
                    }
                });
                th.start();
                senders.add(th);
            }
            for (Thread th : senders) {
                th.join();
            }
            double capacity = (storedEvents.get() - stored0) / ((System.nanoTime() - t0) / 1e9);
            double offered = 10 * capacity;
            long periodMicros = (long) (1e6 * BATCH / offered);
            System.out.printf("capacity %.0f events/s; offering %.0f events/s (one %d-event request every %d µs) for %d s%n",
                    capacity, offered, BATCH, periodMicros, seconds);

            // 2. overload, open loop, with two stats readers
            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger inFlight = new AtomicInteger();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CountDownLatch done = new CountDownLatch(1);
            clock.scheduleAtFixedRate(() -> {
                if (System.nanoTime() > end) {
                    done.countDown();
                    return;
                }
                if (inFlight.get() > 200) { // the client's own bound (25x the server's ingest permits)
                    ingestStatus.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                    return;
                }
                String body = body(BATCH);
                inFlight.incrementAndGet();
                http.sendAsync(post(server.base, body), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                    inFlight.decrementAndGet();
                    if (e != null) {
                        transportErrors.incrementAndGet();
                        return;
                    }
                    ingestStatus.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (r.statusCode() == 200) {
                        acknowledged.addAll(ids(body));
                    } else if (r.statusCode() == 429 && r.headers().firstValue("Retry-After").isEmpty()) {
                        tooManyWithoutRetryAfter.incrementAndGet();
                    }
                });
            }, 0, periodMicros, TimeUnit.MICROSECONDS);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + TokenstatsProcess.ADMIN_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    HttpClient readHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    while (System.nanoTime() < end) {
                        String q = "account=acct-0&granularity=minute&from=" + URLEncoder.encode(
                                Instant.now().minusSeconds(3600).toString(), StandardCharsets.UTF_8);
                        long r0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = readHttp.send(HttpRequest.newBuilder(server.base.resolve("/api/v1/stats?" + q))
                                    .header("Authorization", basic).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                            readStatus.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                            if (r.statusCode() == 200) {
                                readMillis.add((System.nanoTime() - r0) / 1_000_000);
                            }
                        } catch (Exception e) {
                            transportErrors.incrementAndGet();
                        }
                    }
                });
                th.start();
                readers.add(th);
            }
            long heapPeak = 0;
            while (!done.await(2, TimeUnit.SECONDS)) {
                heapPeak = Math.max(heapPeak, heapUsedMiB(server.pid()));
            }
            clock.shutdown();
            for (Thread th : readers) {
                th.join();
            }
            long drainDeadline = System.currentTimeMillis() + 120_000;
            while (inFlight.get() > 0 && System.currentTimeMillis() < drainDeadline) {
                Thread.sleep(100);
            }
            System.out.println("ingest answers " + ingestStatus + " (-1: not sent, client bound), transport errors "
                    + transportErrors + ", 429 without Retry-After " + tooManyWithoutRetryAfter);
            List<Long> lat = new ArrayList<>(readMillis);
            lat.sort(null);
            System.out.println("stats answers " + readStatus + (lat.isEmpty() ? "" : String.format(
                    ", latency p50 %d ms p99 %d ms", lat.get(lat.size() / 2), lat.get(Math.min(lat.size() - 1, lat.size() * 99 / 100)))));
            System.out.printf("server heap: peak used %d MiB of -Xmx%s (sampled every 2 s with jcmd GC.heap_info)%n", heapPeak, xmx);
            int exit = server.stop(Duration.ofSeconds(60));
            System.out.println("graceful stop exit code " + exit + " (143 = ended by SIGTERM after a graceful shutdown)");

            // 3. every acknowledged event stored exactly once
            long rows, distinct;
            Set<String> stored = new HashSet<>();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + server.dataDir.resolve("tokenstats.duckdb"));
                 Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM events")) {
                    rs.next();
                    rows = rs.getLong(1);
                    distinct = rs.getLong(2);
                }
                try (ResultSet rs = s.executeQuery("SELECT id FROM events")) {
                    while (rs.next()) {
                        stored.add(rs.getString(1));
                    }
                }
            }
            boolean allAckedStored = stored.containsAll(acknowledged);
            long extra = stored.size() - acknowledged.size();
            System.out.printf("stored %d rows, %d distinct; acknowledged %d; all acknowledged stored: %s; stored but not acknowledged: %d%n",
                    rows, distinct, acknowledged.size(), allAckedStored, extra);
            boolean no5xx = ingestStatus.keySet().stream().noneMatch(c -> c >= 500) && readStatus.keySet().stream().noneMatch(c -> c >= 500);
            boolean ok = no5xx && tooManyWithoutRetryAfter.get() == 0 && rows == distinct && allAckedStored
                    && ingestStatus.containsKey(429) && (exit == 0 || exit == 143);
            System.out.println(ok ? "LOAD RUN PASSED" : "LOAD RUN FAILED");
            return ok;
        }
    }

    static long heapUsedMiB(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}

package dev.tokenstats.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * tokenstats under test: {@code java -jar target/tokenstats.jar} as a child process on 127.0.0.1 and a
 * free port, with a fresh data folder, its own ingest key, a stated -Xmx and a GC log (which gives the
 * heap figures without touching the server during the run). Memory and CPU are read from /proc.
 */
final class TokenstatsProcess implements AutoCloseable {

    static final String ADMIN_PASSWORD = "bench-admin-password";

    final Path dataDir;
    final Path gcLog;
    final Path log;
    final Path jfr;
    final URI base;
    final String ingestKey;
    final String xmx;
    private final Process process;
    private final long clockTicks;

    private TokenstatsProcess(Process process, Path dataDir, Path gcLog, Path log, Path jfr, URI base,
                              String ingestKey, String xmx, long clockTicks) {
        this.process = process;
        this.dataDir = dataDir;
        this.gcLog = gcLog;
        this.log = log;
        this.jfr = jfr;
        this.base = base;
        this.ingestKey = ingestKey;
        this.xmx = xmx;
        this.clockTicks = clockTicks;
    }

    static TokenstatsProcess start(Path jar, Path workDir, String xmx, String ingestKey, boolean jfr)
            throws IOException {
        return start(jar, workDir, xmx, ingestKey, jfr, List.of());
    }

    /** As {@link #start(Path, Path, String, String, boolean)}, with more server arguments (such as the store). */
    static TokenstatsProcess start(Path jar, Path workDir, String xmx, String ingestKey, boolean jfr,
                                   List<String> serverArgs) throws IOException {
        return start(jar, workDir, xmx, List.of(), ingestKey, jfr, serverArgs);
    }

    /** {@code jvmArgs}: more JVM options for the server (such as {@code -Xms4g}). */
    static TokenstatsProcess start(Path jar, Path workDir, String xmx, List<String> jvmArgs, String ingestKey,
                                   boolean jfr, List<String> serverArgs) throws IOException {
        Path dataDir = workDir.resolve("data");
        Path gcLog = workDir.resolve("server-gc.log");
        Path log = workDir.resolve("server.log");
        Path jfrFile = jfr ? workDir.resolve("server.jfr") : null;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx,
                "-Xlog:gc:file=" + gcLog + ":uptime"));
        cmd.addAll(jvmArgs);
        if (jfr) {
            cmd.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=profile,dumponexit=true");
        }
        cmd.addAll(List.of("-jar", jar.toString(),
                "--server.address=127.0.0.1",
                "--server.port=" + port,
                "--tokenstats.data-dir=" + dataDir));
        cmd.addAll(serverArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("TOKENSTATS_INGEST_KEY", ingestKey);
        pb.environment().put("TOKENSTATS_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Process p = pb.start();
        return new TokenstatsProcess(p, dataDir, gcLog, log, jfrFile, URI.create("http://127.0.0.1:" + port),
                ingestKey, xmx, clockTicksPerSecond());
    }

    long pid() {
        return process.pid();
    }

    /** Polls /actuator/health until it says UP. */
    void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("tokenstats exited with " + process.exitValue() + " during start:\n" + logTail(40));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("tokenstats was not healthy within " + timeout + ":\n" + logTail(40));
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    // ------------------------------------------------------------------ /proc

    /** A field of /proc/PID/status in KiB (VmRSS, VmHWM), or -1. */
    long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** /proc/PID/io: {write_bytes (to storage), syscw (write calls)}. */
    long[] io() {
        long[] out = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "io"))) {
                if (line.startsWith("write_bytes:")) {
                    out[0] = Long.parseLong(line.substring(12).trim());
                } else if (line.startsWith("syscw:")) {
                    out[1] = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return out;
    }

    /** CPU time (user + system) of the whole process, in ms. */
    long cpuMillis() {
        return cpuMillisOf(Path.of("/proc", Long.toString(pid()), "stat"));
    }

    /** CPU time per thread name (as the kernel knows it: 15 characters), in ms, largest first. */
    Map<String, Long> cpuMillisByThread() {
        Map<String, Long> out = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid()), "task");
        try (Stream<Path> s = Files.list(tasks)) {
            for (Path t : s.toList()) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    String name = comm.replaceAll("[#-]?\\d+$", "#n"); // fold numbered pool threads
                    out.merge(name, cpuMillisOf(t.resolve("stat")), Long::sum);
                } catch (IOException gone) {
                    // thread ended
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return out;
    }

    long cpuMillisOf(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state=0 ... utime=11 stime=12
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / clockTicks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Busy CPU time of the whole machine (all processes, all cores) from /proc/stat, in ms. */
    static long machineBusyMillis(long clockTicks) {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system idle iowait irq softirq steal
            String[] f = cpu.trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return busy * 1000 / clockTicks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long selfCpuMillis(long clockTicks) {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / clockTicks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    long clockTicks() {
        return clockTicks;
    }

    static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    /** {@code jcmd PID GC.heap_info}: heap committed and used right now, in KiB ({total, used}), or null. */
    long[] heapInfoKib() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid()), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K").matcher(out);
            return m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** Heap figures from the GC log: most used before a GC, most live after a GC, most committed (MiB). */
    record GcSummary(int collections, long maxBeforeMib, long maxAfterMib, long maxCommittedMib, double pauseMs) {
    }

    GcSummary gcSummary() throws IOException {
        Pattern pause = Pattern.compile("Pause .*?(\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");
        int n = 0;
        long before = 0, after = 0, committed = 0;
        double pauses = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = pause.matcher(line);
            if (m.find()) {
                n++;
                before = Math.max(before, Long.parseLong(m.group(1)));
                after = Math.max(after, Long.parseLong(m.group(2)));
                committed = Math.max(committed, Long.parseLong(m.group(3)));
                pauses += Double.parseDouble(m.group(4));
            }
        }
        return new GcSummary(n, before, after, committed, pauses);
    }

    // ------------------------------------------------------------------ stop

    /** SIGTERM (Spring's graceful shutdown closes the store), then waits; returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            return -9;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(60));
        }
    }
}

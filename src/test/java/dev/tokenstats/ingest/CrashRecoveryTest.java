package dev.tokenstats.ingest;

import dev.tokenstats.ingest.GatewayClient.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * "200 means durable": the real server runs as a child JVM, two gateway threads ingest batches into it,
 * and the child is killed with SIGKILL in the middle. After a restart on the same data folder the
 * gateways retry every batch that was not acknowledged, and the DuckDB file then holds every id
 * exactly once, with rollups that count exactly the raw events.
 */
class CrashRecoveryTest {

    private static final String KEY = "crash-recovery-ingest-key-5d1e";
    private static final int BATCH = 500;
    private static final int CLIENTS = 2;
    private static final String[] ACCOUNTS = {"crash-a", "crash-b", "crash-c"};
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-3.5-sonnet"};

    /** One request body of {@link #BATCH} events with ids unique over the whole test. */
    record Batch(String name, String body, List<String> keys, Map<String, Long> quotaPerAccount) {
    }

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Child::kill);
    }

    @Test
    void afterAKill9EveryAcknowledgedBatchIsStoredAndRetriesStoreEveryIdExactlyOnce() throws Exception {
        Path dataDir = DataDirs.create("crash-data");
        Path logDir = DataDirs.create("crash-logs");

        Child first = start(dataDir, logDir.resolve("first.log"));
        List<Batch> acknowledged = Collections.synchronizedList(new ArrayList<>());
        List<Batch> unacknowledged = Collections.synchronizedList(new ArrayList<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger sequence = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        GatewayClient toFirst = new GatewayClient(first.port, KEY);

        List<Thread> gateways = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int client = t;
            Thread gateway = new Thread(() -> {
                // keep sending until the server is gone and this gateway has seen a request fail
                boolean lastFailed = false;
                while (!(killed.get() && lastFailed)) {
                    Batch batch = batch("g" + client + "-b" + sequence.incrementAndGet());
                    inFlight.incrementAndGet();
                    try {
                        Answer answer = toFirst.send(GatewayClient.JSON_TYPE, BodyPublishers.ofString(batch.body),
                                "Bearer " + KEY);
                        lastFailed = answer.status() != 200;
                        if (answer.status() == 200) {
                            if (answer.accepted() != BATCH) {
                                problems.add(batch.name + " of new ids answered " + answer);
                            }
                            acknowledged.add(batch);
                        } else {
                            unacknowledged.add(batch);
                            failures.add(batch.name + ": " + answer);
                        }
                    } catch (IOException e) {
                        lastFailed = true;
                        unacknowledged.add(batch);
                        failures.add(batch.name + ": " + e);
                    } catch (RuntimeException e) {
                        problems.add(batch.name + ": " + e);
                        return;
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            }, "gateway-" + client);
            gateways.add(gateway);
            gateway.start();
        }

        // let ingestion run, then kill the server while both gateways wait on a request
        await("20 acknowledged batches", Duration.ofSeconds(30),
                () -> acknowledged.size() >= 20 || !problems.isEmpty(), first);
        assertThat(problems).isEmpty();
        await("both gateways in a request", Duration.ofSeconds(10), () -> inFlight.get() == CLIENTS, first);
        killed.set(true); // from now on each gateway stops at its first failed request
        first.kill9();
        for (Thread gateway : gateways) {
            gateway.join(30_000);
            assertThat(gateway.isAlive()).as(gateway.getName() + " finished").isFalse();
        }
        assertThat(problems).isEmpty();
        assertThat(first.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        assertThat(unacknowledged).as("every gateway saw at least one request fail").hasSizeGreaterThanOrEqualTo(CLIENTS);
        List<Batch> sent = new ArrayList<>(acknowledged);
        sent.addAll(unacknowledged);

        // restart on the same data folder; retry every unacknowledged batch until it is acknowledged
        Child second = start(dataDir, logDir.resolve("second.log"));
        GatewayClient toSecond = new GatewayClient(second.port, KEY);
        int committedButUnacknowledged = 0;
        for (Batch batch : unacknowledged) {
            Answer answer = retryUntilAcknowledged(toSecond, batch, second);
            assertThat(answer.accepted() + answer.duplicates()).isEqualTo(BATCH);
            assertThat(answer.accepted()).as("a request is stored all or nothing: " + batch.name + " " + answer)
                    .isIn(0, BATCH);
            if (answer.duplicates() == BATCH) {
                committedButUnacknowledged++;
            }
        }
        // acknowledged batches sent again are duplicates through and through
        for (Batch batch : List.of(acknowledged.get(0), acknowledged.get(acknowledged.size() / 2),
                acknowledged.get(acknowledged.size() - 1))) {
            Answer again = retryUntilAcknowledged(toSecond, batch, second);
            assertThat(again.accepted()).isZero();
            assertThat(again.duplicates()).isEqualTo(BATCH);
        }
        // the retried acknowledgements must be durable too
        second.kill9();
        System.out.printf("CrashRecoveryTest: %d batches acknowledged before the kill, %d not (%d of those had"
                        + " been committed), %d events in all; failed requests: %s%n", acknowledged.size(),
                unacknowledged.size(), committedButUnacknowledged, sent.size() * BATCH, failures);

        Set<String> sentKeys = new HashSet<>();
        Map<String, Long> sentQuota = new HashMap<>();
        for (Batch batch : sent) {
            sentKeys.addAll(batch.keys);
            batch.quotaPerAccount.forEach((account, quota) -> sentQuota.merge(account, quota, Long::sum));
        }
        assertThat(sentKeys).hasSize(sent.size() * BATCH);

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + dataDir.resolve("tokenstats.duckdb"))) {
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (account, id)) FROM events")) {
                rs.next();
                assertThat(rs.getLong(1)).as("stored events").isEqualTo(sentKeys.size());
                assertThat(rs.getLong(2)).as("distinct (account, id)").isEqualTo(sentKeys.size());
            }
            Set<String> storedKeys = new HashSet<>();
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("SELECT account, id FROM events")) {
                while (rs.next()) {
                    storedKeys.add(rs.getString(1) + "/" + rs.getString(2));
                }
            }
            assertThat(storedKeys).isEqualTo(sentKeys);

            for (String account : ACCOUNTS) {
                long[] raw = longs(db, "SELECT count(*), sum(quota), sum(prompt_tokens + completion_tokens)"
                        + " FROM events WHERE account = ?", account);
                assertThat(raw[1]).as("quota of " + account).isEqualTo(sentQuota.get(account));
                for (String table : List.of("rollup_1m", "rollup_15m")) {
                    for (String kind : List.of("s.model IS NULL", "s.model IS NOT NULL AND s.api_key IS NULL",
                            "s.api_key IS NOT NULL")) {
                        // a rollup is its folded rows plus the recent ones not folded yet when the process died; a
                        // quarter's recent rows hold its folded minutes, the unfolded ones are the minute's recent rows
                        String recent = table.equals("rollup_1m") ? "rollup_1m_recent"
                                : "rollup_15m_recent UNION ALL SELECT * FROM rollup_1m_recent";
                        long[] rolled = longs(db, "SELECT sum(r.requests), sum(r.quota),"
                                + " sum(r.prompt_tokens + r.completion_tokens) FROM (SELECT * FROM " + table
                                + " UNION ALL SELECT * FROM " + recent + ") r JOIN series s ON s.id = r.series"
                                + " WHERE s.account = ? AND " + kind, account);
                        assertThat(rolled).as("%s of %s where %s", table, account, kind).containsExactly(raw);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ the gateway side

    private static Batch batch(String name) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long now = System.currentTimeMillis();
        List<EventJson> events = new ArrayList<>(BATCH);
        List<String> keys = new ArrayList<>(BATCH);
        Map<String, Long> quota = new HashMap<>();
        for (int i = 0; i < BATCH; i++) {
            String account = ACCOUNTS[random.nextInt(ACCOUNTS.length)];
            String id = name + "-" + i;
            long q = random.nextLong(1, 100_000);
            events.add(EventJson.required(account, id, now - random.nextLong(60_000),
                            MODELS[random.nextInt(MODELS.length)], random.nextLong(1, 8000), random.nextLong(1, 2000), q)
                    .with("key", EventJson.string("k-" + random.nextInt(3)))
                    .with("status", random.nextInt(20) == 0 ? "\"error\"" : "\"success\"")
                    .with("duration_ms", Long.toString(random.nextLong(10_000))));
            keys.add(account + "/" + id);
            quota.merge(account, q, Long::sum);
        }
        return new Batch(name, EventJson.array(events), keys, quota);
    }

    private static Answer retryUntilAcknowledged(GatewayClient client, Batch batch, Child server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Object last = null;
        while (System.nanoTime() < deadline) {
            server.assertAlive();
            try {
                Answer answer = client.send(GatewayClient.JSON_TYPE, BodyPublishers.ofString(batch.body), "Bearer " + KEY);
                if (answer.status() == 200) {
                    return answer;
                }
                assertThat(answer.status()).as("only an unavailable store may refuse a valid batch: " + answer)
                        .isEqualTo(503);
                last = answer;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50); // a gateway's back-off between retries
        }
        return fail("batch " + batch.name + " not acknowledged within 30 s; last answer: " + last + "\n" + server.logTail());
    }

    private static long[] longs(Connection db, String sql, String account) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long[] out = new long[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = rs.getLong(i + 1);
                }
                return out;
            }
        }
    }

    // ------------------------------------------------------------------ the server as a child JVM

    private Child start(Path dataDir, Path log) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", childClasspath(), "dev.tokenstats.TokenstatsApplication",
                "--server.port=" + port, "--tokenstats.data-dir=" + dataDir);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TOKENSTATS_INGEST_KEY", KEY);
        Child child = new Child(builder.start(), port, log);
        children.add(child);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).build();
        await("the child server to answer /actuator/health", Duration.ofSeconds(90), () -> {
            try {
                return http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, child);
        return child;
    }

    /**
     * The test JVM's class path, which holds the application and its dependencies. Under surefire this may
     * be a manifest-only booter jar; {@code java -cp} honours its manifest Class-Path just the same.
     */
    private static String childClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition, Child server)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            server.assertAlive();
            if (System.nanoTime() > deadline) {
                fail("waited " + timeout.toSeconds() + " s for " + what + "\n" + server.logTail());
            }
            Thread.sleep(5);
        }
    }

    /** A server process of this test. */
    private record Child(Process process, int port, Path log) {

        void kill9() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Linux
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the child exited").isTrue();
        }

        void kill() {
            process.destroyForcibly();
        }

        void assertAlive() {
            if (!process.isAlive()) {
                fail("the child server exited with " + process.exitValue() + "\n" + logTail());
            }
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}

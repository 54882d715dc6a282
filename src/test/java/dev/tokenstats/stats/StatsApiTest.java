package dev.tokenstats.stats;

import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/v1/stats} over real HTTP against the whole app on a real DuckDB file. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tokenstats.ingest-key=stats-test-ingest-key-0123456789", "tokenstats.admin-password=admin-pass-123"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsApiTest {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("tokenstats-stats-api-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("tokenstats.data-dir", DATA::toString);
    }

    static final String ALICE = "alice", BOB = "bob", ROOT = "root", PASSWORD = "correct-horse-1";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    Users users;
    @Autowired
    UsageStore store;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    final HttpClient http = HttpClient.newHttpClient();
    /** A whole hour two days ago: the test period is [base, base + 3 h). */
    final Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(2));

    @BeforeAll
    void seed() {
        users.create(ALICE, PASSWORD, Viewer.Role.member, "acme");
        users.create(BOB, PASSWORD, Viewer.Role.member, "globex");
        users.create(ROOT, PASSWORD, Viewer.Role.admin, null);
        store.append(List.of(
                event("acme", "a1", base.plus(Duration.ofMinutes(10)), "gpt-4o", "k1", 100, 50, 300, 600_000L, 1200, false),
                event("acme", "a2", base.plus(Duration.ofMinutes(70)), "gpt-4o", "k2", 10, 5, 30, 60_000L, -1, true),
                event("acme", "a3", base.plus(Duration.ofMinutes(75)), "claude-3-5-sonnet", "k1", 1000, 0, 1000,
                        1_500_000_000L, 800, false),
                event("acme", "a4", base.minus(Duration.ofMinutes(30)), "gpt-4o", "k1", 7, 7, 70, 1L, 100, false),
                event("globex", "g1", base.plus(Duration.ofMinutes(20)), "gpt-4o", "k9", 5, 5, 5, 5L, 5, false)));
    }

    static UsageEvent event(String account, String id, Instant t, String model, String key, long prompt,
                            long completion, long quota, long creditNanos, long duration, boolean error) {
        return new UsageEvent(account, id, t.toEpochMilli(), model, key, prompt, completion, 0, quota, creditNanos,
                duration, error, null, "", "");
    }

    HttpResponse<String> get(String pathAndQuery, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> getAs(String pathAndQuery, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    String period() {
        return "from=" + enc(base.toString()) + "&to=" + enc(base.plus(Duration.ofHours(3)).toString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String head(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) {
        return JSON.readValue(r.body(), Map.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return assertInstanceOf(Map.class, o);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return assertInstanceOf(List.class, o);
    }

    static void assertFields(Map<String, Object> m, String... names) {
        assertEquals(new TreeSet<>(List.of(names)), new TreeSet<>(m.keySet()));
    }

    static long num(Object o) {
        return assertInstanceOf(Number.class, o).longValue();
    }

    @Test
    void answersWithEveryFieldOfTheContract() throws Exception {
        HttpResponse<String> r = get("/api/v1/stats?" + period() + "&tz=UTC&granularity=hour", ALICE);
        assertEquals(200, r.statusCode(), head(r.body()));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> body = json(r);
        assertFields(body, "account", "from", "to", "tz", "granularity", "complete_until", "overview", "consumption", "models");
        assertEquals("acme", body.get("account"));
        assertEquals(base.toString(), body.get("from"));
        assertEquals(base.plus(Duration.ofHours(3)).toString(), body.get("to"));
        assertEquals("UTC", body.get("tz"));
        assertEquals("hour", body.get("granularity"));
        assertEquals(base.plus(Duration.ofMinutes(75)).toString(), body.get("complete_until"));

        String[] figures = {"requests", "errors", "quota", "credits", "prompt_tokens", "completion_tokens", "tokens",
                "avg_rpm", "avg_tpm", "peak_rpm", "peak_tpm"};
        Map<String, Object> overview = map(body.get("overview"));
        List<String> overviewFields = new ArrayList<>(List.of(figures));
        overviewFields.addAll(List.of("previous", "all_time"));
        assertFields(overview, overviewFields.toArray(String[]::new));
        assertEquals(3, num(overview.get("requests")));
        assertEquals(1, num(overview.get("errors")));
        assertEquals(1330, num(overview.get("quota")));
        assertEquals("1.50066", overview.get("credits"));
        assertEquals(1110, num(overview.get("prompt_tokens")));
        assertEquals(55, num(overview.get("completion_tokens")));
        assertEquals(1165, num(overview.get("tokens")));
        assertEquals(0.017, ((Number) overview.get("avg_rpm")).doubleValue()); // 3 / 180 minutes
        assertEquals(6.472, ((Number) overview.get("avg_tpm")).doubleValue()); // 1165 / 180
        assertEquals(1, num(overview.get("peak_rpm")));
        assertEquals(1000, num(overview.get("peak_tpm")));
        Map<String, Object> previous = map(overview.get("previous"));
        assertFields(previous, figures);
        assertEquals(1, num(previous.get("requests")));
        assertEquals("0.000000001", previous.get("credits"));
        Map<String, Object> allTime = map(overview.get("all_time"));
        assertFields(allTime, "requests", "quota", "credits", "tokens");
        assertEquals(4, num(allTime.get("requests")));
        assertEquals("1.500660001", allTime.get("credits"));

        List<Object> consumption = list(body.get("consumption"));
        assertEquals(3, consumption.size());
        long[] expected = {1, 2, 0};
        for (int i = 0; i < 3; i++) {
            Map<String, Object> c = map(consumption.get(i));
            assertFields(c, "start", "end", "requests", "quota", "credits", "tokens");
            assertEquals(base.plus(Duration.ofHours(i)).toString(), c.get("start"));
            assertEquals(base.plus(Duration.ofHours(i + 1)).toString(), c.get("end"));
            assertEquals(expected[i], num(c.get("requests")));
            assertInstanceOf(String.class, c.get("credits"));
        }
        assertEquals("0", map(consumption.get(2)).get("credits"));

        Map<String, Object> models = map(body.get("models"));
        assertFields(models, "trends", "distribution", "leaderboard");
        Map<String, Object> trends = map(models.get("trends"));
        assertFields(trends, "buckets", "series");
        assertEquals(3, list(trends.get("buckets")).size());
        List<Object> series = list(trends.get("series"));
        assertEquals(2, series.size());
        assertFields(map(series.get(0)), "model", "requests");
        assertEquals("gpt-4o", map(series.get(0)).get("model"));
        assertEquals(List.of(1, 1, 0), map(series.get(0)).get("requests"));
        List<Object> distribution = list(models.get("distribution"));
        assertFields(map(distribution.get(0)), "model", "requests", "share");
        assertEquals(0.666667, ((Number) map(distribution.get(0)).get("share")).doubleValue());
        assertEquals(0.333333, ((Number) map(distribution.get(1)).get("share")).doubleValue());
        List<Object> leaderboard = list(models.get("leaderboard"));
        Map<String, Object> first = map(leaderboard.get(0));
        assertFields(first, "rank", "model", "requests", "errors", "quota", "credits", "tokens", "prompt_tokens",
                "completion_tokens", "avg_duration_ms", "quota_per_1k_tokens");
        assertEquals(1, num(first.get("rank")));
        assertEquals("gpt-4o", first.get("model"));
        assertEquals(1200.0, ((Number) first.get("avg_duration_ms")).doubleValue());
        assertEquals(2000.0, ((Number) first.get("quota_per_1k_tokens")).doubleValue()); // 330 * 1000 / 165
        Map<String, Object> second = map(leaderboard.get(1));
        assertEquals("claude-3-5-sonnet", second.get("model"));
        assertEquals("1.5", second.get("credits"));
    }

    @Test
    void filtersNarrowEveryFigure() throws Exception {
        Map<String, Object> body = json(get("/api/v1/stats?" + period() + "&status=error&model=gpt-4o&model=claude-3-5-sonnet", ALICE));
        assertEquals(1, num(map(body.get("overview")).get("requests")));
        assertEquals(0, num(map(map(body.get("overview")).get("all_time")).get("quota")) - 30);
        Map<String, Object> byKey = json(get("/api/v1/stats?" + period() + "&key=k1&tz=Asia/Kathmandu", ALICE));
        assertEquals(2, num(map(byKey.get("overview")).get("requests")));
        assertEquals("Asia/Kathmandu", byKey.get("tz"));
        assertTrue(((String) byKey.get("from")).endsWith("+05:45"));
    }

    @Test
    void badValuesAre400WithWhatToSendInstead() throws Exception {
        Map<String, String> cases = Map.of(
                "tz=Mars/Olympus_Mons", "IANA zone id",
                "from=" + enc(base.toString()) + "&to=" + enc(base.toString()), "to must be later than from",
                "from=" + enc(base.plus(Duration.ofHours(1)).toString()) + "&to=" + enc(base.toString()), "to must be later than from",
                "from=yesterday", "RFC 3339",
                "from=2026-03-01", "RFC 3339",
                "granularity=fortnight", "use minute, hour, day, week, month or auto",
                "from=" + enc(base.minus(Duration.ofDays(90)).toString()) + "&to=" + enc(base.toString()) + "&granularity=minute",
                "use granularity=day or coarser",
                "status=failed", "status=success or status=error");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = get("/api/v1/stats?" + c.getKey(), ALICE);
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + head(r.body()));
            Map<String, Object> body = json(r);
            assertEquals("bad_request", body.get("error"));
            assertTrue(((String) body.get("message")).contains(c.getValue()), c.getKey() + " -> " + body.get("message"));
        }
    }

    @Test
    void aMemberReadsOnlyTheirOwnAccount() throws Exception {
        HttpResponse<String> r = get("/api/v1/stats?" + period() + "&account=globex", ALICE);
        assertEquals(403, r.statusCode(), head(r.body()));
        assertFalse(r.body().contains("overview"));
        assertFalse(r.body().contains("requests"));
        assertEquals("forbidden", json(r).get("error"));
        // Naming their own account is fine.
        assertEquals(200, get("/api/v1/stats?" + period() + "&account=acme", ALICE).statusCode());
        Map<String, Object> bob = json(get("/api/v1/stats?" + period(), BOB));
        assertEquals("globex", bob.get("account"));
        assertEquals(1, num(map(bob.get("overview")).get("requests")));
    }

    @Test
    void anAdminNamesTheAccount() throws Exception {
        HttpResponse<String> r = get("/api/v1/stats?" + period() + "&account=acme", ROOT);
        assertEquals(200, r.statusCode(), head(r.body()));
        assertEquals("acme", json(r).get("account"));
        assertEquals(3, num(map(json(r).get("overview")).get("requests")));
        HttpResponse<String> none = get("/api/v1/stats?" + period(), ROOT);
        assertEquals(400, none.statusCode(), head(none.body()));
        assertTrue(((String) json(none).get("message")).contains("account="));
        HttpResponse<String> empty = get("/api/v1/stats?" + period() + "&account=nobody-here", ROOT);
        assertEquals(200, empty.statusCode());
        assertNull(json(empty).get("complete_until"));
        assertEquals(0, num(map(json(empty).get("overview")).get("requests")));
    }

    @Test
    void ingestKeysAndStrangersGetNoStats() throws Exception {
        HttpResponse<String> key = getAs("/api/v1/stats?" + period(), "Bearer stats-test-ingest-key-0123456789");
        assertEquals(403, key.statusCode(), head(key.body()));
        assertFalse(key.body().contains("overview"));
        HttpResponse<String> nobody = get("/api/v1/stats?" + period(), null);
        assertEquals(401, nobody.statusCode(), head(nobody.body()));
        HttpResponse<String> wrong = getAs("/api/v1/stats?" + period(),
                "Basic " + Base64.getEncoder().encodeToString("alice:wrong-password".getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, wrong.statusCode(), head(wrong.body()));
    }

    @Test
    void theDefaultPeriodIsTheLastSevenDays() throws Exception {
        Map<String, Object> body = json(get("/api/v1/stats", ALICE));
        Instant to = Instant.parse((String) body.get("to"));
        Instant from = Instant.parse((String) body.get("from"));
        assertEquals(Duration.ofDays(7), Duration.between(from, to));
        assertTrue(Math.abs(Duration.between(Instant.now(), to).toSeconds()) < 120, "to is now, rounded up");
        assertEquals("hour", body.get("granularity"));
        assertEquals(4, num(map(body.get("overview")).get("requests")));
    }

    @Test
    void theOpenApiDocumentIsServedWithoutCredentialsAndCoversEveryEndpoint() throws Exception {
        HttpResponse<String> r = get("/v3/api-docs", null);
        assertEquals(200, r.statusCode(), head(r.body()));
        Map<String, Object> doc = json(r);
        Map<String, Object> paths = map(doc.get("paths"));
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> mapped.addAll(info.getPatternValues()));
        mapped.removeIf(p -> !p.startsWith("/api/"));
        assertTrue(mapped.contains("/api/v1/stats"), mapped.toString());
        assertTrue(paths.keySet().containsAll(mapped), "documented " + paths.keySet() + ", mapped " + mapped);
        Map<String, Object> stats = map(map(paths.get("/api/v1/stats")).get("get"));
        Set<String> params = new TreeSet<>();
        list(stats.get("parameters")).forEach(p -> params.add((String) map(p).get("name")));
        assertEquals(new TreeSet<>(List.of("from", "to", "tz", "granularity", "model", "key", "status", "account")), params);
        for (String field : List.of("complete_until", "all_time", "prompt_tokens", "avg_rpm", "peak_tpm", "consumption",
                "distribution", "leaderboard", "quota_per_1k_tokens", "avg_duration_ms")) {
            assertTrue(r.body().contains("\"" + field + "\""), field);
        }
    }

    @Test
    void aWarmCallIsMeasured() throws Exception {
        String q = "/api/v1/stats?" + period() + "&tz=America/New_York&granularity=minute";
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(q, ALICE).statusCode());
        }
        long[] nanos = new long[50];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(q, ALICE);
            nanos[i] = System.nanoTime() - t0;
            assertEquals(200, r.statusCode());
        }
        Arrays.sort(nanos);
        long[] me = new long[20];
        for (int i = 0; i < me.length; i++) {
            long t0 = System.nanoTime();
            assertEquals(200, get("/api/v1/me", ALICE).statusCode());
            me[i] = System.nanoTime() - t0;
        }
        Arrays.sort(me);
        System.out.printf(Locale.ROOT, "StatsApiTest: warm GET /api/v1/stats over HTTP (Basic auth, 180 minute buckets):"
                + " p50 %.1f ms, p90 %.1f ms; GET /api/v1/me with the same credentials: p50 %.1f ms%n",
                nanos[25] / 1e6, nanos[45] / 1e6, me[10] / 1e6);
    }
}

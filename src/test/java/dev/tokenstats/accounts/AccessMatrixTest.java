package dev.tokenstats.accounts;

import dev.tokenstats.accounts.Client.Auth;
import dev.tokenstats.accounts.Client.Basic;
import dev.tokenstats.accounts.Client.Bearer;
import dev.tokenstats.accounts.Client.Cookie;
import dev.tokenstats.accounts.Client.Response;
import dev.tokenstats.accounts.Client.Session;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.MethodParameter;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every endpoint of the running app (enumerated from its RequestMappingHandlerMapping, so new endpoints are
 * covered without touching this test) against every kind of caller: nobody, an ingest key, a read-only
 * personal token, a revoked token, an admin, a member's browser session without the CSRF token, and a member of
 * account A asking for account B's data through every parameter and path variable. Prints what each endpoint
 * got. Then CSRF, security headers, deleted users, and that no password or token ever shows up in the log or in
 * a later response.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "logging.level.dev.tokenstats=DEBUG", "logging.level.org.springframework.security=DEBUG"})
@Import(MovableClock.Config.class)
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessMatrixTest {

    static final Path DATA = Client.newDataDir();
    static final String ADMIN_PASSWORD = Client.randomSecret("admin-pw-");
    static final String ALICE_PASSWORD = Client.randomSecret("alice-pw-");
    static final String BOB_PASSWORD = Client.randomSecret("bob-pw-");
    static final String DAVE_PASSWORD = Client.randomSecret("dave-pw-");

    /** Account B's distinctive data: none of it may reach account A's member, except what A sent itself. */
    static final String B_ACCOUNT = "account-b", B_USER = "bob-b", B_MODEL = "secret-model-of-b",
            B_KEY = "secret-key-of-b", B_EVENT = "b-evt-7c1f", B_TOKEN_NAME = "token-of-b-named-zebra";
    static final long B_QUOTA = 306_091_215L; // per event; 3 events -> 918273645
    static final String B_CREDITS = "31.415926535";

    /** Endpoints that answer without credentials, each with the reason. */
    static final Map<String, String> PUBLIC = Map.of(
            "GET /v3/api-docs", "the OpenAPI document (describes the API, holds no data)",
            "GET /v3/api-docs.yaml", "the OpenAPI document as YAML");
    /** Paths only the server itself dispatches to, denied to every caller (401 anonymous, else 403), with the reason. */
    static final Map<String, String> INTERNAL = Map.of("/error", "Spring Boot's error page, for the container's error dispatch");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("tokenstats.data-dir", DATA::toString);
        registry.add("tokenstats.admin-password", () -> ADMIN_PASSWORD);
    }

    @LocalServerPort
    int port;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;
    @Autowired
    MovableClock clock;

    Client client;
    final Basic admin = new Basic("admin", ADMIN_PASSWORD);
    final Basic alice = new Basic("alice", ALICE_PASSWORD);
    /** Each secret, and the index of the one response allowed to contain it (-1: none). */
    final Map<String, Integer> secrets = new LinkedHashMap<>();
    String ingestKey, ingestKeyId, readToken, revokedToken, bToken, bTokenId;
    Session aliceSession;
    List<String> bMarkers;

    @BeforeAll
    void seed() {
        client = new Client(port);
        secrets.put(ADMIN_PASSWORD, -1);
        secrets.put(ALICE_PASSWORD, -1);
        secrets.put(BOB_PASSWORD, -1);
        secrets.put(DAVE_PASSWORD, -1);
        Response key = ok(client.postJson("/api/v1/admin/ingest-keys", admin, "{\"name\":\"gateway\"}"), 201);
        ingestKey = key.json().get("key").asString();
        ingestKeyId = key.json().get("id").asString();
        secrets.put(ingestKey, key.index());

        ok(client.postJson("/api/v1/admin/users", admin, user("alice", ALICE_PASSWORD, "member", "account-a")), 201);
        ok(client.postJson("/api/v1/admin/users", admin, user(B_USER, BOB_PASSWORD, "member", B_ACCOUNT)), 201);

        Instant t = clock.instant().minusSeconds(3600);
        StringBuilder events = new StringBuilder("[");
        for (int i = 0; i < 3; i++) {
            events.append(i == 0 ? "" : ",")
                    .append(event("a-evt-" + i, "account-a", t.plusSeconds(i), "model-a", "key-a", 1200, "0.5"))
                    .append(',')
                    .append(event(B_EVENT + "-" + i, B_ACCOUNT, t.plusSeconds(i), B_MODEL, B_KEY, B_QUOTA, B_CREDITS));
        }
        Response ingested = ok(client.send("POST", "/api/v1/events", new Bearer(ingestKey), "application/json",
                events.append(']').toString(), Map.of()), 200);
        assertEquals(6, ingested.json().get("accepted").asInt());

        Response b = ok(client.postJson("/api/v1/tokens", new Basic(B_USER, BOB_PASSWORD), "{\"name\":\"" + B_TOKEN_NAME + "\"}"), 201);
        bToken = b.json().get("token").asString();
        bTokenId = b.json().get("id").asString();
        secrets.put(bToken, b.index());

        Response a = ok(client.postJson("/api/v1/tokens", alice, "{\"name\":\"alice-read\"}"), 201);
        readToken = a.json().get("token").asString();
        secrets.put(readToken, a.index());
        Response r = ok(client.postJson("/api/v1/tokens", alice, "{\"name\":\"alice-revoked\"}"), 201);
        revokedToken = r.json().get("token").asString();
        secrets.put(revokedToken, r.index());
        ok(client.delete("/api/v1/tokens/" + r.json().get("id").asString(), alice), 204);

        aliceSession = client.signIn("alice", ALICE_PASSWORD);
        bMarkers = List.of(B_ACCOUNT, B_USER, B_MODEL, B_KEY, B_EVENT, B_TOKEN_NAME, bTokenId,
                Long.toString(B_QUOTA), Long.toString(3 * B_QUOTA), B_CREDITS, "94.247779605");
    }

    // ------------------------------------------------------------------ the matrix

    enum Kind { INGEST, ADMIN, READ, WRITE, INTERNAL }

    record Endpoint(String method, String pattern, HandlerMethod handler) {
        Kind kind() {
            if (INTERNAL.containsKey(pattern)) {
                return Kind.INTERNAL;
            }
            if (pattern.equals("/api/v1/events")) {
                return Kind.INGEST;
            }
            if (pattern.startsWith("/api/v1/admin/")) {
                return Kind.ADMIN;
            }
            return method.equals("GET") || method.equals("HEAD") ? Kind.READ : Kind.WRITE;
        }

        /** The request parameter names the handler reads (@RequestParam, and components of bound records). */
        Set<String> params() {
            Set<String> names = new TreeSet<>();
            for (MethodParameter p : handler.getMethodParameters()) {
                RequestParam rp = p.getParameterAnnotation(RequestParam.class);
                if (rp != null) {
                    String n = !rp.name().isEmpty() ? rp.name() : p.getParameterName();
                    names.add(n);
                } else if (p.getParameterType().isRecord() && !p.hasParameterAnnotations()) {
                    for (var c : p.getParameterType().getRecordComponents()) {
                        names.add(c.getName());
                    }
                }
            }
            return names;
        }

        List<String> pathVariables() {
            List<String> vars = new ArrayList<>();
            Matcher m = Pattern.compile("\\{([^}:]+)(:[^}]*)?}").matcher(pattern);
            while (m.find()) {
                vars.add(m.group(1));
            }
            return vars;
        }

        String path(Map<String, String> values) {
            if (pattern.contains("*")) {
                fail(this + ": wildcard patterns need a probe path; add one to the test");
            }
            String path = pattern;
            for (String v : pathVariables()) {
                String value = values.get(v);
                if (value == null) {
                    fail(method + " " + pattern + ": path variable {" + v + "} has no probe value; add one to the test");
                }
                path = path.replaceAll("\\{" + Pattern.quote(v) + "(:[^}]*)?}", Matcher.quoteReplacement(value));
            }
            return path;
        }

        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    List<Endpoint> endpoints() {
        Map<String, Endpoint> out = new LinkedHashMap<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            Set<String> methods = new LinkedHashSet<>();
            e.getKey().getMethodsCondition().getMethods().forEach(m -> methods.add(m.name()));
            if (methods.isEmpty()) { // mapped for any method: probe the two that matter
                methods.add(RequestMethod.GET.name());
                methods.add(RequestMethod.POST.name());
            }
            for (String pattern : e.getKey().getPatternValues()) {
                for (String method : methods) {
                    out.putIfAbsent(method + " " + pattern, new Endpoint(method, pattern, e.getValue()));
                }
            }
        }
        List<Endpoint> list = new ArrayList<>(out.values());
        list.sort(Comparator.comparing(Endpoint::pattern).thenComparing(Endpoint::method));
        return list;
    }

    static final Map<String, String> NOWHERE = Map.of("id", "does-not-exist", "username", "does-not-exist",
            "account", "does-not-exist", "model", "does-not-exist", "key", "does-not-exist", "group", "does-not-exist");

    /** What member A sends to reach B's data through a path variable or a parameter. */
    Map<String, String> bValues() {
        return Map.of("id", bTokenId, "username", B_USER, "account", B_ACCOUNT, "model", B_MODEL, "key", B_KEY,
                "group", B_ACCOUNT);
    }

    Response call(Endpoint e, String path, Auth auth) {
        String body = e.method().equals("GET") || e.method().equals("DELETE") || e.method().equals("HEAD") ? null
                : e.kind() == Kind.INGEST ? "[]" : "{}";
        return client.send(e.method(), path, auth, body == null ? null : "application/json", body, Map.of());
    }

    static boolean allowed(int status) {
        return status != 401 && status != 403 && status != 429 && status < 500;
    }

    @Test
    @Order(1)
    void everyEndpointAnswersEveryKindOfCallerAsItShould() {
        List<Endpoint> endpoints = endpoints();
        Set<String> listed = new TreeSet<>();
        endpoints.forEach(e -> listed.add(e.toString()));
        for (String mustBeThere : List.of("GET /api/v1/me", "POST /api/v1/me/password", "POST /api/v1/events",
                "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}", "GET /api/v1/admin/users",
                "POST /api/v1/admin/users", "DELETE /api/v1/admin/users/{username}", "GET /api/v1/admin/ingest-keys",
                "POST /api/v1/admin/ingest-keys", "DELETE /api/v1/admin/ingest-keys/{id}", "GET /api/v1/admin/accounts")) {
            assertTrue(listed.contains(mustBeThere), "the app does not map " + mustBeThere + "; it maps " + listed);
        }

        List<String> problems = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%n%-45s %-8s %-6s %-7s %-7s %-7s %-7s %-9s %s%n",
                "endpoint", "kind", "anon", "ingest", "token", "revoked", "admin", "session", "member A asking for B"));
        for (Endpoint e : endpoints) {
            Kind kind = e.kind();
            String neutral = e.path(NOWHERE);
            List<String> cells = new ArrayList<>();
            if (PUBLIC.containsKey(e.toString())) { // anyone may read it; wrong credentials are still refused
                cells.add(cell(problems, e, "no credentials", call(e, neutral, Client.NONE), AccessMatrixTest::allowed));
                cells.add(cell(problems, e, "ingest key", call(e, neutral, new Bearer(ingestKey)), AccessMatrixTest::allowed));
                cells.add(cell(problems, e, "read token", call(e, neutral, new Bearer(readToken)), AccessMatrixTest::allowed));
                cells.add(cell(problems, e, "revoked token", call(e, neutral, new Bearer(revokedToken)), s -> s == 401));
                cells.add(cell(problems, e, "admin (password)", call(e, neutral, admin), AccessMatrixTest::allowed));
                cells.add(cell(problems, e, "member session without CSRF token", call(e, neutral, new Cookie(aliceSession, false)),
                        AccessMatrixTest::allowed));
                cells.add(memberAskingForB(problems, e));
                table.append(String.format("%-45s %-8s %-6s %-7s %-7s %-7s %-7s %-9s %s%n", e, "PUBLIC", cells.get(0), cells.get(1),
                        cells.get(2), cells.get(3), cells.get(4), cells.get(5), cells.get(6)));
                continue;
            }

            cells.add(cell(problems, e, "no credentials", call(e, neutral, Client.NONE), s -> s == 401));
            cells.add(cell(problems, e, "ingest key", call(e, neutral, new Bearer(ingestKey)),
                    kind == Kind.INGEST ? AccessMatrixTest::allowed : s -> s == 403));
            cells.add(cell(problems, e, "read token", call(e, neutral, new Bearer(readToken)),
                    kind == Kind.READ ? AccessMatrixTest::allowed : s -> s == 403));
            cells.add(cell(problems, e, "revoked token", call(e, neutral, new Bearer(revokedToken)), s -> s == 401));
            cells.add(cell(problems, e, "admin (password)", call(e, neutral, admin),
                    kind == Kind.INGEST || kind == Kind.INTERNAL ? s -> s == 403 : AccessMatrixTest::allowed));
            cells.add(cell(problems, e, "member session without CSRF token", call(e, neutral, new Cookie(aliceSession, false)),
                    kind == Kind.READ ? AccessMatrixTest::allowed : s -> s == 403));
            cells.add(memberAskingForB(problems, e));

            table.append(String.format("%-45s %-8s %-6s %-7s %-7s %-7s %-7s %-9s %s%n", e, kind, cells.get(0), cells.get(1),
                    cells.get(2), cells.get(3), cells.get(4), cells.get(5), cells.get(6)));
        }
        table.append("public: ").append(PUBLIC.isEmpty() ? "none" : PUBLIC).append("; internal: ").append(INTERNAL).append('\n');
        System.out.println(table);
        if (!problems.isEmpty()) {
            fail(problems.size() + " unexpected answer(s):\n" + String.join("\n", problems) + "\n" + table);
        }

        // Nothing of B's was changed by A's attempts.
        Response b = ok(client.get("/api/v1/me", new Bearer(bToken)), 200);
        assertEquals(B_USER, b.json().get("username").asString());
        assertTrue(client.get("/api/v1/admin/users", admin).body().contains("\"" + B_USER + "\""));
        ok(client.send("POST", "/api/v1/events", new Bearer(ingestKey), "application/json", "[]", Map.of()), 200);
    }

    /**
     * Member A (account-a) asks for B's data: B's identifiers in every path variable, then each parameter the
     * handler reads set to B's value, then all of them at once. Admin and ingest endpoints must refuse (403); a
     * handler reading {@code account} must refuse account=B (403/404); a path naming B's things must be 403/404;
     * and no answer may contain anything of B's that A did not send itself.
     */
    String memberAskingForB(List<String> problems, Endpoint e) {
        Map<String, String> b = bValues();
        String path = e.path(b);
        boolean namesB = !e.pathVariables().isEmpty();
        List<String> queries = new ArrayList<>();
        queries.add("");
        for (String p : e.params()) {
            if (b.containsKey(p)) {
                queries.add(p + "=" + Client.enc(b.get(p)));
            }
        }
        queries.add("account=" + B_ACCOUNT + "&model=" + B_MODEL + "&key=" + B_KEY + "&username=" + B_USER);
        List<Auth> callers = new ArrayList<>(List.of(alice));
        if (e.kind() == Kind.READ) {
            callers.add(new Bearer(readToken));
        }
        StringBuilder statuses = new StringBuilder();
        for (Auth caller : callers) {
            for (String q : queries) {
                String url = q.isEmpty() ? path : path + "?" + q;
                Response r = call(e, url, caller);
                statuses.append(statuses.isEmpty() ? "" : ",").append(r.status());
                boolean asksB = q.contains("account=" + B_ACCOUNT) && e.params().contains("account");
                boolean ok;
                if (e.kind() == Kind.ADMIN || e.kind() == Kind.INGEST || e.kind() == Kind.INTERNAL) {
                    ok = r.status() == 403;
                } else if (asksB || namesB) {
                    ok = r.status() == 403 || r.status() == 404;
                } else {
                    ok = r.status() < 500;
                }
                if (!ok) {
                    problems.add(e + ": member A asking for B with " + r.request() + " got " + r.status() + " " + r.body());
                }
                String sent = URLDecoder.decode(url, StandardCharsets.UTF_8);
                for (String marker : bMarkers) {
                    if (!sent.contains(marker) && r.body().contains(marker)) {
                        problems.add(e + ": the answer to member A's " + r.request() + " contains B's \"" + marker + "\": " + r.body());
                    }
                }
            }
        }
        return statuses.toString();
    }

    interface Expectation {
        boolean ok(int status);
    }

    static String cell(List<String> problems, Endpoint e, String caller, Response r, Expectation expected) {
        if (!expected.ok(r.status())) {
            problems.add(e + " with " + caller + ": got " + r.status() + " " + r.body());
            return r.status() + "!";
        }
        return Integer.toString(r.status());
    }

    // ------------------------------------------------------------------ specific properties

    @Test
    @Order(2)
    void aReadTokenReadsAsItsUserAndSeesNoTokenText() {
        Response me = ok(client.get("/api/v1/me", new Bearer(readToken)), 200);
        assertEquals("alice", me.json().get("username").asString());
        assertEquals("account-a", me.json().get("account").asString());
        Response list = ok(client.get("/api/v1/tokens", new Bearer(readToken)), 200);
        assertEquals(1, list.json().size(), list.body()); // the revoked one is gone
        assertEquals("alice-read", list.json().get(0).get("name").asString());
        assertFalse(list.json().get(0).get("last_used_at").isNull(), "last use is recorded: " + list.body());
        // A member asking for B's token by id gets 404, and B's token still works.
        assertEquals(404, client.delete("/api/v1/tokens/" + bTokenId, alice).status());
        ok(client.get("/api/v1/me", new Bearer(bToken)), 200);
        // A bearer secret that is nobody's, or malformed, is 401.
        assertEquals(401, client.get("/api/v1/me", new Bearer("tsp_" + "x".repeat(43))).status());
        assertEquals(401, client.get("/api/v1/me", new Bearer("")).status());
    }

    @Test
    @Order(3)
    void cookieStateChangesNeedTheCsrfTokenAndHeaderCredentialsIgnoreTheCookie() {
        int before = client.get("/api/v1/tokens", alice).json().size();
        Response noToken = client.postJson("/api/v1/tokens", new Cookie(aliceSession, false), "{\"name\":\"from-console\"}");
        assertEquals(403, noToken.status(), noToken.body());
        assertEquals("csrf", noToken.json().get("error").asString());
        Response wrong = client.send("POST", "/api/v1/tokens", new Cookie(aliceSession, false), "application/json",
                "{\"name\":\"from-console\"}", Map.of("X-XSRF-TOKEN", "not-the-token"));
        assertEquals(403, wrong.status(), wrong.body());
        assertEquals(before, client.get("/api/v1/tokens", alice).json().size(), "nothing was created without the token");

        Response created = client.postJson("/api/v1/tokens", new Cookie(aliceSession, true), "{\"name\":\"from-console\"}");
        assertEquals(201, created.status(), created.body());
        secrets.put(created.json().get("token").asString(), created.index());
        assertEquals(403, client.delete("/api/v1/tokens/" + created.json().get("id").asString(), new Cookie(aliceSession, false)).status());
        assertEquals(204, client.delete("/api/v1/tokens/" + created.json().get("id").asString(), new Cookie(aliceSession, true)).status());

        // With an Authorization header the session cookie is not used at all: a read token stays read-only,
        // and a wrong token is 401 even with a valid session.
        Map<String, String> cookie = Map.of("Cookie", aliceSession.header(), "X-XSRF-TOKEN", aliceSession.xsrf());
        assertEquals(403, client.send("POST", "/api/v1/tokens", new Bearer(readToken), "application/json", "{\"name\":\"x\"}", cookie).status());
        assertEquals(401, client.send("GET", "/api/v1/me", new Bearer("nope"), null, null, cookie).status());
        // Basic credentials are not cookie-based, so they need no CSRF token.
        Response basic = client.postJson("/api/v1/tokens", alice, "{\"name\":\"by-basic\"}");
        assertEquals(201, basic.status(), basic.body());
        secrets.put(basic.json().get("token").asString(), basic.index());

        // Sign-in and sign-out need the token too.
        Session fresh = new Session();
        client.get("/login", new Cookie(fresh, false));
        assertEquals(403, client.postForm("/login", new Cookie(fresh, false), Map.of("username", "alice", "password", ALICE_PASSWORD)).status());
        Session other = client.signIn("alice", ALICE_PASSWORD);
        assertEquals(403, client.send("POST", "/logout", new Cookie(other, false), null, null, Map.of()).status());
        ok(client.get("/api/v1/me", new Cookie(other, false)), 200);
        assertEquals(204, client.send("POST", "/logout", new Cookie(other, true), null, null, Map.of()).status());
        assertEquals(401, client.get("/api/v1/me", new Cookie(other, false)).status());
    }

    static final String CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none';"
            + " base-uri 'self'; form-action 'self'";

    @Test
    @Order(4)
    void securityHeadersOnApiAndPageResponsesAndSessionCookieAttributes() {
        List<Response> responses = List.of(
                client.get("/login", Client.NONE),
                client.get("/login.js", Client.NONE),
                client.get("/api/v1/me", Client.NONE),
                client.get("/api/v1/me", alice),
                client.get("/api/v1/me", new Bearer(readToken)),
                client.get("/api/v1/me", new Cookie(aliceSession, false)),
                client.send("POST", "/api/v1/events", new Bearer(ingestKey), "application/json", "[]", Map.of()),
                client.send("GET", "/", Client.NONE, null, null, Map.of("Accept", "text/html")),
                client.get("/no-such-page", alice));
        for (Response r : responses) {
            assertEquals(CSP, r.header("Content-Security-Policy"), r.toString());
            assertFalse(r.header("Content-Security-Policy").contains("unsafe-inline"));
            assertEquals("nosniff", r.header("X-Content-Type-Options"), r.toString());
            assertEquals("DENY", r.header("X-Frame-Options"), r.toString());
        }
        assertEquals(302, responses.get(7).status(), "a page without a session goes to the sign-in page");
        assertTrue(responses.get(7).header("Location").endsWith("/login"));
        Response deepLink = client.send("GET", "/usage?tz=Asia/Kolkata", Client.NONE, null, null, Map.of("Accept", "text/html"));
        assertEquals(302, deepLink.status());
        assertTrue(deepLink.header("Location").endsWith("/login?next=%2Fusage%3Ftz%3DAsia%2FKolkata"), deepLink.header("Location"));
        assertNull(responses.get(2).header("WWW-Authenticate"), "no challenge a browser would prompt for");
        assertEquals("Bearer", client.get("/api/v1/me", new Basic("alice", "wrong")).header("WWW-Authenticate"));

        String page = responses.get(0).body();
        assertTrue(page.contains("<form"), page);
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(page).find(), "no inline script");
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find(), "no inline handlers");
        assertFalse(page.contains("style="), "no inline styles");

        Session s = client.signIn("alice", ALICE_PASSWORD);
        String sessionCookie = s.setCookies.stream().filter(c -> c.startsWith("JSESSIONID=")).reduce((a, b) -> b).orElseThrow();
        assertTrue(sessionCookie.contains("HttpOnly"), sessionCookie);
        assertTrue(sessionCookie.contains("SameSite=Lax"), sessionCookie);
        String xsrfCookie = s.setCookies.stream().filter(c -> c.startsWith("XSRF-TOKEN=") && !c.startsWith("XSRF-TOKEN=;"))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(xsrfCookie.contains("SameSite=Lax"), xsrfCookie);
        assertFalse(xsrfCookie.contains("HttpOnly"), "the console's script reads the CSRF cookie: " + xsrfCookie);
    }

    /** Actuator endpoints live in their own handler mapping: health is public, the rest is for admins only. */
    @Test
    @Order(5)
    void actuatorHealthIsPublicAndTheRestIsForAdmins() {
        assertEquals(200, client.get("/actuator/health", Client.NONE).status());
        for (String path : List.of("/actuator", "/actuator/info")) {
            assertEquals(401, client.get(path, Client.NONE).status(), path);
            assertEquals(403, client.get(path, new Bearer(ingestKey)).status(), path);
            assertEquals(403, client.get(path, alice).status(), path);
            assertEquals(403, client.get(path, new Bearer(readToken)).status(), path);
            assertEquals(200, client.get(path, admin).status(), path);
        }
    }

    /** The read-only and ingest-only rules hold on every path, not only under /api (future console endpoints). */
    @Test
    @Order(6)
    void readTokensAndIngestKeysChangeNothingOnAnyPath() {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String path = "/console/settings";
            assertEquals(403, client.send(method, path, new Bearer(readToken), "application/json", "{}", Map.of()).status(), method);
            assertEquals(403, client.send(method, path, new Bearer(ingestKey), "application/json", "{}", Map.of()).status(), method);
            assertEquals(401, client.send(method, path, Client.NONE, "application/json", "{}", Map.of()).status(), method);
            // Past security (so: not found) only with a password sign-in.
            assertEquals(404, client.send(method, path, alice, "application/json", "{}", Map.of()).status(), method);
        }
        assertEquals(404, client.get("/console/settings", new Bearer(readToken)).status(), "reads pass");
        assertEquals(403, client.get("/console/settings", new Bearer(ingestKey)).status());
    }

    @Test
    @Order(7)
    void aDeletedUsersSessionsAndTokensEndAtOnce() {
        ok(client.postJson("/api/v1/admin/users", admin, user("dave", DAVE_PASSWORD, "member", "account-d")), 201);
        Session dave = client.signIn("dave", DAVE_PASSWORD);
        Response t = ok(client.postJson("/api/v1/tokens", new Cookie(dave, true), "{\"name\":\"dave\"}"), 201);
        String token = t.json().get("token").asString();
        secrets.put(token, t.index());
        ok(client.get("/api/v1/me", new Bearer(token)), 200);
        ok(client.get("/api/v1/me", new Cookie(dave, false)), 200);

        assertEquals(204, client.delete("/api/v1/admin/users/dave", admin).status());
        assertEquals(401, client.get("/api/v1/me", new Cookie(dave, false)).status());
        assertEquals(401, client.get("/api/v1/me", new Bearer(token)).status());
        assertEquals(401, client.get("/api/v1/me", new Basic("dave", DAVE_PASSWORD)).status());
    }

    @Test
    @Order(99)
    void passwordsAndTokensNeverAppearInTheLogOrInAnyLaterResponse(CapturedOutput output) {
        String log = output.getAll();
        assertTrue(log.contains("personal token"), "the log is captured (DEBUG for dev.tokenstats and Spring Security)");
        assertTrue(log.contains("o.s.security") || log.contains("org.springframework.security"), "Spring Security's debug log is captured");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> s : secrets.entrySet()) {
            if (log.contains(s.getKey())) {
                problems.add("the log contains the secret " + s.getKey().substring(0, 8) + "...");
            }
            if (s.getValue() >= 0) {
                assertTrue(client.responses.get(s.getValue()).body().contains(s.getKey()), "a token is shown when created");
            }
            for (Response r : client.responses) {
                if (r.index() != s.getValue() && (r.body().contains(s.getKey()) || r.headers().map().toString().contains(s.getKey()))) {
                    problems.add("response " + r.request() + " contains the secret " + s.getKey().substring(0, 8) + "...");
                }
            }
        }
        assertTrue(client.responses.size() > 100, "checked " + client.responses.size() + " responses");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    // ------------------------------------------------------------------ helpers

    static Response ok(Response r, int status) {
        assertNotNull(r);
        assertEquals(status, r.status(), r.toString());
        return r;
    }

    static String user(String username, String password, String role, String account) {
        return "{\"username\":\"" + username + "\",\"password\":\"" + password + "\",\"role\":\"" + role
                + "\",\"account\":\"" + account + "\"}";
    }

    static String event(String id, String account, Instant time, String model, String key, long quota, String credits) {
        return "{\"id\":\"" + id + "\",\"account\":\"" + account + "\",\"time\":\"" + time + "\",\"model\":\"" + model
                + "\",\"key\":\"" + key + "\",\"prompt_tokens\":100,\"completion_tokens\":20,\"quota\":" + quota
                + ",\"credits\":\"" + credits + "\"}";
    }
}

package dev.tokenstats.accounts;

import dev.tokenstats.accounts.Client.Basic;
import dev.tokenstats.accounts.Client.Bearer;
import dev.tokenstats.accounts.Client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tokenstats.accounts.AccessMatrixTest.event;
import static dev.tokenstats.accounts.AccessMatrixTest.ok;
import static dev.tokenstats.accounts.AccessMatrixTest.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The management API: personal tokens, ingest keys, users, one's own password, and the admin's account ranking. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(MovableClock.Config.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsApiTest {

    static final Path DATA = Client.newDataDir();
    static final String ADMIN_PASSWORD = Client.randomSecret("admin-pw-");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("tokenstats.data-dir", DATA::toString);
        registry.add("tokenstats.admin-password", () -> ADMIN_PASSWORD);
    }

    @LocalServerPort
    int port;
    @Autowired
    MovableClock clock;
    Client client;
    final Basic admin = new Basic("admin", ADMIN_PASSWORD);

    @BeforeAll
    void start() {
        client = new Client(port);
    }

    Basic member(String name, String account) {
        String password = "pw-of-" + name;
        ok(client.postJson("/api/v1/admin/users", admin, user(name, password, "member", account)), 201);
        return new Basic(name, password);
    }

    @Test
    void personalTokensAreShownOnceListedWithoutSecretAndRevokedAtOnce() {
        Basic kim = member("kim", "acct-kim");
        Basic lee = member("lee", "acct-lee");
        Response created = ok(client.postJson("/api/v1/tokens", kim, "{\"name\":\"nightly report\"}"), 201);
        JsonNode t = created.json();
        String token = t.get("token").asString();
        assertTrue(token.matches("tsp_[A-Za-z0-9_-]{43}"), token);
        assertEquals("nightly report", t.get("name").asString());
        String other = ok(client.postJson("/api/v1/tokens", kim, "{\"name\":\"second\"}"), 201).json().get("token").asString();
        assertNotEquals(token, other);

        JsonNode list = ok(client.get("/api/v1/tokens", kim), 200).json();
        assertEquals(2, list.size());
        JsonNode first = find(list, t.get("id").asString());
        assertEquals("nightly report", first.get("name").asString());
        assertEquals(t.get("created_at").asString(), first.get("created_at").asString());
        assertTrue(first.get("last_used_at").isNull());
        assertFalse(first.has("token") || first.has("token_hash"), list.toString());
        assertTrue(ok(client.get("/api/v1/tokens", lee), 200).json().isEmpty(), "lee sees none of kim's tokens");

        assertEquals("kim", ok(client.get("/api/v1/me", new Bearer(token)), 200).json().get("username").asString());
        assertEquals(400, client.postJson("/api/v1/tokens", kim, "{\"name\":\"\"}").status());
        assertEquals(400, client.postJson("/api/v1/tokens", kim, "{}").status());
        assertEquals(400, client.postJson("/api/v1/tokens", kim, "not json").status());

        String id = t.get("id").asString();
        assertEquals(404, client.delete("/api/v1/tokens/" + id, lee).status(), "another user's token is not found");
        ok(client.get("/api/v1/me", new Bearer(token)), 200);
        assertEquals(204, client.delete("/api/v1/tokens/" + id, kim).status());
        assertEquals(401, client.get("/api/v1/me", new Bearer(token)).status(), "revoked at once");
        assertEquals(404, client.delete("/api/v1/tokens/" + id, kim).status());
        ok(client.get("/api/v1/me", new Bearer(other)), 200);
    }

    @Test
    void ingestKeysAreShownOnceIngestUntilRevokedAndReadNothing() {
        Response created = ok(client.postJson("/api/v1/admin/ingest-keys", admin, "{\"name\":\"gateway-eu\"}"), 201);
        String key = created.json().get("key").asString();
        String id = created.json().get("id").asString();
        assertTrue(key.matches("tsi_[A-Za-z0-9_-]{43}"), key);
        JsonNode listed = find(ok(client.get("/api/v1/admin/ingest-keys", admin), 200).json(), id);
        assertEquals("gateway-eu", listed.get("name").asString());
        assertTrue(listed.get("revoked_at").isNull());
        assertFalse(listed.has("key") || listed.has("key_hash"));

        String events = "[" + event("k1", "acct-keys", clock.instant().minusSeconds(60), "m", "k", 10, "0.1") + "]";
        assertEquals(1, ok(client.send("POST", "/api/v1/events", new Bearer(key), "application/json", events, Map.of()), 200)
                .json().get("accepted").asInt());
        assertEquals(403, client.get("/api/v1/me", new Bearer(key)).status());

        assertEquals(204, client.delete("/api/v1/admin/ingest-keys/" + id, admin).status());
        assertEquals(401, client.send("POST", "/api/v1/events", new Bearer(key), "application/json", "[]", Map.of()).status());
        assertFalse(find(ok(client.get("/api/v1/admin/ingest-keys", admin), 200).json(), id).get("revoked_at").isNull());
        assertEquals(404, client.delete("/api/v1/admin/ingest-keys/" + id, admin).status());
        assertEquals(400, client.postJson("/api/v1/admin/ingest-keys", admin, "{\"name\":\" \"}").status());
    }

    @Test
    void adminsManageUsersButNeverDeleteTheLastAdmin() {
        assertEquals(400, client.postJson("/api/v1/admin/users", admin, "{\"username\":\"m1\",\"password\":\"long-enough\",\"role\":\"member\"}").status(),
                "a member needs an account");
        assertEquals(400, client.postJson("/api/v1/admin/users", admin, user("m1", "long-enough", "owner", "a")).status());
        assertEquals(400, client.postJson("/api/v1/admin/users", admin, user("m1", "short", "member", "a")).status());
        assertEquals(400, client.postJson("/api/v1/admin/users", admin, user("no spaces", "long-enough", "member", "a")).status());
        Response created = ok(client.postJson("/api/v1/admin/users", admin, user("m1", "long-enough", "member", "acct-m1")), 201);
        assertEquals("acct-m1", created.json().get("account").asString());
        assertFalse(created.body().contains("long-enough") || created.body().contains("password"), created.body());
        assertEquals(409, client.postJson("/api/v1/admin/users", admin, user("m1", "long-enough", "member", "a")).status());
        assertEquals("m1", ok(client.get("/api/v1/me", new Basic("m1", "long-enough")), 200).json().get("username").asString());

        Response list = ok(client.get("/api/v1/admin/users", admin), 200);
        assertEquals("member", find(list.json(), "m1", "username").get("role").asString());
        assertFalse(list.body().contains("bcrypt") || list.body().contains("password"), list.body());

        assertEquals(404, client.delete("/api/v1/admin/users/nobody", admin).status());
        assertEquals(409, client.delete("/api/v1/admin/users/admin", admin).status(), "the last admin stays");
        ok(client.postJson("/api/v1/admin/users", admin, user("admin2", "admin2-password", "admin", "")), 201);
        ok(client.get("/api/v1/admin/users", new Basic("admin2", "admin2-password")), 200);
        assertEquals(204, client.delete("/api/v1/admin/users/admin2", admin).status());
        assertEquals(409, client.delete("/api/v1/admin/users/admin", admin).status());
        assertEquals(204, client.delete("/api/v1/admin/users/m1", admin).status());
        assertEquals(401, client.get("/api/v1/me", new Basic("m1", "long-enough")).status());
    }

    @Test
    void aUserChangesTheirOwnPassword() {
        Basic nia = member("nia", "acct-nia");
        assertEquals(403, client.postJson("/api/v1/me/password", nia, "{\"current_password\":\"guess-1\",\"new_password\":\"nia-new-password\"}").status());
        assertEquals(400, client.postJson("/api/v1/me/password", nia, "{\"current_password\":\"" + nia.password() + "\",\"new_password\":\"short\"}").status());
        assertEquals(204, client.postJson("/api/v1/me/password", nia, "{\"current_password\":\"" + nia.password() + "\",\"new_password\":\"nia-new-password\"}").status());
        assertEquals(401, client.get("/api/v1/me", nia).status());
        ok(client.get("/api/v1/me", new Basic("nia", "nia-new-password")), 200);
    }

    @Test
    void theAccountRankingSumsEachAccountExactlyForThePeriod() {
        Response keyResponse = ok(client.postJson("/api/v1/admin/ingest-keys", admin, "{\"name\":\"ranking\"}"), 201);
        Bearer key = new Bearer(keyResponse.json().get("key").asString());
        member("idle-user", "rank-idle");
        Instant base = clock.instant().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // 5 requests, 500 quota, 0.5 credits
            events.add(event("x" + i, "rank-x", base.plusSeconds(600 + i), "m", "k", 100, "0.1"));
        }
        events.add(event("y0", "rank-y", base.plusSeconds(900), "m", "k", 300, "1.000000001"));
        events.add(event("y1", "rank-y", base.plusSeconds(5400), "m", "k", 300, "1.000000001"));
        events.add(event("z0", "rank-z", base.plusSeconds(1200), "m", "k", 400, "0.2"));
        events.add(event("z1", "rank-z", base.plusSeconds(1300), "m", "k", 400, "0.1"));
        events.add(event("z-early", "rank-z", base.minusSeconds(60), "m", "k", 9999, "9"));   // before the period
        events.add(event("z-late", "rank-z", base.plusSeconds(7200), "m", "k", 9999, "9"));   // at `to`: excluded
        ok(client.send("POST", "/api/v1/events", key, "application/json", "[" + String.join(",", events) + "]", Map.of()), 200);

        // from rounds down and to rounds up to the minute: [base, base + 2h)
        Response r = ok(client.get("/api/v1/admin/accounts?from=" + base.plusSeconds(30) + "&to=" + base.plusSeconds(7200 - 59), admin), 200);
        JsonNode a = r.json();
        assertEquals(base.toString(), a.get("from").asString());
        assertEquals(base.plusSeconds(7200).toString(), a.get("to").asString());
        List<String> order = new ArrayList<>();
        a.get("accounts").forEach(n -> order.add(n.get("account").asString()));
        assertTrue(order.indexOf("rank-x") < order.indexOf("rank-z") && order.indexOf("rank-z") < order.indexOf("rank-y")
                && order.indexOf("rank-y") < order.indexOf("rank-idle"), "ranked by requests, then quota: " + order);
        JsonNode x = find(a.get("accounts"), "rank-x", "account");
        assertEquals(5, x.get("requests").asLong());
        assertEquals(500, x.get("quota").asLong());
        assertEquals("0.5", x.get("credits").asString());
        assertEquals(600, x.get("tokens").asLong());
        assertEquals(1, x.get("rank").asInt());
        JsonNode y = find(a.get("accounts"), "rank-y", "account");
        assertEquals("2.000000002", y.get("credits").asString());
        JsonNode z = find(a.get("accounts"), "rank-z", "account");
        assertEquals(2, z.get("requests").asLong());
        assertEquals(800, z.get("quota").asLong());
        assertEquals("0.3", z.get("credits").asString());
        JsonNode idle = find(a.get("accounts"), "rank-idle", "account");
        assertEquals(0, idle.get("requests").asLong());
        assertEquals("0", idle.get("credits").asString());

        // By default the 7 days up to now, which holds every event above.
        JsonNode week = ok(client.get("/api/v1/admin/accounts", admin), 200).json();
        assertEquals(4, find(week.get("accounts"), "rank-z", "account").get("requests").asLong());
        assertEquals(400, client.get("/api/v1/admin/accounts?from=yesterday", admin).status());
        assertEquals(400, client.get("/api/v1/admin/accounts?from=" + base + "&to=" + base, admin).status());
    }

    static JsonNode find(JsonNode array, String id) {
        return find(array, id, "id");
    }

    static JsonNode find(JsonNode array, String value, String field) {
        for (JsonNode n : array) {
            if (value.equals(n.get(field).asString())) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}

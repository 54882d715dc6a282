package dev.tokenstats.accounts;

import dev.tokenstats.TokenstatsApplication;
import dev.tokenstats.store.PostgresFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one PostgreSQL database, as behind a load balancer: what an admin or a user changes on one
 * (ingest keys, personal tokens, users) counts on the other within {@code tokenstats.accounts.refresh}. A key
 * created on one is taken by both, and a key or token revoked, or a user deleted, on one is refused by both,
 * sessions on the other included.
 */
class AccountsOnASharedDatabaseTest {

    static final Client.Basic ADMIN = new Client.Basic("admin", "shared-admin-pw");
    static final Client.Basic MIA = new Client.Basic("mia", "mia-password-4821");

    final String schema = PostgresFixture.freshSchema("accounts");

    @AfterEach
    void drop() {
        PostgresFixture.drop(schema);
    }

    ConfigurableApplicationContext start() {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--tokenstats.data-dir=" + Client.newDataDir(),
                "--tokenstats.admin-password=" + ADMIN.password(), "--tokenstats.accounts.refresh=PT0.2S"));
        args.addAll(PostgresFixture.serverArguments(schema));
        return new SpringApplicationBuilder(TokenstatsApplication.class).run(args.toArray(String[]::new));
    }

    static Client client(ConfigurableApplicationContext app) {
        return new Client(((WebServerApplicationContext) app).getWebServer().getPort());
    }

    @Test
    void keysTokensAndUsersChangedOnOneInstanceCountOnTheOtherWithinTheRefreshInterval() {
        try (ConfigurableApplicationContext a = start(); ConfigurableApplicationContext b = start()) {
            Client onA = client(a), onB = client(b);

            Client.Response key = onA.postJson("/api/v1/admin/ingest-keys", ADMIN, "{\"name\":\"gateway\"}");
            assertThat(key.status()).as(key.toString()).isEqualTo(201);
            Client.Bearer gateway = new Client.Bearer(key.json().get("key").asString());
            String event = "{\"id\":\"call-1\",\"account\":\"acct-1\",\"time\":\"" + Instant.now().minusSeconds(60)
                    + "\",\"model\":\"m\",\"prompt_tokens\":3,\"completion_tokens\":4,\"quota\":7}";
            Supplier<Integer> ingestOnB = () -> onB.send("POST", "/api/v1/events", gateway, "application/x-ndjson", event, Map.of()).status();
            assertThat(eventually(ingestOnB, 200)).as("a key created on a, used on b").isEqualTo(200);
            assertThat(onA.delete("/api/v1/admin/ingest-keys/" + key.json().get("id").asString(), ADMIN).status()).isEqualTo(204);
            assertThat(eventually(ingestOnB, 401)).as("the key revoked on a, used on b").isEqualTo(401);

            assertThat(onA.postJson("/api/v1/admin/users", ADMIN, "{\"username\":\"mia\",\"password\":\"" + MIA.password()
                    + "\",\"role\":\"member\",\"account\":\"acct-1\"}").status()).isEqualTo(201);
            Client.Response first = onA.postJson("/api/v1/tokens", MIA, "{\"name\":\"script\"}");
            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            Client.Bearer script = new Client.Bearer(first.json().get("token").asString());
            assertThat(eventually(() -> onB.get("/api/v1/me", script).status(), 200)).as("mia's token made on a, used on b").isEqualTo(200);
            assertThat(onB.get("/api/v1/me", script).json().get("account").asString()).isEqualTo("acct-1");
            assertThat(onA.delete("/api/v1/tokens/" + first.json().get("id").asString(), MIA).status()).isEqualTo(204);
            assertThat(eventually(() -> onB.get("/api/v1/me", script).status(), 401)).as("the token revoked on a, used on b").isEqualTo(401);

            Client.Bearer second = new Client.Bearer(onA.postJson("/api/v1/tokens", MIA, "{\"name\":\"cron\"}").json().get("token").asString());
            assertThat(eventually(() -> onB.get("/api/v1/me", second).status(), 200)).isEqualTo(200);
            Client.Cookie session = new Client.Cookie(onB.signIn(MIA.username(), MIA.password()), true);
            onB.signIn(MIA.username(), MIA.password()); // a second session, left idle: b keeps it registered once it ends
            assertThat(onB.get("/api/v1/me", session).status()).isEqualTo(200);
            assertThat(onA.delete("/api/v1/admin/users/mia", ADMIN).status()).isEqualTo(204);
            assertThat(eventually(() -> onB.get("/api/v1/me", second).status(), 401)).as("a deleted user's token on b").isEqualTo(401);
            assertThat(eventually(() -> onB.get("/api/v1/me", session).status(), 401)).as("a deleted user's session on b").isEqualTo(401);
            assertThat(onB.get("/api/v1/me", ADMIN).status()).as("others are unaffected").isEqualTo(200);

            // mia again, now an admin: her new session on b lasts, though b still holds her idle, ended one as a member
            assertThat(onA.postJson("/api/v1/admin/users", ADMIN, "{\"username\":\"mia\",\"password\":\"" + MIA.password()
                    + "\",\"role\":\"admin\",\"account\":\"acct-1\"}").status()).isEqualTo(201);
            Client.Cookie again = new Client.Cookie(onB.signIn(MIA.username(), MIA.password()), true);
            sleep(1000); // five refreshes
            Client.Response me = onB.get("/api/v1/me", again);
            assertThat(me.status()).as("mia's new session on b after five refreshes").isEqualTo(200);
            assertThat(me.json().get("role").asString()).isEqualTo("admin");
        }
    }

    /** The status {@code request} answers once it answers {@code expected}, or its last one after 10 s. */
    static int eventually(Supplier<Integer> request, int expected) {
        int status = request.get();
        for (long deadline = System.nanoTime() + 10_000_000_000L; status != expected && System.nanoTime() < deadline; ) {
            sleep(50);
            status = request.get();
        }
        return status;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

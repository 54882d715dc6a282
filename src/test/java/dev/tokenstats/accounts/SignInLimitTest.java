package dev.tokenstats.accounts;

import dev.tokenstats.accounts.Client.Basic;
import dev.tokenstats.accounts.Client.Cookie;
import dev.tokenstats.accounts.Client.Response;
import dev.tokenstats.accounts.Client.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed sign-ins are limited per username (5) and per client address (20) in 5 minutes, for the form sign-in
 * and HTTP Basic alike: the next attempt, even with the right password, is 429 with Retry-After, until the
 * window passes on the app's clock (moved here, never slept).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(MovableClock.Config.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInLimitTest {

    static final Path DATA = Client.newDataDir();
    static final String ADMIN_PASSWORD = Client.randomSecret("admin-pw-");
    static final String PASSWORD = "right-password-1";

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

    @BeforeAll
    void users() {
        client = new Client(port);
        for (String u : new String[] {"erin", "frank", "gina", "hank", "ivy"}) {
            Response r = client.postJson("/api/v1/admin/users", new Basic("admin", ADMIN_PASSWORD),
                    AccessMatrixTest.user(u, PASSWORD, "member", "acct-" + u));
            assertEquals(201, r.status(), r.toString());
        }
    }

    /** Each test starts with a clean slate: the window of every earlier failure has passed. */
    @AfterEach
    void windowPasses() {
        clock.advance(Duration.ofMinutes(6));
    }

    Response form(String username, String password) {
        Session s = new Session();
        client.get("/login", new Cookie(s, false));
        return client.postForm("/login", new Cookie(s, true), Map.of("username", username, "password", password));
    }

    Response basic(String username, String password) {
        return client.get("/api/v1/me", new Basic(username, password));
    }

    static long retryAfter(Response r) {
        assertEquals(429, r.status(), r.toString());
        long seconds = Long.parseLong(r.header("Retry-After"));
        assertTrue(seconds > 0 && seconds <= 300, "Retry-After " + seconds);
        return seconds;
    }

    @Test
    void fiveWrongFormSignInsBlockTheUsernameForFormAndBasicUntilTheWindowPasses() {
        for (int i = 0; i < 5; i++) {
            assertEquals(401, form("erin", "wrong-" + i).status());
        }
        long first = retryAfter(form("erin", PASSWORD));
        retryAfter(basic("erin", PASSWORD));
        assertEquals(200, basic("frank", PASSWORD).status(), "another username from the same address is not blocked");

        clock.advance(Duration.ofSeconds(60));
        long later = retryAfter(form("erin", PASSWORD));
        assertEquals(first - 60, later, "the wait counts down on the app's clock");

        clock.advance(Duration.ofSeconds(later));
        assertEquals(200, form("erin", PASSWORD).status(), "after the window the right password works again");
    }

    @Test
    void fiveWrongBasicPasswordsBlockTheUsernameUntilTheWindowPasses() {
        for (int i = 0; i < 5; i++) {
            assertEquals(401, basic("frank", "wrong-" + i).status());
        }
        retryAfter(basic("frank", PASSWORD));
        retryAfter(form("frank", PASSWORD));
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(200, basic("frank", PASSWORD).status());
    }

    @Test
    void twentyFailuresFromOneAddressBlockEveryUsernameFromIt() {
        for (int i = 0; i < 20; i++) {
            Response r = i % 2 == 0 ? basic("nobody-" + i, "wrong") : form("nobody-" + i, "wrong");
            assertEquals(401, r.status(), r.toString());
        }
        retryAfter(basic("gina", PASSWORD));
        retryAfter(form("hank", PASSWORD));
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(200, basic("gina", PASSWORD).status());
        assertEquals(200, form("hank", PASSWORD).status());
    }

    @Test
    void successesBetweenFailuresDoNotResetTheCount() {
        for (int i = 0; i < 4; i++) {
            assertEquals(401, basic("ivy", "wrong-" + i).status());
            assertEquals(200, basic("ivy", PASSWORD).status(), "the user's own script keeps working");
        }
        assertEquals(401, basic("ivy", "wrong-4").status());
        retryAfter(basic("ivy", PASSWORD));
    }

    @Test
    void wrongCurrentPasswordsWhenChangingItCountAsFailedSignIns() {
        Basic gina = new Basic("gina", PASSWORD);
        String change = "{\"current_password\":\"guess\",\"new_password\":\"new-password-1\"}";
        for (int i = 0; i < 5; i++) {
            assertEquals(403, client.postJson("/api/v1/me/password", gina, change).status());
        }
        // Blocked now: the password change and sign-ins alike.
        retryAfter(client.postJson("/api/v1/me/password", gina,
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"new-password-1\"}"));
        retryAfter(basic("gina", PASSWORD));
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(200, basic("gina", PASSWORD).status());
    }
}

package dev.tokenstats.logs;

import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LogsApiTest {

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        String dir = Files.createTempDirectory("logs-api").toString();
        registry.add("tokenstats.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;
    @Autowired
    UsageStore store;
    @Autowired
    Users users;
    @Autowired
    ObjectMapper json;

    final HttpClient http = HttpClient.newHttpClient();
    final long now = System.currentTimeMillis();
    List<UsageEvent> acme = new ArrayList<>();

    @BeforeAll
    void seed() {
        users.create("alice", "alice-password", Viewer.Role.member, "acme");
        users.create("root", "root-password", Viewer.Role.admin, null);
        Random r = new Random(11);
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            // several events share a millisecond, so the cursor must break ties by id
            long t = now - 3_600_000L * 30 + (i / 3) * 1_000_000L;
            batch.add(new UsageEvent("acme", "call-" + i, t, i % 4 == 0 ? "gpt-4o" : "claude-sonnet", "key-" + (i % 3),
                    100 + i, 10 + i, i % 7, 1000 + i, 2_000_000L * i, i % 5 == 0 ? -1 : 300 + i, i % 10 == 0,
                    i % 2 == 0, "default", "ch-1"));
        }
        batch.add(new UsageEvent("other", "secret-1", now - 60_000, "secret-model-of-other", "", 1, 1, 0, 1, 1, -1,
                false, null, "", ""));
        store.append(batch);
        acme = batch.stream().filter(e -> e.account().equals("acme"))
                .sorted(Comparator.comparingLong(UsageEvent::timeMillis).thenComparing(UsageEvent::id).reversed()).toList();
    }

    HttpResponse<String> get(String user, String password, String pathAndQuery) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
    }

    String period() {
        return "from=" + enc(Instant.ofEpochMilli(now - 86_400_000L * 3).toString()) + "&to=" + enc(Instant.ofEpochMilli(now).toString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void pagingForwardVisitsEveryCallOnceNewestFirst() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> res = get("alice", "alice-password", "/api/v1/logs?" + period() + "&limit=17"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(res.body());
            body.get("items").forEach(item -> seen.add(item.get("id").asString()));
            cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(acme.stream().map(UsageEvent::id).toList());
        assertThat(pages).isEqualTo(230 / 17 + 1);
    }

    @Test
    void anItemCarriesEveryFieldOfTheCallAndNoAdminFieldsForMembers() throws Exception {
        JsonNode first = json.readTree(get("alice", "alice-password", "/api/v1/logs?" + period() + "&limit=1").body())
                .get("items").get(0);
        UsageEvent e = acme.get(0);
        assertThat(first.get("id").asString()).isEqualTo(e.id());
        assertThat(first.get("time").asString()).isEqualTo(Instant.ofEpochMilli(e.timeMillis()).toString());
        assertThat(first.get("prompt_tokens").asLong()).isEqualTo(e.promptTokens());
        assertThat(first.get("quota").asLong()).isEqualTo(e.quota());
        assertThat(first.get("credits").asString()).isEqualTo(new java.math.BigDecimal(java.math.BigInteger.valueOf(e.creditNanos()), 9).stripTrailingZeros().toPlainString());
        assertThat(first.get("status").asString()).isEqualTo(e.error() ? "error" : "success");
        assertThat(first.has("account")).isFalse();
        JsonNode page = json.readTree(get("alice", "alice-password", "/api/v1/logs?" + period() + "&limit=1").body());
        Instant logsSince = Instant.parse(page.get("logs_since").asString()); // how far back the logs go (retention)
        assertThat(logsSince).isBetween(Instant.now().minus(java.time.Duration.ofDays(401)), Instant.now().minus(java.time.Duration.ofDays(399)));
        assertThat(first.has("channel")).isFalse();
        JsonNode asAdmin = json.readTree(get("root", "root-password", "/api/v1/logs?account=acme&" + period() + "&limit=1").body())
                .get("items").get(0);
        assertThat(asAdmin.get("account").asString()).isEqualTo("acme");
        assertThat(asAdmin.get("channel").asString()).isEqualTo("ch-1");
    }

    @Test
    void filtersNarrowTheLogsToMatchingCalls() throws Exception {
        JsonNode body = json.readTree(get("alice", "alice-password",
                "/api/v1/logs?" + period() + "&limit=1000&model=gpt-4o&status=error").body());
        List<String> ids = new ArrayList<>();
        body.get("items").forEach(i -> ids.add(i.get("id").asString()));
        assertThat(ids).containsExactlyElementsOf(acme.stream()
                .filter(e -> e.model().equals("gpt-4o") && e.error()).map(UsageEvent::id).toList());
    }

    @Test
    void csvExportHoldsEveryMatchingCallInPageOrder() throws Exception {
        HttpResponse<String> res = get("alice", "alice-password", "/api/v1/logs.csv?" + period());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
        String[] lines = res.body().split("\n");
        assertThat(lines[0]).startsWith("time,id,key,model");
        assertThat(lines).hasSize(acme.size() + 1);
        for (int i = 0; i < acme.size(); i++) {
            assertThat(lines[i + 1]).isEqualTo(LogsController.csvLine(acme.get(i), false).strip());
        }
        assertThat(res.body()).doesNotContain("secret");
    }

    @Test
    void aMemberNeverSeesAnotherAccountsCalls() throws Exception {
        assertThat(get("alice", "alice-password", "/api/v1/logs?account=other").statusCode()).isEqualTo(403);
        HttpResponse<String> csv = get("alice", "alice-password", "/api/v1/logs.csv?account=other");
        assertThat(csv.statusCode()).isEqualTo(403);
        assertThat(csv.body()).doesNotContain("secret");
    }

    @Test
    void badParametersAreClearClientErrors() throws Exception {
        for (String q : List.of("limit=0", "limit=1001", "cursor=%21%21", "status=ok", "from=yesterday",
                "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")) {
            HttpResponse<String> res = get("alice", "alice-password", "/api/v1/logs?" + q);
            assertThat(res.statusCode()).as(q).isEqualTo(400);
            assertThat(json.readTree(res.body()).get("message").asString()).as(q).isNotBlank();
        }
    }
}

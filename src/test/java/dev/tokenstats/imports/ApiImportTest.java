package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.imports.NewApiLogsTable.Log;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Imports through a running server's ingestion API (real HTTP, random port, real DuckDB file): a normal
 * ingest key still may not send events older than 35 days — the importer reports each such row —, a key
 * with backfill may; the result read back through GET /api/v1/stats equals the new-api table's sums.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tokenstats.ingest-key=" + ApiImportTest.KEY, "tokenstats.backfill-key=" + ApiImportTest.BACKFILL_KEY,
        "tokenstats.admin-password=" + ApiImportTest.ADMIN_PASSWORD})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ApiImportTest {

    static final String KEY = "live-gateway-key-5b1d0e7a";
    static final String BACKFILL_KEY = "backfill-key-for-imports-93c2aa41";
    static final String ADMIN_PASSWORD = "admin-password-for-tests";
    static final long DAY = 86_400;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Imports.tempDir("api-import");
        registry.add("tokenstats.data-dir", dataDir::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    UsageStore store;

    @TempDir
    Path dir;

    @Test
    void aNormalKeyStillGets400ForOldEventsAndAKeyWithBackfillDoesNot() throws Exception {
        StatsApi api = new StatsApi(port, "admin", ADMIN_PASSWORD);
        long now = System.currentTimeMillis();
        String old = event("backfill-check", "old-1", now - 40 * DAY * 1000);

        HttpResponse<String> refused = api.ingest(KEY, old);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.get("error").asString()).isEqualTo("invalid_events");
        assertThat(body.get("errors").get(0).get("field").asString()).isEqualTo("time");
        assertThat(body.get("errors").get(0).get("message").asString()).isEqualTo("is older than 35 days");
        assertThat(store.timeRange("backfill-check")).isEmpty();

        HttpResponse<String> accepted = api.ingest(BACKFILL_KEY, old);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        assertThat(JSON.readTree(accepted.body()).get("accepted").asInt()).isEqualTo(1);
        HttpResponse<String> again = api.ingest(BACKFILL_KEY, old);
        assertThat(JSON.readTree(again.body()).get("duplicates").asInt()).isEqualTo(1);

        // backfill lifts the age limit only: the future limit holds, and nothing older than the raw retention
        HttpResponse<String> future = api.ingest(BACKFILL_KEY, event("backfill-check", "future-1", now + 10 * 60_000));
        assertThat(future.statusCode()).isEqualTo(400);
        assertThat(future.body()).contains("is more than 5 minutes ahead of the server clock");
        HttpResponse<String> ancient = api.ingest(BACKFILL_KEY, event("backfill-check", "ancient-1", now - 500 * DAY * 1000));
        assertThat(ancient.statusCode()).isEqualTo(400);
        assertThat(ancient.body()).contains("is older than the raw retention (400 days)");

        // and the live key keeps working for recent events
        assertThat(api.ingest(KEY, event("backfill-check", "recent-1", now - 60_000)).statusCode()).isEqualTo(200);
        assertThat(store.events("backfill-check", 0, Long.MAX_VALUE / 4)).extracting(UsageEvent::id)
                .containsExactly("old-1", "recent-1");
    }

    @Test
    void newApiHistoryThroughTheApiNeedsABackfillKeyAndThenMatchesTheStatsApi() throws Exception {
        long now = Instant.now().getEpochSecond();
        Path checkpoints = dir.resolve("checkpoints");
        try (NewApiLogsTable table = new NewApiLogsTable(Db.SQLITE, dir)) {
            // history: 80 to 40 days ago; recent: the last 30 days (nothing near the 35-day line)
            List<Log> rows = new ArrayList<>(NewApiLogsTable.generate(new Random(21), 1, 700, now - 40 * DAY, 40 * DAY));
            rows.addAll(NewApiLogsTable.generate(new Random(22), 701, 900, now - 120, 30 * DAY));
            table.insert(rows);
            List<Log> consume = rows.stream().filter(l -> l.type() == 2).toList();
            List<Log> valid = consume.stream().filter(l -> l.quota() >= 0).toList();
            List<Log> oldValid = valid.stream().filter(l -> l.createdAt() < now - 35 * DAY).toList();
            String url = "http://127.0.0.1:" + port;

            Run live = Imports.run("newapi", table.source, "--id-prefix", "api-", "--url", url, "--key", KEY,
                    "--checkpoint-dir", checkpoints.toString());
            assertThat(live.status()).as(live.toString()).isEqualTo(2);
            assertThat(live.count("read")).isEqualTo(consume.size());
            assertThat(live.count("imported")).isEqualTo(valid.size() - oldValid.size());
            assertThat(live.count("rejected")).isEqualTo(consume.size() - (valid.size() - oldValid.size()));
            assertThat(live.err()).contains("rejected log id " + oldValid.get(0).id() + ": time: is older than 35 days");
            assertThat(live.out()).contains("needs an ingest key with backfill").contains("--restart");

            Run backfill = Imports.run("newapi", table.source, "--id-prefix", "api-", "--url", url, "--key", BACKFILL_KEY,
                    "--checkpoint-dir", checkpoints.toString(), "--restart");
            assertThat(backfill.count("imported")).as(backfill.toString()).isEqualTo(oldValid.size());
            assertThat(backfill.count("duplicates")).isEqualTo(valid.size() - oldValid.size());
            assertThat(backfill.count("rejected")).isEqualTo(consume.size() - valid.size()); // negative quota only

            StatsApi api = new StatsApi(port, "admin", ADMIN_PASSWORD);
            for (var byAccount : valid.stream().collect(Collectors.groupingBy(NewApiLogsTable::account)).entrySet()) {
                List<Log> logs = byAccount.getValue();
                JsonNode o = api.overview(byAccount.getKey(), Instant.ofEpochSecond(now - 100 * DAY), Instant.ofEpochSecond(now + 3600));
                assertThat(o.get("requests").asLong()).as(byAccount.getKey()).isEqualTo(logs.size());
                assertThat(o.get("errors").asLong()).isZero();
                assertThat(o.get("quota").asLong()).isEqualTo(logs.stream().mapToLong(Log::quota).sum());
                assertThat(o.get("prompt_tokens").asLong()).isEqualTo(logs.stream().mapToLong(Log::promptTokens).sum());
                assertThat(o.get("completion_tokens").asLong()).isEqualTo(logs.stream().mapToLong(Log::completionTokens).sum());
                assertThat(new BigDecimal(o.get("credits").asString())).isEqualByComparingTo(
                        BigDecimal.valueOf(logs.stream().mapToLong(Log::quota).sum()).divide(BigDecimal.valueOf(500_000)));
                List<UsageEvent> expected = logs.stream().map(l -> {
                    UsageEvent e = NewApiImportTest.expected(l);
                    return new UsageEvent(e.account(), "api-" + l.id(), e.timeMillis(), e.model(), e.key(), e.promptTokens(),
                            e.completionTokens(), e.cachedTokens(), e.quota(), e.creditNanos(), e.durationMs(), e.error(),
                            e.stream(), e.group(), e.channel());
                }).toList();
                assertThat(store.events(byAccount.getKey(), 0, Long.MAX_VALUE / 4).stream()
                        .filter(e -> e.id().startsWith("api-")).toList()).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void anUnknownKeyOrServerFailsWithAMessage() throws Exception {
        Path file = dir.resolve("events.ndjson");
        Files.writeString(file, event("k", "x-1", System.currentTimeMillis()) + "\n");
        Run wrongKey = Imports.run("ndjson", file.toString(), "--url", "http://127.0.0.1:" + port, "--key", "no-such-key",
                "--checkpoint-dir", dir.resolve("c").toString());
        assertThat(wrongKey.status()).as(wrongKey.toString()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("the server refused the ingest key (401)");

        Run noKey = Imports.run("ndjson", file.toString(), "--url", "http://127.0.0.1:" + port);
        assertThat(noKey.status()).isEqualTo(64);
        assertThat(noKey.err()).contains("--url needs --key");

        Run both = Imports.run("ndjson", file.toString(), "--url", "http://127.0.0.1:" + port, "--key", KEY,
                "--tokenstats.data-dir=" + dir.resolve("d"));
        assertThat(both.status()).isEqualTo(64);
        assertThat(both.err()).contains("configure the store of an in-process import");

        Run typo = Imports.run("ndjson", file.toString(), "--url", "http://127.0.0.1:" + port, "--key", KEY, "--folow");
        assertThat(typo.status()).isEqualTo(64);
        assertThat(typo.err()).contains("unknown option --folow");
    }

    static String event(String account, String id, long timeMs) {
        return "{\"id\":\"" + id + "\",\"account\":\"" + account + "\",\"time\":" + timeMs
                + ",\"model\":\"gpt-4o\",\"prompt_tokens\":10,\"completion_tokens\":5,\"quota\":100}";
    }
}

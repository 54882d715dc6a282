package dev.tokenstats;

import dev.tokenstats.store.PostgresFixture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tokenstats instances on one PostgreSQL database, as behind a load balancer: gateways send the same
 * events to both at once (retries landing on the other instance); each event is stored once, and the
 * stats read from either instance equal the figures computed from the events sent.
 */
class SharedPostgresTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    final HttpClient http = HttpClient.newHttpClient();

    ConfigurableApplicationContext start(String schema, String... more) throws Exception {
        String dir = Files.createTempDirectory("shared-pg").toString();
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--tokenstats.data-dir=" + dir,
                "--tokenstats.ingest-key=shared-key", "--tokenstats.admin-password=shared-admin-pw"));
        args.addAll(PostgresFixture.serverArguments(schema));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(TokenstatsApplication.class).run(args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext app) {
        return ((WebServerApplicationContext) app).getWebServer().getPort();
    }

    /** One event per id, always the same content for the same id, as a gateway's retry would send it. */
    static String event(int id, Instant base) {
        Random r = new Random(id);
        return "{\"id\":\"call-" + id + "\",\"account\":\"acct-" + (id % 3) + "\",\"time\":\""
                + base.plusMillis(r.nextInt(3_000_000)) + "\",\"model\":\"model-" + r.nextInt(4) + "\",\"key\":\"k"
                + r.nextInt(2) + "\",\"prompt_tokens\":" + r.nextInt(5000) + ",\"completion_tokens\":" + r.nextInt(900)
                + ",\"quota\":" + r.nextInt(90_000) + ",\"credits\":\"0." + String.format("%09d", r.nextInt(1_000_000_000))
                + "\",\"status\":\"" + (r.nextInt(9) == 0 ? "error" : "success") + "\"}";
    }

    @Test
    void twoInstancesIngestingTheSameEventsConcurrentlyStoreEachOnceAndAgreeOnTheStats() throws Exception {
        String schema = PostgresFixture.freshSchema("shared");
        Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        try (ConfigurableApplicationContext a = start(schema); ConfigurableApplicationContext b = start(schema)) {
            int[] ports = {port(a), port(b)};
            Map<Integer, String> sent = new ConcurrentHashMap<>();
            ExecutorService gateways = Executors.newFixedThreadPool(4);
            List<Future<int[]>> results = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                int gateway = g;
                results.add(gateways.submit(() -> {
                    Random r = new Random(gateway);
                    int accepted = 0, duplicates = 0;
                    for (int batch = 0; batch < 30; batch++) {
                        StringBuilder body = new StringBuilder();
                        for (int i = 0; i < 200; i++) {
                            int id = r.nextInt(6_000); // gateways overlap: the same call reaches both instances
                            sent.put(id, event(id, base));
                            body.append(sent.get(id)).append('\n');
                        }
                        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + ports[(gateway + batch) % 2] + "/api/v1/events"))
                                .header("Authorization", "Bearer shared-key").header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                        JsonNode n = JSON.readTree(res.body());
                        accepted += n.get("accepted").asInt();
                        duplicates += n.get("duplicates").asInt();
                    }
                    return new int[] {accepted, duplicates};
                }));
            }
            int accepted = 0, duplicates = 0;
            for (Future<int[]> f : results) {
                accepted += f.get()[0];
                duplicates += f.get()[1];
            }
            gateways.shutdown();
            assertThat(accepted).isEqualTo(sent.size());
            assertThat(accepted + duplicates).isEqualTo(4 * 30 * 200);

            for (int account = 0; account < 3; account++) {
                long requests = 0, quota = 0, tokens = 0;
                BigDecimal credits = BigDecimal.ZERO;
                for (Map.Entry<Integer, String> e : sent.entrySet()) {
                    if (e.getKey() % 3 == account) {
                        JsonNode ev = JSON.readTree(e.getValue());
                        requests++;
                        quota += ev.get("quota").asLong();
                        tokens += ev.get("prompt_tokens").asLong() + ev.get("completion_tokens").asLong();
                        credits = credits.add(new BigDecimal(ev.get("credits").asString()));
                    }
                }
                for (int port : ports) {
                    JsonNode overview = stats(port, "acct-" + account, base).get("overview");
                    assertThat(overview.get("requests").asLong()).isEqualTo(requests);
                    assertThat(overview.get("quota").asLong()).isEqualTo(quota);
                    assertThat(overview.get("tokens").asLong()).isEqualTo(tokens);
                    assertThat(new BigDecimal(overview.get("credits").asString())).isEqualByComparingTo(credits);
                }
            }
        } finally {
            PostgresFixture.drop(schema);
        }
    }

    /** The housekeeping that keeps whole hours index-only reads runs by itself, on every instance. */
    @Test
    void eachInstanceVacuumsTheHourlyRollupSoonAfterStartAndThenOnItsInterval() throws Exception {
        String schema = PostgresFixture.freshSchema("vacuum");
        try (ConfigurableApplicationContext a = start(schema, "--tokenstats.maintenance-interval=300ms");
             var c = java.sql.DriverManager.getConnection(PostgresFixture.URL, PostgresFixture.USER, "");
             var s = c.prepareStatement("SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'rollup_1h'")) {
            s.setString(1, schema);
            long count = 0;
            for (long deadline = System.nanoTime() + 20_000_000_000L; count < 3 && System.nanoTime() < deadline; ) {
                Thread.sleep(100);
                try (var rs = s.executeQuery()) {
                    count = rs.next() ? rs.getLong(1) : 0;
                }
            }
            assertThat(count).as("VACUUMs of %s.rollup_1h", schema).isGreaterThanOrEqualTo(3);
        } finally {
            PostgresFixture.drop(schema);
        }
    }

    JsonNode stats(int port, String account, Instant base) throws Exception {
        String basic = Base64.getEncoder().encodeToString("admin:shared-admin-pw".getBytes(StandardCharsets.UTF_8));
        String query = "account=" + account + "&granularity=hour&tz=Asia/Kathmandu&from="
                + URLEncoder.encode(base.minus(1, ChronoUnit.HOURS).toString(), StandardCharsets.UTF_8)
                + "&to=" + URLEncoder.encode(base.plus(3, ChronoUnit.HOURS).toString(), StandardCharsets.UTF_8);
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stats?" + query))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JSON.readTree(res.body());
    }
}

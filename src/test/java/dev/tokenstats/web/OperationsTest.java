package dev.tokenstats.web;

import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tokenstats.ingest-key=ops-key", "tokenstats.limits.ingest-concurrency=1"})
class OperationsTest {

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) throws Exception {
        String dir = Files.createTempDirectory("ops").toString();
        registry.add("tokenstats.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;
    @Autowired
    Users users;

    final HttpClient http = HttpClient.newHttpClient();

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String event(String id) {
        return "{\"id\":\"" + id + "\",\"account\":\"ops\",\"time\":\"" + Instant.now() + "\",\"model\":\"m\","
                + "\"prompt_tokens\":1,\"completion_tokens\":2,\"quota\":3}";
    }

    @Test
    void livenessAndReadinessAreUpWhileTheStoreCanWrite() throws Exception {
        for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri(probe)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(probe).isEqualTo(200);
            assertThat(res.body()).as(probe).contains("\"UP\"");
        }
    }

    @Test
    void ingestBeyondTheConcurrencyBoundIsAnswered429WithRetryAfterAtOnce() throws Exception {
        // A gateway that sends its body slowly holds the only ingest permit (the server waits for the body).
        try (Socket slow = new Socket("127.0.0.1", port)) {
            OutputStream out = slow.getOutputStream();
            byte[] line = (event("slow-1") + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ops-key\r\n"
                    + "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(line.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(line);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            long deadline = System.currentTimeMillis() + 10_000;
            while (!metrics().contains("tokenstats_ingest_inflight_requests 1.0")) { // the slow request holds its permit
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(20);
            }
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri("/api/v1/events")).header("Authorization", "Bearer ops-key")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + event("fast-1") + "]")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.body()).contains("overloaded");

            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"accepted\":1");
        }
    }

    String metrics() throws Exception {
        String basic = Base64.getEncoder().encodeToString("ops-admin:ops-admin-password".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/actuator/prometheus"))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    @org.junit.jupiter.api.BeforeEach
    void admin() {
        if (users.loadUserByUsername("admin") != null && !exists("ops-admin")) {
            users.create("ops-admin", "ops-admin-password", Viewer.Role.admin, null);
        }
    }

    boolean exists(String username) {
        try {
            users.loadUserByUsername(username);
            return true;
        } catch (org.springframework.security.core.userdetails.UsernameNotFoundException e) {
            return false;
        }
    }

    @Test
    void prometheusMetricsCountIngestedEventsForAdminsOnly() throws Exception {
        HttpResponse<String> ingest = http.send(HttpRequest.newBuilder(uri("/api/v1/events")).header("Authorization", "Bearer ops-key")
                .POST(HttpRequest.BodyPublishers.ofString("[" + event("m-1") + "," + event("m-1") + "]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ingest.statusCode()).isEqualTo(200);
        assertThat(metrics()).containsPattern("tokenstats_ingest_events_total\\{result=\"accepted\"} [1-9]")
                .containsPattern("tokenstats_ingest_events_total\\{result=\"duplicate\"} [1-9]")
                .contains("tokenstats_ingest_latency_seconds").contains("tokenstats_ingest_lag_seconds")
                .contains("tokenstats_store_size_bytes");
        HttpResponse<String> asIngestKey = http.send(HttpRequest.newBuilder(uri("/actuator/prometheus"))
                .header("Authorization", "Bearer ops-key").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(asIngestKey.statusCode()).isEqualTo(403);
    }
}

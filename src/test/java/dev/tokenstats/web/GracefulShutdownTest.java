package dev.tokenstats.web;

import dev.tokenstats.TokenstatsApplication;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A shutdown (SIGTERM) lets the requests in flight finish and store their batches, then stops. */
class GracefulShutdownTest {

    static ConfigurableApplicationContext start(String dir) {
        return new SpringApplicationBuilder(TokenstatsApplication.class).run("--server.port=0",
                "--tokenstats.data-dir=" + dir, "--tokenstats.ingest-key=shutdown-key");
    }

    @Test
    void aBatchInFlightAtShutdownIsStoredAndAcknowledged() throws Exception {
        String dir = Files.createTempDirectory("graceful").toString();
        ConfigurableApplicationContext app = start(dir);
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        String line = "{\"id\":\"in-flight\",\"account\":\"bye\",\"time\":\"" + Instant.now() + "\",\"model\":\"m\","
                + "\"prompt_tokens\":5,\"completion_tokens\":6,\"quota\":7}\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try (Socket slow = new Socket("127.0.0.1", port)) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer shutdown-key\r\n"
                    + "Content-Type: application/x-ndjson\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, 0, 10); // the request is in the server, its body not complete yet
            out.flush();
            Thread.sleep(500);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(app::close); // what SIGTERM does
            Thread.sleep(1_000);
            assertThat(closing).as("shutdown waits for the request in flight").isNotDone();

            out.write(bytes, 10, bytes.length - 10);
            out.flush();
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"accepted\":1");
            closing.get();
        }
        try (ConfigurableApplicationContext again = start(dir)) {
            assertThat(again.getBean(UsageStore.class).events("bye", 0, Long.MAX_VALUE))
                    .extracting(e -> e.id()).containsExactly("in-flight");
        }
    }
}

package dev.tokenstats.ingest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to {@code POST /api/v1/events} over real HTTP, as a gateway does. */
final class GatewayClient {

    static final String JSON_TYPE = "application/json";
    static final String NDJSON_TYPE = "application/x-ndjson";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The status and body of one answer; {@code json} is {@code null} when the body is not JSON. */
    record Answer(int status, String body, JsonNode json) {
        int accepted() {
            return json.get("accepted").asInt();
        }

        int duplicates() {
            return json.get("duplicates").asInt();
        }

        String error() {
            return json == null || json.get("error") == null ? null : json.get("error").asString();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient http;
    private final URI events;
    private final String key;

    GatewayClient(int port, String key) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.events = URI.create("http://127.0.0.1:" + port + "/api/v1/events");
        this.key = key;
    }

    Answer postJson(String body) {
        return post(JSON_TYPE, BodyPublishers.ofString(body), "Bearer " + key);
    }

    Answer postNdjson(String body) {
        return post(NDJSON_TYPE, BodyPublishers.ofString(body), "Bearer " + key);
    }

    /** Posts with any content type, body and Authorization header ({@code null} sends none). */
    Answer post(String contentType, BodyPublisher body, String authorization) {
        try {
            return send(contentType, body, authorization);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #post} but lets an I/O failure (server gone, connection refused) through. */
    Answer send(String contentType, BodyPublisher body, String authorization) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (RuntimeException notJson) {
            json = null;
        }
        return new Answer(response.statusCode(), response.body(), json);
    }
}

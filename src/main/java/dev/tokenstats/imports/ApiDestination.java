package dev.tokenstats.imports;

import dev.tokenstats.imports.Report.Rejection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes through a running server's {@code POST /api/v1/events}, as a gateway does. Each request is
 * stored whole or not at all; when the server refuses some events (400 with their indexes) those rows are
 * reported and the rest is sent again. Overload (503) and lost connections are retried with backoff.
 */
final class ApiDestination implements Destination {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_ATTEMPTS = 8;

    private final URI events;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    ApiDestination(String url, String key) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            throw new Options.UsageException("--url must start with http:// or https:// (got '" + url + "')");
        }
        this.events = URI.create(base + "/api/v1/events");
        this.key = key;
    }

    @Override
    public String identity() {
        return events.toString();
    }

    @Override
    public Outcome write(Validation.Checked checked) throws IOException, InterruptedException {
        List<Row> rows = checked.rows();
        long accepted = 0, duplicates = 0;
        List<Rejection> rejected = new ArrayList<>();
        while (!rows.isEmpty()) {
            HttpResponse<String> response = post(Validation.ndjson(rows));
            int status = response.statusCode();
            JsonNode body = json(response.body());
            if (status == 200 && body != null && body.has("accepted")) {
                accepted += body.get("accepted").asLong();
                duplicates += body.get("duplicates").asLong();
                break;
            }
            if (status == 400 && body != null && "invalid_events".equals(text(body, "error"))) {
                // nothing of the request was stored: report the refused rows, send the others again
                Set<Integer> refused = new HashSet<>();
                java.util.Map<Integer, List<String>> reasons = new java.util.TreeMap<>();
                for (JsonNode e : body.get("errors")) {
                    int index = e.get("index").asInt();
                    refused.add(index);
                    String field = text(e, "field");
                    reasons.computeIfAbsent(index, i -> new ArrayList<>())
                            .add((field == null || field.isEmpty() ? "" : field + ": ") + text(e, "message"));
                }
                if (refused.isEmpty()) {
                    throw new IOException("the server refused the events without naming them: " + response.body());
                }
                List<Row> again = new ArrayList<>(rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    if (refused.contains(i)) {
                        rejected.add(new Rejection(rows.get(i).number(), Report.reason(reasons.get(i))));
                    } else {
                        again.add(rows.get(i));
                    }
                }
                rows = again;
                continue;
            }
            if (status == 413 && rows.size() > 1) {
                Validation.Checked first = new Validation.Checked(rows.subList(0, rows.size() / 2), List.of(), List.of());
                Validation.Checked second = new Validation.Checked(rows.subList(rows.size() / 2, rows.size()), List.of(), List.of());
                Outcome a = write(first), b = write(second);
                accepted += a.accepted() + b.accepted();
                duplicates += a.duplicates() + b.duplicates();
                rejected.addAll(a.rejected());
                rejected.addAll(b.rejected());
                break;
            }
            if (status == 401 || status == 403) {
                throw new ImportFailure("the server refused the ingest key (" + status + "): " + message(response));
            }
            throw new ImportFailure("the server answered " + status + ": " + message(response));
        }
        rejected.sort(java.util.Comparator.comparingLong(Rejection::number));
        return new Outcome(accepted, duplicates, rejected);
    }

    /** One POST, retried with backoff while the server is unavailable (503, 5xx, connection lost). */
    private HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
        long backoffMs = 500;
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            String failure;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    return response;
                }
                failure = response.statusCode() + " " + message(response);
            } catch (IOException e) {
                failure = e.toString();
            }
            if (attempt >= MAX_ATTEMPTS) {
                throw new ImportFailure("the server at " + events + " is unavailable (" + failure + ") after "
                        + attempt + " attempts; run the import again to resume");
            }
            Thread.sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 15_000);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static String message(HttpResponse<String> response) {
        JsonNode body = json(response.body());
        String m = body == null ? null : text(body, "message");
        return m != null ? m : response.body().length() > 200 ? response.body().substring(0, 200) : response.body();
    }

    @Override
    public void close() {
        // HttpClient of Java 17 has no close
    }
}

package dev.tokenstats.accounts;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Real HTTP against the running app (java.net.http). Remembers every response, so tests can check that a
 * secret never comes back after the response that created it.
 */
final class Client {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** How a request authenticates. */
    sealed interface Auth permits None, Basic, Bearer, Cookie {
    }

    record None() implements Auth {
    }

    record Basic(String username, String password) implements Auth {
    }

    record Bearer(String secret) implements Auth {
    }

    /** A browser session's cookies; {@code csrf} says whether the request sends X-XSRF-TOKEN. */
    record Cookie(Session session, boolean csrf) implements Auth {
    }

    static final Auth NONE = new None();

    /** The cookies a browser would hold (JSESSIONID, XSRF-TOKEN), updated from every Set-Cookie. */
    static final class Session {
        final Map<String, String> cookies = new LinkedHashMap<>();
        final List<String> setCookies = new ArrayList<>();

        String xsrf() {
            return cookies.get("XSRF-TOKEN");
        }

        void update(HttpResponse<?> r) {
            for (String c : r.headers().allValues("Set-Cookie")) {
                setCookies.add(c);
                String pair = c.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('=')).strip();
                String value = pair.substring(pair.indexOf('=') + 1).strip();
                String lower = c.toLowerCase();
                if (value.isEmpty() || lower.contains("max-age=0") || lower.contains("expires=thu, 01 jan 1970")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
        }

        String header() {
            StringBuilder sb = new StringBuilder();
            cookies.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "; ").append(k).append('=').append(v));
            return sb.toString();
        }
    }

    record Response(int index, String request, int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return request + " -> " + status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final List<Response> responses = Collections.synchronizedList(new ArrayList<>());

    Client(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Response get(String path, Auth auth) {
        return send("GET", path, auth, null, null, Map.of());
    }

    Response delete(String path, Auth auth) {
        return send("DELETE", path, auth, null, null, Map.of());
    }

    Response postJson(String path, Auth auth, String json) {
        return send("POST", path, auth, "application/json", json, Map.of());
    }

    Response postForm(String path, Auth auth, Map<String, String> form) {
        StringBuilder sb = new StringBuilder();
        form.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return send("POST", path, auth, "application/x-www-form-urlencoded", sb.toString(), Map.of());
    }

    Response send(String method, String path, Auth auth, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        Session session = null;
        if (auth instanceof Basic basic) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8)));
        } else if (auth instanceof Bearer bearer) {
            b.header("Authorization", "Bearer " + bearer.secret());
        } else if (auth instanceof Cookie cookie) {
            session = cookie.session();
            if (!session.cookies.isEmpty()) {
                b.header("Cookie", session.header());
            }
            if (cookie.csrf() && session.xsrf() != null) {
                b.header("X-XSRF-TOKEN", session.xsrf());
            }
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (session != null) {
                session.update(r);
            }
            synchronized (responses) {
                Response out = new Response(responses.size(), method + " " + path + " [" + describe(auth) + "]",
                        r.statusCode(), r.headers(), Objects.requireNonNullElse(r.body(), ""));
                responses.add(out);
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens the sign-in page (which hands out the XSRF-TOKEN cookie) and signs in; the session holds the cookies. */
    Session signIn(String username, String password) {
        Session s = new Session();
        Response page = get("/login", new Cookie(s, false));
        if (page.status() != 200 || s.xsrf() == null) {
            throw new AssertionError("sign-in page: " + page + " cookies " + s.cookies);
        }
        Response r = postForm("/login", new Cookie(s, true), Map.of("username", username, "password", password));
        if (r.status() != 200 || !s.cookies.containsKey("JSESSIONID")) {
            throw new AssertionError("sign-in as " + username + ": " + r);
        }
        return s;
    }

    private static String describe(Auth auth) {
        if (auth instanceof Basic b) {
            return "basic " + b.username();
        } else if (auth instanceof Bearer) {
            return "bearer";
        } else if (auth instanceof Cookie c) {
            return c.csrf() ? "session+csrf" : "session";
        }
        return "no credentials";
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A fresh data folder under target/ (DuckDB locks its file to one process, so each app gets its own). */
    static Path newDataDir() {
        try {
            Path root = Path.of("target", "test-data");
            Files.createDirectories(root);
            return Files.createTempDirectory(root, "accounts-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String randomSecret(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }
}

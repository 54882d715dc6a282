package dev.tokenstats.ingest;

import dev.tokenstats.accounts.IngestKeys;
import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.UsageStore;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /api/v1/events}: a gateway reports usage events; all of a request is stored, or none. */
@RestController
class IngestController {

    private final UsageStore store;
    private final EventReader reader;
    private final IngestProperties limits;

    private final IngestMetrics metrics;

    IngestController(UsageStore store, Clock clock, IngestProperties limits, IngestMetrics metrics,
                     @Value("${tokenstats.quota-per-credit}") long quotaPerCredit,
                     @Value("${tokenstats.retention.raw}") java.time.Duration rawRetention) {
        this.store = store;
        this.metrics = metrics;
        this.limits = limits;
        this.reader = new EventReader(clock, limits, quotaPerCredit, rawRetention);
    }

    @PostMapping(path = "/api/v1/events", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> ingest(HttpServletRequest request) throws IOException {
        long maxBytes = limits.maxBytes().toBytes();
        if (request.getContentLengthLong() > maxBytes) {
            return tooLarge("the body is larger than " + limits.maxBytes().toMegabytes() + " MiB");
        }
        byte[] body = readAtMost(request.getInputStream(), maxBytes);
        if (body == null) {
            return tooLarge("the body is larger than " + limits.maxBytes().toMegabytes() + " MiB");
        }
        String contentType = request.getContentType() == null ? "" : request.getContentType().toLowerCase();
        boolean ndjson = contentType.startsWith("application/x-ndjson") || contentType.startsWith("application/jsonl");
        EventReader.Result result;
        try {
            result = reader.read(body, ndjson, mayBackfill());
        } catch (EventReader.NotJsonException e) {
            return error(HttpStatus.BAD_REQUEST, "invalid_json", e.getMessage());
        } catch (EventReader.TooManyEventsException e) {
            return tooLarge(e.getMessage());
        }
        if (!result.problems().isEmpty()) {
            metrics.rejected(result.events().size() + (int) result.problems().stream().map(EventReader.Problem::index).distinct().count());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("error", "invalid_events");
            answer.put("message", result.problems().size() + " problem(s); nothing of this request was stored");
            answer.put("errors", result.problems());
            return ResponseEntity.badRequest().body(answer);
        }
        long t0 = System.nanoTime();
        AppendResult stored = store.append(result.events());
        metrics.stored(result.events(), stored.accepted(), stored.duplicates(), System.nanoTime() - t0);
        return ResponseEntity.ok(Map.of("accepted", stored.accepted(), "duplicates", stored.duplicates()));
    }

    /** Keys with the backfill permission ({@link IngestKeys#BACKFILL}) may send events older than the lateness limit. */
    private static boolean mayBackfill() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getAuthorities().stream().anyMatch(a -> IngestKeys.BACKFILL.equals(a.getAuthority()));
    }

    /** The body, or {@code null} when it holds more than {@code max} bytes. */
    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static ResponseEntity<Map<String, Object>> tooLarge(String message) {
        return error(HttpStatus.CONTENT_TOO_LARGE, "too_large", message);
    }

    static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message) {
        return ResponseEntity.status(status).body(Map.of("error", code, "message", message));
    }

}

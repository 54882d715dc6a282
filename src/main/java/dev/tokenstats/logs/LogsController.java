package dev.tokenstats.logs;

import dev.tokenstats.accounts.Viewer;
import dev.tokenstats.store.Credits;
import dev.tokenstats.store.EventQuery;
import dev.tokenstats.store.Retention;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Usage Logs: every call of an account, newest first, a page at a time or all of it as CSV. */
@RestController
class LogsController {

    static final int MAX_LIMIT = 1000;
    private final UsageStore store;
    private final Clock clock;

    private final Retention retention;

    LogsController(UsageStore store, Clock clock, Retention retention) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
    }

    /** The parsed request: whose logs, which period, which filter. */
    private record Request(Viewer viewer, EventQuery query) {
    }

    @GetMapping("/api/v1/logs")
    Map<String, Object> logs(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
                             @RequestParam(required = false) List<String> model, @RequestParam(required = false) List<String> key,
                             @RequestParam(required = false) List<String> status, @RequestParam(required = false) String account,
                             @RequestParam(defaultValue = "100") int limit, @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT);
        }
        Request r = request(from, to, model, key, status, account, limit, cursor);
        List<UsageEvent> page = store.page(r.query);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.stream().map(e -> LogItem.of(e, r.viewer.admin())).toList());
        UsageEvent last = page.isEmpty() ? null : page.get(page.size() - 1);
        out.put("next_cursor", page.size() < limit ? null : encodeCursor(last));
        out.put("logs_since", retention.logsSince().toString()); // older calls are no longer kept (rollups are)
        return out;
    }

    @GetMapping(path = "/api/v1/logs.csv", produces = "text/csv")
    ResponseEntity<StreamingResponseBody> csv(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
                                              @RequestParam(required = false) List<String> model, @RequestParam(required = false) List<String> key,
                                              @RequestParam(required = false) List<String> status, @RequestParam(required = false) String account) {
        Request r = request(from, to, model, key, status, account, MAX_LIMIT, null);
        boolean admin = r.viewer.admin();
        StreamingResponseBody body = out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            w.write(admin ? "time,account,id,key,model,prompt_tokens,completion_tokens,cached_tokens,quota,credits,duration_ms,status,stream,group,channel\n"
                    : "time,id,key,model,prompt_tokens,completion_tokens,cached_tokens,quota,credits,duration_ms,status,stream,group\n");
            try {
                store.scan(r.query, e -> {
                    try {
                        w.write(csvLine(e, admin));
                    } catch (java.io.IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            w.flush();
        };
        String name = "usage-logs-" + r.query.filter().account() + ".csv";
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"").body(body);
    }

    private Request request(String from, String to, List<String> model, List<String> key, List<String> status,
                            String account, int limit, String cursor) {
        Viewer viewer = Viewer.current();
        String acct = viewer.accountToRead(account);
        Instant toI = to == null ? clock.instant() : instant("to", to);
        Instant fromI = from == null ? toI.minus(Duration.ofDays(7)) : instant("from", from);
        if (!toI.isAfter(fromI)) {
            throw new IllegalArgumentException("to must be after from");
        }
        SeriesFilter filter = new SeriesFilter(acct, set(model), set(key), errors(status));
        Long beforeMillis = null;
        String beforeId = null;
        if (cursor != null && !cursor.isBlank()) {
            String[] c = decodeCursor(cursor);
            beforeMillis = Long.parseLong(c[0]);
            beforeId = c[1];
        }
        return new Request(viewer, new EventQuery(filter, fromI.toEpochMilli(), toI.toEpochMilli(), beforeMillis, beforeId, limit));
    }

    private static Set<String> set(List<String> values) {
        return values == null ? Set.of() : Set.copyOf(values);
    }

    static Boolean errors(List<String> status) {
        if (status == null || status.isEmpty()) {
            return null;
        }
        boolean success = false, error = false;
        for (String s : status) {
            switch (s) {
                case "success" -> success = true;
                case "error" -> error = true;
                default -> throw new IllegalArgumentException("status must be success or error");
            }
        }
        return success == error ? null : error;
    }

    static Instant instant(String name, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an RFC 3339 time with offset, such as 2026-11-28T09:30:00Z");
        }
    }

    static String encodeCursor(UsageEvent last) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((last.timeMillis() + "/" + last.id()).getBytes(StandardCharsets.UTF_8));
    }

    static String[] decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int slash = s.indexOf('/');
            Long.parseLong(s.substring(0, slash));
            return new String[] {s.substring(0, slash), s.substring(slash + 1)};
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cursor is not one this API returned; start without a cursor");
        }
    }

    static String csvLine(UsageEvent e, boolean admin) {
        StringBuilder b = new StringBuilder(160);
        b.append(Instant.ofEpochMilli(e.timeMillis())).append(',');
        if (admin) {
            b.append(csv(e.account())).append(',');
        }
        b.append(csv(e.id())).append(',').append(csv(e.key())).append(',').append(csv(e.model())).append(',')
                .append(e.promptTokens()).append(',').append(e.completionTokens()).append(',').append(e.cachedTokens())
                .append(',').append(e.quota()).append(',').append(Credits.format(e.creditNanos())).append(',')
                .append(e.durationMs() < 0 ? "" : Long.toString(e.durationMs())).append(',')
                .append(e.error() ? "error" : "success").append(',').append(e.stream() == null ? "" : e.stream())
                .append(',').append(csv(e.group()));
        if (admin) {
            b.append(',').append(csv(e.channel()));
        }
        return b.append('\n').toString();
    }

    /** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets don't run it as a formula. */
    static String csv(String s) {
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}

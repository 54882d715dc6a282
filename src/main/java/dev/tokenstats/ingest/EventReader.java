package dev.tokenstats.ingest;

import dev.tokenstats.store.UsageEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.json.JsonFactory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a request body (a JSON array of events, or NDJSON) into usage events, checking every field
 * and naming every problem. Streaming, so a 16 MiB body is read once without a tree in between.
 * Public so that importers validate exactly as the ingestion API does.
 */
public final class EventReader {

    /*
     * Per-event maxima. They are far above any real API call, and they keep every sum exact: a group
     * commit holds at most 60,000 events, so its sums stay below 2^63; a rollup row (one series, one
     * minute) holds 64-bit sums of quota and tokens, exact up to 9.2 million maximal events in that
     * minute; credits are summed as 128-bit integers.
     */
    static final long MAX_TOKENS = 1_000_000_000L;
    static final long MAX_QUOTA = 1_000_000_000_000L;
    static final long MAX_DURATION_MS = 1_000_000_000L;
    static final BigDecimal MAX_CREDITS = BigDecimal.valueOf(100_000L);
    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final JsonFactory JSON = new JsonFactory();

    public record Problem(int index, String field, String message) {
    }

    public record Result(List<UsageEvent> events, List<Problem> problems) {
    }

    /** The body is not JSON (or not an array / a sequence of objects). */
    public static final class NotJsonException extends RuntimeException {
        NotJsonException(String message) {
            super(message);
        }
    }

    /** The body holds more events than one request may carry. */
    public static final class TooManyEventsException extends RuntimeException {
        TooManyEventsException(String message) {
            super(message);
        }
    }

    private final Clock clock;
    private final IngestProperties limits;
    private final BigDecimal quotaPerCredit;
    private final Duration backfillMaxAge;

    /**
     * @param backfillMaxAge how old backfilled events may be: the raw retention, since older raw events are
     *                       dropped and so could not be recognised as duplicates when imported again
     */
    EventReader(Clock clock, IngestProperties limits, long quotaPerCredit, Duration backfillMaxAge) {
        this.clock = clock;
        this.limits = limits;
        this.quotaPerCredit = BigDecimal.valueOf(quotaPerCredit);
        this.backfillMaxAge = backfillMaxAge;
    }

    /** A reader with the ingestion limits given (importers read with the server's settings). */
    public EventReader(Clock clock, Duration maxAge, Duration maxFuture, int maxEvents, long quotaPerCredit,
                       Duration backfillMaxAge) {
        this(clock, new IngestProperties(maxAge, maxFuture, maxEvents, DataSize.ofBytes(Long.MAX_VALUE)), quotaPerCredit,
                backfillMaxAge);
    }

    Result read(byte[] body, boolean ndjson) {
        return read(body, ndjson, false);
    }

    /**
     * Reads and checks the events of {@code body}. With {@code backfill} (imports of history, and ingest keys
     * allowed to backfill) events may be older than the lateness limit, up to the raw retention; the limit on
     * future times still holds.
     */
    public Result read(byte[] body, boolean ndjson, boolean backfill) {
        long now = clock.millis();
        long oldest = now - (backfill ? backfillMaxAge : limits.maxAge()).toMillis();
        long newest = now + limits.maxFuture().toMillis();
        List<UsageEvent> events = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            JsonToken t = p.nextToken();
            if (!ndjson) {
                if (t != JsonToken.START_ARRAY) {
                    throw new NotJsonException("the body must be a JSON array of events"
                            + " (or NDJSON with Content-Type: application/x-ndjson)");
                }
                t = p.nextToken();
            }
            int index = 0;
            while (t != null && t != JsonToken.END_ARRAY) {
                if (index >= limits.maxEvents()) {
                    throw new TooManyEventsException("at most " + limits.maxEvents() + " events per request");
                }
                if (t != JsonToken.START_OBJECT) {
                    problems.add(new Problem(index, "", "each event must be a JSON object"));
                    p.skipChildren();
                } else {
                    Draft d = new Draft(index, problems);
                    d.readObject(p);
                    UsageEvent e = d.toEvent(oldest, newest, backfill);
                    if (e != null) {
                        events.add(e);
                    }
                }
                index++;
                t = p.nextToken();
            }
            if (!ndjson && (t == null || p.nextToken() != null)) {
                throw new NotJsonException("the body must be exactly one JSON array of events");
            }
        } catch (JacksonException e) {
            throw new NotJsonException("the body is not valid JSON: " + e.getOriginalMessage());
        }
        return new Result(events, problems);
    }

    /** One event's fields as sent, checked when the object is complete. */
    private final class Draft {
        final int index;
        final List<Problem> problems;
        String id, account, model, key = "", status, group = "", channel = "";
        Long timeMillis, prompt, completion, cached, quota, duration;
        BigDecimal credits;
        Boolean stream;
        final java.util.Set<String> reported = new java.util.HashSet<>(4);

        Draft(int index, List<Problem> problems) {
            this.index = index;
            this.problems = problems;
        }

        void problem(String field, String message) {
            problems.add(new Problem(index, field, message));
            reported.add(field);
        }

        void readObject(JsonParser p) {
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> id = text(p, v, name, 1, 128, true);
                    case "account" -> {
                        account = text(p, v, name, 1, 64, true);
                        if (account != null && !ACCOUNT.matcher(account).matches()) {
                            problem(name, "must be 1-64 characters of A-Z a-z 0-9 . _ @ -");
                            account = null;
                        }
                    }
                    case "time" -> timeMillis = time(p, v);
                    case "model" -> model = text(p, v, name, 1, 128, true);
                    case "key" -> key = orEmpty(text(p, v, name, 0, 64, false));
                    case "prompt_tokens" -> prompt = integer(p, v, name, MAX_TOKENS);
                    case "completion_tokens" -> completion = integer(p, v, name, MAX_TOKENS);
                    case "cached_tokens" -> cached = integer(p, v, name, MAX_TOKENS);
                    case "quota" -> quota = integer(p, v, name, MAX_QUOTA);
                    case "credits" -> credits = credits(p, v);
                    case "duration_ms" -> duration = integer(p, v, name, MAX_DURATION_MS);
                    case "status" -> {
                        status = text(p, v, name, 1, 16, false);
                        if (status != null && !status.equals("success") && !status.equals("error")) {
                            problem(name, "must be \"success\" or \"error\"");
                        }
                    }
                    case "stream" -> {
                        if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                            stream = v == JsonToken.VALUE_TRUE;
                        } else if (v != JsonToken.VALUE_NULL) {
                            problem(name, "must be true or false");
                            p.skipChildren();
                        }
                    }
                    case "group" -> group = orEmpty(text(p, v, name, 0, 64, false));
                    case "channel" -> channel = orEmpty(text(p, v, name, 0, 64, false));
                    default -> p.skipChildren(); // unknown fields are ignored
                }
            }
        }

        private String orEmpty(String s) {
            return s == null ? "" : s;
        }

        private String text(JsonParser p, JsonToken v, String field, int min, int max, boolean printable) {
            if (v == JsonToken.VALUE_NULL) {
                return null;
            }
            if (v != JsonToken.VALUE_STRING) {
                problem(field, "must be a string");
                p.skipChildren();
                return null;
            }
            String s = p.getString();
            if (s.length() < min || s.length() > max) {
                problem(field, min > 0 ? "must be " + min + "-" + max + " characters" : "must be at most " + max + " characters");
                return null;
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= ' ' && c < 0x7f) {
                    continue; // printable ASCII, nearly every character sent
                }
                if (Character.isISOControl(c) || (printable && Character.getType(c) == Character.FORMAT)) {
                    problem(field, "must not contain control characters");
                    return null;
                }
            }
            return s;
        }

        private Long integer(JsonParser p, JsonToken v, String field, long max) {
            if (v == JsonToken.VALUE_NULL) {
                return null;
            }
            if (v != JsonToken.VALUE_NUMBER_INT) {
                problem(field, "must be an integer");
                p.skipChildren();
                return null;
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() > max) {
                problem(field, "must be at most " + max);
                return null;
            }
            long n = p.getLongValue();
            if (n < 0) {
                problem(field, "must be >= 0");
                return null;
            }
            return n;
        }

        private Long time(JsonParser p, JsonToken v) {
            if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            if (v == JsonToken.VALUE_STRING) {
                Long t = Rfc3339.toEpochMillis(p.getString());
                if (t != null) {
                    return t;
                }
            } else {
                p.skipChildren();
            }
            if (v != JsonToken.VALUE_NULL) {
                problem("time", "must be an RFC 3339 time with offset (2026-11-28T09:30:00Z) or epoch milliseconds");
            }
            return null;
        }

        private BigDecimal credits(JsonParser p, JsonToken v) {
            BigDecimal c;
            try {
                if (v == JsonToken.VALUE_NULL) {
                    return null;
                } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    c = p.getDecimalValue();
                } else if (v == JsonToken.VALUE_STRING) {
                    c = new BigDecimal(p.getString());
                } else {
                    p.skipChildren();
                    problem("credits", "must be a decimal number");
                    return null;
                }
            } catch (NumberFormatException | JacksonException e) {
                problem("credits", "must be a decimal number");
                return null;
            }
            if (c.signum() < 0) {
                problem("credits", "must be >= 0");
                return null;
            }
            if (c.compareTo(MAX_CREDITS) > 0) {
                problem("credits", "must be at most " + MAX_CREDITS);
                return null;
            }
            if (c.stripTrailingZeros().scale() > 9) {
                problem("credits", "must have at most 9 fraction digits");
                return null;
            }
            return c;
        }

        UsageEvent toEvent(long oldest, long newest, boolean backfill) {
            require(id, "id");
            require(account, "account");
            require(model, "model");
            require(prompt, "prompt_tokens");
            require(completion, "completion_tokens");
            require(quota, "quota");
            if (timeMillis == null) {
                require(null, "time");
            } else if (timeMillis < oldest) {
                problem("time", backfill ? "is older than the raw retention (" + backfillMaxAge.toDays()
                        + " days), so it could not be recognised as a duplicate if imported again"
                        : "is older than " + limits.maxAge().toDays() + " days");
            } else if (timeMillis > newest) {
                problem("time", "is more than " + limits.maxFuture().toMinutes() + " minutes ahead of the server clock");
            }
            if (credits == null && !reported.contains("credits") && quota != null
                    && BigDecimal.valueOf(quota).compareTo(MAX_CREDITS.multiply(quotaPerCredit)) > 0) {
                // the credits derived from quota obey the same limit as credits sent
                problem("quota", "must be at most " + MAX_CREDITS.multiply(quotaPerCredit)
                        + " when credits are absent (quota / quota-per-credit must be at most " + MAX_CREDITS + ")");
            }
            if (cached != null && prompt != null && cached > prompt) {
                problem("cached_tokens", "must not exceed prompt_tokens");
            }
            if (!reported.isEmpty()) {
                return null;
            }
            BigDecimal c = credits != null ? credits
                    : BigDecimal.valueOf(quota).divide(quotaPerCredit, 9, RoundingMode.HALF_EVEN);
            long creditNanos = c.movePointRight(9).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
            return new UsageEvent(account, id, timeMillis, model, key, prompt, completion,
                    cached == null ? 0 : cached, quota, creditNanos, duration == null ? -1 : duration,
                    "error".equals(status), stream, group, channel);
        }

        private void require(Object value, String field) {
            if (value == null && !reported.contains(field)) {
                problem(field, "is required");
            }
        }
    }
}

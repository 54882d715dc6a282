package dev.tokenstats.ingest;

import dev.tokenstats.TokenstatsApplication;
import dev.tokenstats.ingest.GatewayClient.Answer;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@code POST /api/v1/events} against the real application: real HTTP on a random port, a real DuckDB
 * file in a fresh folder, a fixed clock. What was stored is read back through {@link UsageStore}.
 * Each test uses its own accounts, so the tests share one store without seeing each other.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "tokenstats.ingest-key=" + IngestApiTest.KEY)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class IngestApiTest {

    static final String KEY = "ingest-key-for-tests-7f3a9c1e";
    static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    static final long NOW_MS = NOW.toEpochMilli();
    static final long MINUTE = 60_000L;
    static final long DAY = 24 * 60 * MINUTE;
    private static final Path DATA_DIR = DataDirs.create("ingest-api");
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("tokenstats.data-dir", DATA_DIR::toString);
    }

    /** The server's clock stands still at {@link #NOW}, so event times and the lateness limits are exact. */
    @TestBean
    Clock clock;

    static Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    @LocalServerPort
    int port;

    @Autowired
    UsageStore store;

    GatewayClient gateway;

    @BeforeEach
    void connect() {
        gateway = new GatewayClient(port, KEY);
    }

    // ------------------------------------------------------------------ valid batches

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"JSON array", "NDJSON"})
    void validBatchIsStoredWithEveryFieldExact(String format) {
        String account = format.equals("NDJSON") ? "valid.ndjson_1@acme-co" : "valid.array_1@acme-co";
        List<EventJson> sent = new ArrayList<>();
        List<UsageEvent> expected = new ArrayList<>();

        // every field, time as RFC 3339 with a +05:30 offset, credits as a JSON number
        sent.add(EventJson.required(account, "call-1", 0, "gpt-4o-mini", 1200, 345, 2500)
                .with("time", "\"2026-03-10T17:28:30.250+05:30\"")
                .with("key", "\"prod-key\"").with("cached_tokens", "1000").with("credits", "0.123456789")
                .with("duration_ms", "1834").with("status", "\"error\"").with("stream", "true")
                .with("group", "\"vip\"").with("channel", "\"azure-eu\""));
        expected.add(new UsageEvent(account, "call-1", Instant.parse("2026-03-10T11:58:30.250Z").toEpochMilli(),
                "gpt-4o-mini", "prod-key", 1200, 345, 1000, 2500, 123_456_789L, 1834, true, true, "vip", "azure-eu"));

        // only the required fields, time as epoch milliseconds: credits = quota / 500000 exactly
        sent.add(EventJson.required(account, "call-2", NOW_MS - 61_001, "claude-3.5-sonnet", 0, 0, 1_234_567));
        expected.add(new UsageEvent(account, "call-2", NOW_MS - 61_001, "claude-3.5-sonnet", "", 0, 0, 0,
                1_234_567, 2_469_134_000L, -1, false, null, "", ""));

        // credits as a string, explicit success, stream false, zero duration
        sent.add(EventJson.required(account, "call-3", NOW_MS - 5_000, "gpt-4o", 10, 20, 7)
                .with("credits", "\"12.5\"").with("status", "\"success\"").with("stream", "false")
                .with("duration_ms", "0").with("time", "\"2026-03-10T11:59:55Z\""));
        expected.add(new UsageEvent(account, "call-3", NOW_MS - 5_000, "gpt-4o", "", 10, 20, 0, 7,
                12_500_000_000L, 0, false, false, "", ""));

        // the smallest credit as a JSON number in exponent form; RFC 3339 with a negative offset
        sent.add(EventJson.required(account, "call-4", 0, "gpt-4o", 1, 1, 3).with("credits", "1E-9")
                .with("time", "\"2026-03-10T07:59:00.001-04:00\""));
        expected.add(new UsageEvent(account, "call-4", NOW_MS - 60_000 + 1, "gpt-4o", "", 1, 1, 0, 3,
                1L, -1, false, null, "", ""));

        // credits given as 0 win over quota; credits as a string with trailing zeros beyond 9 digits
        sent.add(EventJson.required(account, "call-5", NOW_MS - 2 * MINUTE, "gpt-4o", 5, 6, 999).with("credits", "0"));
        expected.add(new UsageEvent(account, "call-5", NOW_MS - 2 * MINUTE, "gpt-4o", "", 5, 6, 0, 999,
                0L, -1, false, null, "", ""));
        sent.add(EventJson.required(account, "call-6", NOW_MS - 3 * MINUTE, "gpt-4o", 5, 6, 1)
                .with("credits", "\"0.100000000000\""));
        expected.add(new UsageEvent(account, "call-6", NOW_MS - 3 * MINUTE, "gpt-4o", "", 5, 6, 0, 1,
                100_000_000L, -1, false, null, "", ""));

        // quota of 1 unit: 1 / 500000 = 0.000002 credits exactly
        sent.add(EventJson.required(account, "call-7", NOW_MS - 4 * MINUTE, "gpt-4o", 5, 6, 1));
        expected.add(new UsageEvent(account, "call-7", NOW_MS - 4 * MINUTE, "gpt-4o", "", 5, 6, 0, 1,
                2_000L, -1, false, null, "", ""));

        Answer answer = format.equals("NDJSON")
                ? gateway.postNdjson(EventJson.ndjson(sent).replace("\n", "\r\n") + "\n")
                : gateway.postJson(EventJson.array(sent));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().size()).as(answer.toString()).isEqualTo(2);
        assertThat(answer.accepted()).isEqualTo(7);
        assertThat(answer.duplicates()).isZero();
        assertThat(stored(account)).containsExactlyElementsOf(oldestFirst(expected));
        Totals total = total(account);
        assertThat(total.requests()).isEqualTo(7);
        assertThat(total.errors()).isEqualTo(1);
        assertThat(total.quota()).isEqualTo(2500 + 1_234_567 + 7 + 3 + 999 + 1 + 1);
        assertThat(total.creditNanos()).isEqualTo(BigInteger.valueOf(
                123_456_789L + 2_469_134_000L + 12_500_000_000L + 1 + 0 + 100_000_000L + 2_000L));
        assertThat(total.promptTokens()).isEqualTo(1200 + 10 + 1 + 5 + 5 + 5);
        assertThat(total.completionTokens()).isEqualTo(345 + 20 + 1 + 6 + 6 + 6);
        assertThat(total.cachedTokens()).isEqualTo(1000);
        assertThat(total.durationSum()).isEqualTo(1834);
        assertThat(total.durationCount()).isEqualTo(2);
    }

    @Test
    void valuesExactlyAtEveryLimitAreAccepted() {
        String account = "A".repeat(64);
        String id = "i".repeat(128);
        String model = "模型-ü/" + "m".repeat(123);
        String name = "n".repeat(64);
        long maxTokens = 1_000_000_000L, maxQuota = 1_000_000_000_000L, maxDuration = 1_000_000_000L;
        List<EventJson> sent = List.of(
                // exactly 35 days old, longest id, model, key, group and channel, 9 fraction digits, cached == prompt
                EventJson.required(account, id, NOW_MS - 35 * DAY, model, 100, 0, 0)
                        .with("key", EventJson.string(name)).with("group", EventJson.string(name))
                        .with("channel", EventJson.string(name)).with("cached_tokens", "100")
                        .with("credits", "99999.999999999"),
                // exactly 5 minutes ahead of the server clock; the largest integers; empty optional texts
                EventJson.required(account, "x", NOW_MS + 5 * MINUTE, "m", maxTokens, maxTokens, maxQuota)
                        .with("credits", "\"1\"").with("duration_ms", Long.toString(maxDuration)).with("key", "\"\"")
                        .with("group", "null").with("stream", "null").with("cached_tokens", "null"));

        Answer answer = gateway.postJson(EventJson.array(sent));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.accepted()).isEqualTo(2);
        assertThat(stored(account)).containsExactly(
                new UsageEvent(account, id, NOW_MS - 35 * DAY, model, name, 100, 0, 100, 0,
                        99_999_999_999_999L, -1, false, null, name, name),
                new UsageEvent(account, "x", NOW_MS + 5 * MINUTE, "m", "", maxTokens, maxTokens, 0, maxQuota,
                        1_000_000_000L, maxDuration, false,
                        null, "", ""));
    }

    @Test
    void unknownFieldsAreIgnored() {
        String account = "unknown-fields";
        EventJson plain = EventJson.required(account, "u-1", NOW_MS - MINUTE, "gpt-4o", 11, 22, 33);
        EventJson decorated = plain.copy()
                .with("user_id", "42").with("request_id", "\"req-9\"").with("ID", "\"other\"")
                .with("prompt_tokens_details", "{\"cached\":{\"a\":[1,2,{\"b\":null}]},\"x\":1.5}")
                .with("tags", "[\"a\",[\"b\"],{}]").with("flag", "true").with("nothing", "null");

        Answer answer = gateway.postJson(EventJson.array(List.of(decorated)));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.accepted()).isEqualTo(1);
        assertThat(stored(account)).containsExactly(new UsageEvent(account, "u-1", NOW_MS - MINUTE, "gpt-4o",
                "", 11, 22, 0, 33, 66_000L, -1, false, null, "", ""));
    }

    @Test
    void creditsDerivedFromQuotaObeyTheCreditLimit() {
        String account = "derived-credits";
        long largest = 100_000L * 500_000L; // quota of 100,000 credits, the most one event may carry

        Answer atLimit = gateway.postJson(EventJson.array(List.of(
                EventJson.required(account, "q-1", NOW_MS - MINUTE, "m", 1, 1, largest))));
        Answer beyond = gateway.postJson(EventJson.array(List.of(
                EventJson.required(account, "q-2", NOW_MS - MINUTE, "m", 1, 1, largest + 1))));
        Answer beyondWithCredits = gateway.postJson(EventJson.array(List.of(
                EventJson.required(account, "q-3", NOW_MS - MINUTE, "m", 1, 1, largest + 1).with("credits", "\"2.5\""))));

        assertThat(atLimit.status()).as(atLimit.toString()).isEqualTo(200);
        assertThat(beyond.status()).as(beyond.toString()).isEqualTo(400);
        assertThat(beyond.json().get("errors").get(0).get("field").asString()).isEqualTo("quota");
        assertThat(beyondWithCredits.status()).as(beyondWithCredits.toString()).isEqualTo(200);
        assertThat(stored(account)).extracting(UsageEvent::id, UsageEvent::creditNanos).containsExactly(
                tuple("q-1", 100_000_000_000_000L),
                tuple("q-3", 2_500_000_000L));
    }

    @Test
    void anEmptyBatchAcceptsNothing() {
        Answer array = gateway.postJson("[]");
        Answer ndjson = gateway.postNdjson("");

        assertThat(array.status()).as(array.toString()).isEqualTo(200);
        assertThat(array.accepted()).isZero();
        assertThat(array.duplicates()).isZero();
        assertThat(ndjson.status()).as(ndjson.toString()).isEqualTo(200);
        assertThat(ndjson.accepted()).isZero();
    }

    // ------------------------------------------------------------------ invalid events

    /** A complete valid event with every field; the invalid cases break one field of it. */
    static EventJson fullEvent(String account, String id) {
        return EventJson.required(account, id, NOW_MS - 10 * MINUTE, "gpt-4o", 1200, 300, 4000)
                .with("key", "\"k-1\"").with("cached_tokens", "1000").with("credits", "0.5")
                .with("duration_ms", "900").with("status", "\"success\"").with("stream", "false")
                .with("group", "\"default\"").with("channel", "\"ch-1\"");
    }

    static final String OMIT = null;

    /** field, bad JSON value (OMIT = field left out), the field the error must name. */
    static Stream<Arguments> invalidFields() {
        String tooOld = Long.toString(NOW_MS - 35 * DAY - 1);
        String tooNew = Long.toString(NOW_MS + 5 * MINUTE + 1);
        return Stream.of(
                arguments("id", OMIT, "id"),
                arguments("id", "null", "id"),
                arguments("id", "\"\"", "id"),
                arguments("id", EventJson.string("x".repeat(129)), "id"),
                arguments("id", "42", "id"),
                arguments("id", "[\"a\"]", "id"),
                arguments("account", OMIT, "account"),
                arguments("account", "\"\"", "account"),
                arguments("account", "\"acme corp\"", "account"),
                arguments("account", "\"acme/prod\"", "account"),
                arguments("account", "\"zürich\"", "account"),
                arguments("account", EventJson.string("a".repeat(65)), "account"),
                arguments("account", "7", "account"),
                arguments("time", OMIT, "time"),
                arguments("time", "null", "time"),
                arguments("time", tooOld, "time"),
                arguments("time", "\"2026-02-03T11:59:59.999Z\"", "time"),
                arguments("time", tooNew, "time"),
                arguments("time", "\"2026-03-10T12:05:00.001Z\"", "time"),
                arguments("time", "\"2026-03-10T12:00:00\"", "time"),
                arguments("time", "\"yesterday\"", "time"),
                arguments("time", "1.7731441E12", "time"),
                arguments("time", "true", "time"),
                arguments("time", "{}", "time"),
                arguments("model", OMIT, "model"),
                arguments("model", "\"\"", "model"),
                arguments("model", EventJson.string("m".repeat(129)), "model"),
                arguments("model", "\"gpt\\u00004\"", "model"),
                arguments("model", "\"gpt\\n4\"", "model"),
                arguments("model", "\"gpt\\u0007\"", "model"),
                arguments("model", "\"gpt\\u007f\"", "model"),
                arguments("model", "\"gpt\\u200b4\"", "model"),
                arguments("model", "4", "model"),
                arguments("key", EventJson.string("k".repeat(65)), "key"),
                arguments("key", "\"k\\u0001\"", "key"),
                arguments("key", "5", "key"),
                arguments("prompt_tokens", OMIT, "prompt_tokens"),
                arguments("prompt_tokens", "-1", "prompt_tokens"),
                arguments("prompt_tokens", "1.5", "prompt_tokens"),
                arguments("prompt_tokens", "1200.0", "prompt_tokens"),
                arguments("prompt_tokens", "1e3", "prompt_tokens"),
                arguments("prompt_tokens", "\"1200\"", "prompt_tokens"),
                arguments("prompt_tokens", "1000000001", "prompt_tokens"),
                arguments("quota", "1000000000001", "quota"),
                arguments("duration_ms", "1000000001", "duration_ms"),
                arguments("prompt_tokens", "123456789012345678901234567890", "prompt_tokens"),
                arguments("completion_tokens", OMIT, "completion_tokens"),
                arguments("completion_tokens", "-5", "completion_tokens"),
                arguments("completion_tokens", "2.0", "completion_tokens"),
                arguments("completion_tokens", "\"2\"", "completion_tokens"),
                arguments("cached_tokens", "1201", "cached_tokens"),
                arguments("cached_tokens", "-1", "cached_tokens"),
                arguments("cached_tokens", "0.5", "cached_tokens"),
                arguments("cached_tokens", "\"3\"", "cached_tokens"),
                arguments("quota", OMIT, "quota"),
                arguments("quota", "null", "quota"),
                arguments("quota", "-1", "quota"),
                arguments("quota", "2.5", "quota"),
                arguments("quota", "\"4000\"", "quota"),
                arguments("credits", "-0.000000001", "credits"),
                arguments("credits", "\"-1\"", "credits"),
                arguments("credits", "0.0000000001", "credits"),
                arguments("credits", "\"1.1234567891\"", "credits"),
                arguments("credits", "1.1234567891", "credits"),
                arguments("credits", "100000.000000001", "credits"),
                arguments("credits", "\"abc\"", "credits"),
                arguments("credits", "\"\"", "credits"),
                arguments("credits", "\"NaN\"", "credits"),
                arguments("credits", "true", "credits"),
                arguments("credits", "{}", "credits"),
                arguments("duration_ms", "-1", "duration_ms"),
                arguments("duration_ms", "1.5", "duration_ms"),
                arguments("duration_ms", "\"100\"", "duration_ms"),
                arguments("status", "\"ok\"", "status"),
                arguments("status", "\"SUCCESS\"", "status"),
                arguments("status", "\"\"", "status"),
                arguments("status", "1", "status"),
                arguments("status", "true", "status"),
                arguments("stream", "\"true\"", "stream"),
                arguments("stream", "1", "stream"),
                arguments("stream", "\"yes\"", "stream"),
                arguments("group", EventJson.string("g".repeat(65)), "group"),
                arguments("group", "3", "group"),
                arguments("channel", EventJson.string("c".repeat(65)), "channel"),
                arguments("channel", "[]", "channel"));
    }

    @ParameterizedTest(name = "{0} = {1} -> error on {2}")
    @MethodSource("invalidFields")
    void anInvalidFieldRejectsTheWholeBatchNamingEventAndField(String field, String badValue, String errorField) {
        String account = "invalid-" + ACCOUNTS.incrementAndGet();
        EventJson bad = fullEvent(account, "bad-1");
        if (badValue == null) {
            bad.without(field);
        } else {
            bad.with(field, badValue);
        }
        List<EventJson> batch = List.of(fullEvent(account, "ok-0"), bad, fullEvent(account, "ok-2"));

        Answer answer = gateway.postJson(EventJson.array(batch));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("invalid_events");
        JsonNode errors = answer.json().get("errors");
        assertThat(errors.size()).as(answer.toString()).isEqualTo(1);
        assertThat(errors.get(0).get("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(errorField);
        assertThat(errors.get(0).get("message").asString()).isNotBlank();
        assertNothingStored(account);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"JSON array", "NDJSON"})
    void everyBadEventOfARequestIsNamedByIndexAndNothingIsStored(String format) {
        String account = "many-bad-" + ACCOUNTS.incrementAndGet();
        List<EventJson> batch = List.of(
                fullEvent(account, "ok-0"),
                fullEvent(account, "bad-1").with("id", EventJson.string("x".repeat(129))),
                fullEvent(account, "ok-2"),
                fullEvent(account, "bad-3").with("quota", "-1").with("status", "\"fine\""),
                fullEvent(account, "bad-4").with("time", Long.toString(NOW_MS - 36 * DAY)),
                fullEvent(account, "bad-5").without("model").with("cached_tokens", "1201"),
                fullEvent(account, "ok-6"),
                fullEvent(account, "bad-7").with("credits", "\"0.0000000001\"").with("stream", "\"no\""));

        Answer answer = format.equals("NDJSON")
                ? gateway.postNdjson(EventJson.ndjson(batch))
                : gateway.postJson(EventJson.array(batch));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("invalid_events");
        Set<String> named = new HashSet<>();
        answer.json().get("errors").forEach(e -> {
            assertThat(e.get("message").asString()).isNotBlank();
            named.add(e.get("index").asInt() + ":" + e.get("field").asString());
        });
        assertThat(named).containsExactlyInAnyOrder("1:id", "3:quota", "3:status", "4:time",
                "5:model", "5:cached_tokens", "7:credits", "7:stream");
        assertNothingStored(account);
    }

    @Test
    void anElementThatIsNotAnObjectIsNamedByIndex() {
        String account = "not-object-" + ACCOUNTS.incrementAndGet();
        String body = "[" + fullEvent(account, "ok-0") + ",42,\"event\",[" + fullEvent(account, "ok-x") + "],"
                + fullEvent(account, "ok-4") + "]";

        Answer answer = gateway.postJson(body);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("invalid_events");
        Set<Integer> indexes = new HashSet<>();
        answer.json().get("errors").forEach(e -> indexes.add(e.get("index").asInt()));
        assertThat(indexes).containsExactlyInAnyOrder(1, 2, 3);
        assertNothingStored(account);
    }

    @Test
    void aBatchWithOneInvalidEventStoresNoneOfItsNewEventsEvenBesideDuplicates() {
        String account = "atomic-" + ACCOUNTS.incrementAndGet();
        assertThat(gateway.postJson(EventJson.array(List.of(fullEvent(account, "old-1")))).status()).isEqualTo(200);
        List<UsageEvent> before = stored(account);

        Answer answer = gateway.postJson(EventJson.array(List.of(fullEvent(account, "old-1"),
                fullEvent(account, "new-1"), fullEvent(account, "new-2").with("status", "\"failed\""))));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(stored(account)).isEqualTo(before).hasSize(1);
        assertThat(total(account).requests()).isEqualTo(1);
        // the same events, once valid, are then stored
        Answer retry = gateway.postJson(EventJson.array(List.of(fullEvent(account, "old-1"),
                fullEvent(account, "new-1"), fullEvent(account, "new-2"))));
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.accepted()).isEqualTo(2);
        assertThat(retry.duplicates()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ malformed, oversized, unauthorised

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("notJsonBodies")
    void aBodyThatIsNotJsonIsRejectedWith400(String contentType, String body) {
        Answer answer = gateway.post(contentType, BodyPublishers.ofString(body), "Bearer " + KEY);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.error()).isNotBlank();
        assertThat(answer.json().get("message").asString()).isNotBlank();
    }

    static Stream<Arguments> notJsonBodies() {
        String json = GatewayClient.JSON_TYPE;
        String event = fullEvent("notjson", "n-1").toString();
        return Stream.of(
                arguments(json, "hello"),
                arguments(json, ""),
                arguments(json, "<events/>"),
                arguments(json, "["),
                arguments(json, "[" + event),
                arguments(json, "[" + event + ","),
                arguments(json, "[" + event.substring(0, event.length() / 2)),
                arguments(json, "[" + event + "] trailing"),
                arguments(json, "[" + event + "][" + event + "]"),
                arguments(json, "[{\"id\": 'single-quoted'}]"),
                arguments(json, "[{id: \"n-1\"}]"),
                arguments(json, "[NaN]"),
                arguments(GatewayClient.NDJSON_TYPE, "not json\n"),
                arguments(GatewayClient.NDJSON_TYPE, event + "\n{\"id\":\n"),
                // a JSON object (or any single value) instead of an array of events
                arguments(json, event),
                arguments(json, "{\"events\":[" + event + "]}"),
                arguments(json, "null"),
                arguments(json, "42"),
                arguments(json, "\"events\""));
    }

    @Test
    void aBodyLargerThan16MiBIsRejectedWith413() {
        int limit = 16 * 1024 * 1024;
        byte[] body = new byte[limit + 1];
        Arrays.fill(body, (byte) ' ');
        body[0] = '[';
        body[limit] = ']';

        // several times: a server that answers early and drops the connection makes the client see a reset
        // instead of the 413 in most, not all, attempts
        for (int attempt = 0; attempt < 5; attempt++) {
            Answer withLength = gateway.post(GatewayClient.JSON_TYPE, BodyPublishers.ofByteArray(body), "Bearer " + KEY);
            Answer chunked = gateway.post(GatewayClient.JSON_TYPE,
                    BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)), "Bearer " + KEY);

            assertThat(withLength.status()).as(withLength.toString()).isEqualTo(413);
            assertThat(withLength.error()).isNotBlank();
            assertThat(chunked.status()).as(chunked.toString()).isEqualTo(413);
            assertThat(chunked.error()).isNotBlank();
        }
    }

    @Test
    void aBodyOfExactly16MiBIsAccepted() {
        int limit = 16 * 1024 * 1024;
        byte[] body = new byte[limit];
        Arrays.fill(body, (byte) ' ');
        body[0] = '[';
        body[limit - 1] = ']';

        Answer answer = gateway.post(GatewayClient.JSON_TYPE, BodyPublishers.ofByteArray(body), "Bearer " + KEY);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.accepted()).isZero();
    }

    @Test
    void moreThan10000EventsInOneRequestIsRejectedWith413AndNothingIsStored() {
        String account = "ten-thousand-" + ACCOUNTS.incrementAndGet();
        List<EventJson> events = IntStream.range(0, 10_001)
                .mapToObj(i -> EventJson.required(account, "e" + i, NOW_MS - i, "m", 1, 1, 1)).toList();

        Answer tooMany = gateway.postJson(EventJson.array(events));
        Answer tooManyNdjson = gateway.postNdjson(EventJson.ndjson(events));

        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(413);
        assertThat(tooManyNdjson.status()).as(tooManyNdjson.toString()).isEqualTo(413);
        assertNothingStored(account);

        Answer limit = gateway.postJson(EventJson.array(events.subList(0, 10_000)));
        assertThat(limit.status()).as(limit.toString()).isEqualTo(200);
        assertThat(limit.accepted()).isEqualTo(10_000);
        assertThat(stored(account)).hasSize(10_000);
        assertThat(total(account).requests()).isEqualTo(10_000);
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {"<none>", "Bearer wrong-key", "Bearer ", "Bearer " + KEY + "x", "Basic aW5nZXN0OmtleQ==",
            KEY})
    void aRequestWithoutTheIngestKeyIsRejectedWith401AndNothingIsStored(String authorization) {
        String account = "unauthorised-" + ACCOUNTS.incrementAndGet();
        Answer answer = gateway.post(GatewayClient.JSON_TYPE,
                BodyPublishers.ofString(EventJson.array(List.of(fullEvent(account, "a-1")))),
                authorization.equals("<none>") ? null : authorization);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(401);
        assertThat(answer.error()).isEqualTo("unauthorized");
        assertNothingStored(account);
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("hostileBodies")
    void noBodyAClientSendsCausesA5xx(String description, String contentType, byte[] body, int expectedStatus) {
        Answer answer = gateway.post(contentType, BodyPublishers.ofByteArray(body), "Bearer " + KEY);

        assertThat(answer.status()).as(description + " -> " + answer).isEqualTo(expectedStatus);
        assertThat(answer.json()).as(answer.toString()).isNotNull();
    }

    static Stream<Arguments> hostileBodies() {
        String json = GatewayClient.JSON_TYPE;
        String event = fullEvent("hostile", "h-1").toString();
        String inEvent = event.substring(0, event.length() - 1);
        return Stream.of(
                arguments("deep nesting", json, utf8("[".repeat(100_000)), 400),
                arguments("deep nesting inside an unknown field", json, utf8("[" + inEvent + ",\"x\":" + "[".repeat(100_000)), 400),
                arguments("an integer of 5000 digits", json, utf8("[" + inEvent + ",\"quota\":" + "9".repeat(5000) + "}]"), 400),
                arguments("a string of 1 MB for an id", json, utf8("[" + inEvent + ",\"id\":\"" + "x".repeat(1 << 20) + "\"}]"), 400),
                arguments("credits 1e999999999", json, utf8("[" + inEvent + ",\"credits\":1e999999999}]"), 400),
                arguments("credits 1E-2147483647", json, utf8("[" + inEvent + ",\"credits\":\"1E-2147483647\"}]"), 400),
                arguments("credits 1E+2147483648", json, utf8("[" + inEvent + ",\"credits\":\"1E+2147483648\"}]"), 400),
                arguments("credits 0E-2147483647 (zero)", json,
                        utf8("[" + inEvent.replace("h-1", "h-zero-1") + ",\"credits\":\"0E-2147483647\"}]"), 200),
                arguments("credits 0E+2147483647 (zero)", json,
                        utf8("[" + inEvent.replace("h-1", "h-zero-2") + ",\"credits\":\"0E+2147483647\"}]"), 200),
                arguments("the largest quota without credits (credits = quota / 500000 beyond a long of nano-credits)",
                        json, utf8("[" + inEvent.replace("\"credits\":0.5,", "") + ",\"quota\":9007199254740991}]"), 400),
                arguments("time beyond year 9999", json, utf8("[" + inEvent + ",\"time\":\"+999999999-12-31T23:59:59Z\"}]"), 400),
                arguments("time Long.MAX_VALUE", json, utf8("[" + inEvent + ",\"time\":9223372036854775807}]"), 400),
                arguments("time Long.MIN_VALUE", json, utf8("[" + inEvent + ",\"time\":-9223372036854775808}]"), 400),
                arguments("time beyond a long", json, utf8("[" + inEvent + ",\"time\":92233720368547758070}]"), 400),
                arguments("invalid UTF-8", json, concat("[{\"id\":\"", new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}]"), 400),
                arguments("NUL bytes", json, new byte[64], 400),
                arguments("NDJSON holding an array", GatewayClient.NDJSON_TYPE, utf8("[" + event + "]"), 400),
                arguments("text/plain holding a bad array", "text/plain", utf8("[" + event + ",1]"), 400),
                arguments("form content type", "application/x-www-form-urlencoded", utf8("a=1&b=2"), 400));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8), z = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(b, 0, out, x.length, b.length);
        System.arraycopy(z, 0, out, x.length + b.length, z.length);
        return out;
    }

    // ------------------------------------------------------------------ duplicates

    @Test
    void aDuplicateInsideOneBatchIsCountedAndTheFirstOneIsStored() {
        String account = "dup-inside";
        EventJson first = EventJson.required(account, "d-1", NOW_MS - MINUTE, "gpt-4o", 10, 20, 100);
        EventJson again = EventJson.required(account, "d-1", NOW_MS - 2 * MINUTE, "claude", 99, 99, 999);
        EventJson other = EventJson.required(account, "d-2", NOW_MS - MINUTE, "gpt-4o", 1, 2, 50);

        Answer answer = gateway.postJson(EventJson.array(List.of(first, again, other, first)));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.accepted()).isEqualTo(2);
        assertThat(answer.duplicates()).isEqualTo(2);
        assertThat(stored(account)).containsExactly(
                new UsageEvent(account, "d-1", NOW_MS - MINUTE, "gpt-4o", "", 10, 20, 0, 100, 200_000L, -1, false, null, "", ""),
                new UsageEvent(account, "d-2", NOW_MS - MINUTE, "gpt-4o", "", 1, 2, 0, 50, 100_000L, -1, false, null, "", ""));
        Totals total = total(account);
        assertThat(total.requests()).isEqualTo(2);
        assertThat(total.quota()).isEqualTo(150);
        assertThat(total.promptTokens()).isEqualTo(11);
        assertThat(store.sum(SeriesFilter.all(account), allTime(), true)).extracting(Totals::model, Totals::requests)
                .containsExactly(tuple("gpt-4o", 2L));
    }

    @Test
    void aDuplicateAcrossBatchesIsCountedAndStoredOnce() {
        String account = "dup-across";
        EventJson d1 = EventJson.required(account, "d-1", NOW_MS - 3 * MINUTE, "gpt-4o", 10, 20, 100);
        EventJson d2 = EventJson.required(account, "d-2", NOW_MS - 2 * MINUTE, "gpt-4o", 30, 40, 200);
        EventJson d3 = EventJson.required(account, "d-3", NOW_MS - MINUTE, "gpt-4o", 50, 60, 300);

        Answer first = gateway.postJson(EventJson.array(List.of(d1, d2)));
        Answer second = gateway.postNdjson(EventJson.ndjson(List.of(
                d2.copy().with("quota", "7777"), d3, d1.copy().with("model", "\"other\""))));
        Answer third = gateway.postJson(EventJson.array(List.of(d3, d2, d1)));
        // the same id in another account is another event
        Answer otherAccount = gateway.postJson(EventJson.array(List.of(d1.copy().with("account", "\"dup-across-2\""))));

        assertThat(first.accepted()).isEqualTo(2);
        assertThat(first.duplicates()).isZero();
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        assertThat(second.accepted()).isEqualTo(1);
        assertThat(second.duplicates()).isEqualTo(2);
        assertThat(third.accepted()).isZero();
        assertThat(third.duplicates()).isEqualTo(3);
        assertThat(otherAccount.accepted()).isEqualTo(1);
        assertThat(otherAccount.duplicates()).isZero();
        assertThat(stored(account)).extracting(UsageEvent::id, UsageEvent::quota, UsageEvent::model).containsExactly(
                tuple("d-1", 100L, "gpt-4o"),
                tuple("d-2", 200L, "gpt-4o"),
                tuple("d-3", 300L, "gpt-4o"));
        Totals total = total(account);
        assertThat(total.requests()).isEqualTo(3);
        assertThat(total.quota()).isEqualTo(600);
        assertThat(total.promptTokens()).isEqualTo(90);
        assertThat(total.completionTokens()).isEqualTo(120);
        assertThat(total.creditNanos()).isEqualTo(BigInteger.valueOf(1_200_000L));
        assertThat(stored("dup-across-2")).hasSize(1);
    }

    @Test
    void aDuplicateAcrossARestartIsCountedAndStoredOnce() {
        Path dir = DataDirs.create("restart");
        String account = "restart";
        List<EventJson> batch = IntStream.range(0, 300)
                .mapToObj(i -> EventJson.required(account, "r-" + i, NOW_MS - i * 1000L, "m" + i % 3, i, 2L * i, 1000L + i))
                .toList();
        List<UsageEvent> storedBefore;
        try (ConfigurableApplicationContext app = startApp(dir)) {
            Answer answer = new GatewayClient(port(app), KEY).postJson(EventJson.array(batch));
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.accepted()).isEqualTo(300);
            storedBefore = app.getBean(UsageStore.class).events(account, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        assertThat(storedBefore).hasSize(300);
        if (dev.tokenstats.store.Engine.current() == dev.tokenstats.store.Engine.DUCKDB) {
            assertThat(dir.resolve("tokenstats.duckdb")).exists(); // the restart reads the same embedded file
        }

        try (ConfigurableApplicationContext app = startApp(dir)) {
            GatewayClient client = new GatewayClient(port(app), KEY);
            Answer again = client.postJson(EventJson.array(batch));
            Answer mixed = client.postNdjson(EventJson.ndjson(List.of(batch.get(7),
                    EventJson.required(account, "r-new", NOW_MS, "m0", 1, 1, 1), batch.get(299))));

            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.accepted()).isZero();
            assertThat(again.duplicates()).isEqualTo(300);
            assertThat(mixed.accepted()).isEqualTo(1);
            assertThat(mixed.duplicates()).isEqualTo(2);
            UsageStore restarted = app.getBean(UsageStore.class);
            List<UsageEvent> after = restarted.events(account, Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(after).hasSize(301).containsAll(storedBefore);
            List<Totals> sums = restarted.sum(SeriesFilter.all(account), allTime(), false);
            assertThat(sums).hasSize(1);
            assertThat(sums.get(0).requests()).isEqualTo(301);
            assertThat(sums.get(0).quota()).isEqualTo(IntStream.range(0, 300).mapToLong(i -> 1000L + i).sum() + 1);
        } finally {
            DataDirs.delete(dir);
        }
    }

    private static ConfigurableApplicationContext startApp(Path dataDir) {
        // command-line arguments: they outrank application.properties (default properties would not)
        return new SpringApplicationBuilder(TokenstatsApplication.class)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("clock", clock()))
                .run("--server.port=0", "--tokenstats.data-dir=" + dataDir, "--tokenstats.ingest-key=" + KEY);
    }

    private static int port(ConfigurableApplicationContext app) {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    // ------------------------------------------------------------------ store: sums equal the events

    /**
     * Thousands of varied events over 34 days, sent in batches (one resent); then for many bucket layouts
     * (whole range, hours, zone days across a DST change, +05:45 days, +05:30 weeks, months, irregular
     * buckets, minutes) and filters, {@code sum()} equals the same figures added up from {@code events()}.
     */
    @Test
    void rollupSumsEqualTheSumOfTheStoredEvents() {
        Random random = new Random(20260310);
        String[] models = {"gpt-4o", "gpt-4o-mini", "claude-3.5-sonnet", "llama-3-70b", "qwen-max"};
        String[] keys = {"", "k-prod", "k-dev", "k-batch"};
        Map<String, List<UsageEvent>> expected = new LinkedHashMap<>();
        for (String account : List.of("sum-a", "sum-b")) {
            List<UsageEvent> events = new ArrayList<>();
            List<EventJson> batch = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                long time = NOW_MS - 34 * DAY + (long) (random.nextDouble() * (34 * DAY + 4 * MINUTE));
                String model = models[Math.min(random.nextInt(6), 4)];
                String key = keys[random.nextInt(keys.length)];
                long prompt = random.nextInt(20_000), completion = random.nextInt(4_000);
                long cached = random.nextBoolean() ? random.nextLong(prompt + 1) : 0;
                long quota = random.nextInt(3_000_000);
                boolean error = random.nextInt(10) == 0;
                long duration = random.nextInt(4) == 0 ? -1 : random.nextInt(60_000);
                Long creditNanos = random.nextBoolean() ? null : random.nextLong(50_000_000_000L);
                EventJson json = EventJson.required(account, "s-" + i, time, model, prompt, completion, quota)
                        .with("key", EventJson.string(key)).with("cached_tokens", Long.toString(cached))
                        .with("status", error ? "\"error\"" : "\"success\"");
                if (duration >= 0) {
                    json.with("duration_ms", Long.toString(duration));
                }
                if (creditNanos != null) {
                    String credits = new java.math.BigDecimal(BigInteger.valueOf(creditNanos), 9).toPlainString();
                    json.with("credits", random.nextBoolean() ? credits : "\"" + credits + "\"");
                }
                batch.add(json);
                events.add(new UsageEvent(account, "s-" + i, time, model, key, prompt, completion, cached, quota,
                        creditNanos != null ? creditNanos : quota * 2_000L, duration, error, null, "", ""));
            }
            for (int from = 0; from < batch.size(); from += 1000) {
                Answer answer = gateway.postJson(EventJson.array(batch.subList(from, from + 1000)));
                assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                assertThat(answer.accepted()).isEqualTo(1000);
            }
            Answer resent = gateway.postNdjson(EventJson.ndjson(batch.subList(1000, 2000)));
            assertThat(resent.duplicates()).isEqualTo(1000);
            expected.put(account, oldestFirst(events));
        }

        long first = Math.floorDiv(NOW_MS - 34 * DAY, MINUTE) - 7, last = Math.floorDiv(NOW_MS, MINUTE) + 10;
        Map<String, long[]> layouts = new LinkedHashMap<>();
        layouts.put("whole range", new long[] {first, last});
        layouts.put("hours", steps(first - first % 60, last + 60, 60));
        layouts.put("days in America/New_York (DST on 2026-03-08)", zoneDays("America/New_York", 1));
        layouts.put("days in Asia/Kathmandu (+05:45)", zoneDays("Asia/Kathmandu", 1));
        layouts.put("weeks in Asia/Kolkata (+05:30)", zoneWeeks("Asia/Kolkata"));
        layouts.put("months in Europe/Berlin", zoneMonths("Europe/Berlin"));
        layouts.put("irregular buckets", irregular(random, first, last));
        layouts.put("minutes of two days, 15-minute misaligned start",
                steps(first + 10 * 1440 + 7, first + 12 * 1440 + 7, 1));
        layouts.put("quarter hours of one week", steps(first - first % 15 + 20 * 1440, first - first % 15 + 27 * 1440, 15));

        int compared = 0;
        for (String account : expected.keySet()) {
            List<UsageEvent> stored = stored(account);
            assertThat(stored).containsExactlyElementsOf(expected.get(account));
            List<SeriesFilter> filters = List.of(
                    SeriesFilter.all(account),
                    new SeriesFilter(account, Set.of("gpt-4o"), Set.of(), null),
                    new SeriesFilter(account, Set.of("gpt-4o-mini", "llama-3-70b"), Set.of(), null),
                    new SeriesFilter(account, Set.of(), Set.of(""), null),
                    new SeriesFilter(account, Set.of(), Set.of("k-prod", "k-batch"), null),
                    new SeriesFilter(account, Set.of(), Set.of(), true),
                    new SeriesFilter(account, Set.of(), Set.of(), false),
                    new SeriesFilter(account, Set.of("qwen-max", "gpt-4o"), Set.of("k-dev"), false),
                    new SeriesFilter(account, Set.of("no-such-model"), Set.of(), null));
            for (SeriesFilter filter : filters) {
                for (Map.Entry<String, long[]> layout : layouts.entrySet()) {
                    for (boolean byModel : new boolean[] {false, true}) {
                        List<Totals> actual = sorted(store.sum(filter, layout.getValue(), byModel));
                        List<Totals> fromEvents = sumOf(stored, filter, layout.getValue(), byModel);
                        assertThat(actual).as("%s, %s, byModel=%s", filter, layout.getKey(), byModel)
                                .isEqualTo(fromEvents);
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(2 * 9 * layouts.size() * 2);
        // the sums are not vacuous: the whole range holds every event of the account
        Totals all = store.sum(SeriesFilter.all("sum-a"), layouts.get("whole range"), false).get(0);
        assertThat(all.requests()).isEqualTo(4000);
        assertThat(all.quota()).isEqualTo(expected.get("sum-a").stream().mapToLong(UsageEvent::quota).sum());
        assertThat(all.creditNanos()).isEqualTo(expected.get("sum-a").stream()
                .map(e -> BigInteger.valueOf(e.creditNanos())).reduce(BigInteger.ZERO, BigInteger::add));
        assertThat(all.tokens()).isEqualTo(expected.get("sum-a").stream().mapToLong(UsageEvent::tokens).sum());
    }

    private static long[] steps(long from, long to, long step) {
        List<Long> b = new ArrayList<>();
        for (long m = from; m <= to; m += step) {
            b.add(m);
        }
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] zoneDays(String zone, int step) {
        ZoneId z = ZoneId.of(zone);
        LocalDate day = LocalDate.ofInstant(NOW.minus(Duration.ofDays(36)), z);
        LocalDate end = LocalDate.ofInstant(NOW.plus(Duration.ofDays(1)), z);
        List<Long> b = new ArrayList<>();
        for (; !day.isAfter(end); day = day.plusDays(step)) {
            b.add(day.atStartOfDay(z).toEpochSecond() / 60);
        }
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] zoneWeeks(String zone) {
        ZoneId z = ZoneId.of(zone);
        LocalDate day = LocalDate.ofInstant(NOW.minus(Duration.ofDays(40)), z)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        List<Long> b = new ArrayList<>();
        for (; b.size() < 8; day = day.plusWeeks(1)) {
            b.add(day.atStartOfDay(z).toEpochSecond() / 60);
        }
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] zoneMonths(String zone) {
        ZoneId z = ZoneId.of(zone);
        return Stream.of("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01")
                .mapToLong(d -> LocalDate.parse(d).atStartOfDay(z).toEpochSecond() / 60).toArray();
    }

    private static long[] irregular(Random random, long first, long last) {
        List<Long> b = new ArrayList<>();
        for (long m = first + random.nextInt(500); m < last; m += 1 + random.nextInt(random.nextBoolean() ? 30 : 4000)) {
            b.add(m);
        }
        return b.stream().mapToLong(Long::longValue).toArray();
    }

    /** What {@code sum} must answer, added up from raw events. */
    private static List<Totals> sumOf(List<UsageEvent> events, SeriesFilter filter, long[] boundaries, boolean byModel) {
        Map<String, Totals> sums = new LinkedHashMap<>();
        for (UsageEvent e : events) {
            if (!filter.models().isEmpty() && !filter.models().contains(e.model())
                    || !filter.keys().isEmpty() && !filter.keys().contains(e.key())
                    || filter.errors() != null && filter.errors() != e.error()) {
                continue;
            }
            long minute = e.epochMinute();
            int bucket = -1;
            for (int i = 0; i + 1 < boundaries.length; i++) {
                if (boundaries[i] <= minute && minute < boundaries[i + 1]) {
                    bucket = i;
                    break;
                }
            }
            if (bucket < 0) {
                continue;
            }
            String model = byModel ? e.model() : null;
            boolean timed = e.durationMs() >= 0;
            Totals one = new Totals(bucket, model, 1, e.error() ? 1 : 0, e.quota(), BigInteger.valueOf(e.creditNanos()),
                    e.promptTokens(), e.completionTokens(), e.cachedTokens(), timed ? e.durationMs() : 0, timed ? 1 : 0);
            sums.merge(bucket + "\u0000" + model, one, Totals::plus);
        }
        return sorted(new ArrayList<>(sums.values()));
    }

    private static List<Totals> sorted(List<Totals> totals) {
        List<Totals> out = new ArrayList<>(totals);
        out.sort(Comparator.comparingInt(Totals::bucket)
                .thenComparing(Totals::model, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private List<UsageEvent> stored(String account) {
        return store.events(account, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** One bucket from 40 days before {@link #NOW} to 10 minutes after it, in epoch minutes. */
    private static long[] allTime() {
        return new long[] {Math.floorDiv(NOW_MS - 40 * DAY, MINUTE), Math.floorDiv(NOW_MS, MINUTE) + 10};
    }

    private Totals total(String account) {
        List<Totals> sums = store.sum(SeriesFilter.all(account), allTime(), false);
        assertThat(sums).hasSize(1);
        return sums.get(0);
    }

    private void assertNothingStored(String account) {
        assertThat(stored(account)).isEmpty();
        assertThat(store.sum(SeriesFilter.all(account), allTime(), false)).isEmpty();
        assertThat(store.timeRange(account)).isEmpty();
    }

    private static List<UsageEvent> oldestFirst(List<UsageEvent> events) {
        return events.stream().sorted(Comparator.comparingLong(UsageEvent::timeMillis).thenComparing(UsageEvent::id))
                .collect(Collectors.toList());
    }
}

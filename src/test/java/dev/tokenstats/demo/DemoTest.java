package dev.tokenstats.demo;

import dev.tokenstats.TokenstatsApplication;
import dev.tokenstats.store.MutableClock;
import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --demo} as a user starts it (the real application, real HTTP, a real DuckDB folder), with the clock
 * held still: 90 days of traffic with the promised shape, sign-ins that work, the stats API agreeing with
 * the events; a second start adds nothing; a start hours later tops up just those hours.
 */
class DemoTest {

    static final Instant NOW = Instant.parse("2026-11-20T10:37:12Z");
    static final long DAY_MS = 86_400_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private static ConfigurableApplicationContext start(Path data, MutableClock clock) {
        return new SpringApplicationBuilder(TokenstatsApplication.class)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("clock", clock))
                .run(Demo.arguments(new String[] {"--demo", "--server.port=0", "--tokenstats.data-dir=" + data}));
    }

    @Test
    void demoFillsNinetyDaysOnceWithThePromisedShape() throws Exception {
        Path data = dir.resolve("data-demo");
        MutableClock clock = new MutableClock(NOW);
        long total;
        long t0 = System.nanoTime();
        try (ConfigurableApplicationContext app = start(data, clock)) {
            DemoMode.Fill fill = app.getBean(DemoMode.class).lastFill();
            System.out.printf("demo: first start %.1f s, fill %s%n", (System.nanoTime() - t0) / 1e9, fill);
            assertThat(fill.duplicates()).isZero();
            assertThat(fill.accepted()).isBetween(150_000L, 400_000L);
            UsageStore store = app.getBean(UsageStore.class);
            total = 0;
            Set<String> models = new TreeSet<>();
            for (DemoCatalog.Account a : DemoCatalog.ACCOUNTS) {
                List<UsageEvent> events = store.events(a.name(), 0, Long.MAX_VALUE / 4);
                total += events.size();
                checkShape(a, events);
                events.forEach(e -> models.add(e.model()));
                checkStatsApi(app, a.name(), events);
            }
            assertThat(total).isEqualTo(fill.accepted());
            assertThat(models).hasSizeBetween(14, 16)
                    .contains("gpt-4o", "claude-sonnet-4-20250514", "gemini-2.5-pro", "deepseek-chat", "text-embedding-3-small");
            assertThat(status(app, "/api/v1/me", "admin", Demo.ADMIN_PASSWORD)).isEqualTo(200);
            assertThat(status(app, "/api/v1/me", "acme", "wrong-password")).isEqualTo(401);
        }

        // a second start at the same moment: everything is already there
        try (ConfigurableApplicationContext app = start(data, clock)) {
            DemoMode.Fill fill = app.getBean(DemoMode.class).lastFill();
            assertThat(fill.accepted()).isZero();
            assertThat(fill.duplicates()).isPositive(); // the last hour, generated again identically
            assertThat(count(app.getBean(UsageStore.class))).isEqualTo(total);
        }

        // three hours later: only those hours are added
        clock.advance(Duration.ofHours(3));
        try (ConfigurableApplicationContext app = start(data, clock)) {
            DemoMode.Fill fill = app.getBean(DemoMode.class).lastFill();
            assertThat(fill.accepted()).isPositive().isLessThan(2_000);
            UsageStore store = app.getBean(UsageStore.class);
            assertThat(count(store)).isEqualTo(total + fill.accepted());
            long added = 0;
            for (DemoCatalog.Account a : DemoCatalog.ACCOUNTS) {
                added += store.events(a.name(), NOW.toEpochMilli() + 1, Long.MAX_VALUE / 4).size();
            }
            assertThat(added).isEqualTo(fill.accepted());
        }
    }

    private static long count(UsageStore store) {
        long n = 0;
        for (DemoCatalog.Account a : DemoCatalog.ACCOUNTS) {
            n += store.events(a.name(), 0, Long.MAX_VALUE / 4).size();
        }
        return n;
    }

    /** 90 days up to now, several keys, errors, streams, cache hits, a daily and weekly rhythm, bursts, growth. */
    private static void checkShape(DemoCatalog.Account a, List<UsageEvent> events) {
        long now = NOW.toEpochMilli();
        assertThat(events.get(0).timeMillis()).as(a.name()).isBetween(now - 90 * DAY_MS, now - 89 * DAY_MS);
        assertThat(events.get(events.size() - 1).timeMillis()).isBetween(now - 12 * 3_600_000L, now);
        assertThat(events.stream().map(UsageEvent::key).distinct().count()).isGreaterThanOrEqualTo(3);
        double errorShare = events.stream().filter(UsageEvent::error).count() / (double) events.size();
        assertThat(errorShare).as("%s error share", a.name()).isBetween(0.003, 0.03);
        assertThat(events).anyMatch(e -> Boolean.TRUE.equals(e.stream())).anyMatch(e -> Boolean.FALSE.equals(e.stream()));
        assertThat(events).anyMatch(e -> e.cachedTokens() > 0);
        assertThat(events).allMatch(e -> e.cachedTokens() <= e.promptTokens() && e.quota() >= 0
                && (e.error() ? e.quota() == 0 : e.durationMs() > 0));
        assertThat(new HashSet<>(events.stream().map(UsageEvent::id).toList())).hasSize(events.size());

        // rhythm in the account's own zone
        long[] byHour = new long[24];
        long weekday = 0, weekend = 0;
        for (UsageEvent e : events) {
            var local = Instant.ofEpochMilli(e.timeMillis()).atOffset(ZoneOffset.ofHours(a.utcOffsetHours()));
            byHour[local.getHour()]++;
            if (local.getDayOfWeek() == DayOfWeek.SATURDAY || local.getDayOfWeek() == DayOfWeek.SUNDAY) {
                weekend++;
            } else {
                weekday++;
            }
        }
        long day = byHour[10] + byHour[11] + byHour[14] + byHour[15];
        long night = byHour[2] + byHour[3] + byHour[4] + byHour[5];
        if (a.officeHours()) {
            assertThat(day).as("%s: office hours vs night", a.name()).isGreaterThan(8 * night);
            assertThat(weekday / 5.0).as("%s: weekday vs weekend day", a.name()).isGreaterThan(3 * weekend / 2.0);
        } else {
            assertThat(day).isGreaterThan(night).isLessThan(3 * night);
        }

        // bursts: the busiest minute far above the average minute of the busiest hours
        Map<Long, Long> perMinute = events.stream().collect(Collectors.groupingBy(UsageEvent::epochMinute, Collectors.counting()));
        long peak = perMinute.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        double busyHourAverage = Math.max(1, java.util.Arrays.stream(byHour).max().orElseThrow() / 90.0 / 60.0);
        assertThat(peak).as("%s: peak minute vs average busy minute %.2f", a.name(), busyHourAverage)
                .isGreaterThan((long) (5 * busyHourAverage));

        // growth over the 90 days
        long firstMonth = events.stream().filter(e -> e.timeMillis() < now - 60 * DAY_MS).count();
        long lastMonth = events.stream().filter(e -> e.timeMillis() >= now - 30 * DAY_MS).count();
        if (a.growth() >= 0.4) {
            assertThat(lastMonth).as("%s grows", a.name()).isGreaterThan(firstMonth);
        }
    }

    /** The member signs in with the printed password and GET /api/v1/stats agrees with the stored events. */
    private static void checkStatsApi(ConfigurableApplicationContext app, String account, List<UsageEvent> events) throws Exception {
        String from = NOW.minus(Duration.ofDays(91)).toString();
        String body = get(app, "/api/v1/stats?from=" + from + "&to=" + NOW.plusSeconds(60) + "&tz=UTC", account,
                DemoMode.passwordOf(account));
        JsonNode overview = JSON.readTree(body).get("overview");
        assertThat(overview.get("requests").asLong()).isEqualTo(events.size());
        assertThat(overview.get("errors").asLong()).isEqualTo(events.stream().filter(UsageEvent::error).count());
        assertThat(overview.get("quota").asLong()).isEqualTo(events.stream().mapToLong(UsageEvent::quota).sum());
        assertThat(overview.get("prompt_tokens").asLong()).isEqualTo(events.stream().mapToLong(UsageEvent::promptTokens).sum());
        assertThat(overview.get("peak_rpm").asLong()).isEqualTo(
                app.getBean(UsageStore.class).peak(SeriesFilter.all(account), NOW.minus(Duration.ofDays(91)).toEpochMilli() / 60_000,
                        NOW.toEpochMilli() / 60_000 + 1).requestsPerMinute());
    }

    private static String get(ConfigurableApplicationContext app, String path, String user, String password) throws Exception {
        HttpResponse<String> r = send(app, path, user, password);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static int status(ConfigurableApplicationContext app, String path, String user, String password) throws Exception {
        return send(app, path, user, password).statusCode();
    }

    private static HttpResponse<String> send(ConfigurableApplicationContext app, String path, String user, String password)
            throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
    }
}

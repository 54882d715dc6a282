package dev.tokenstats.console;

import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real Chromium against the whole app (random port, real DuckDB file in a temp folder,
 * 30 days of seeded usage): sign-in, every figure and chart equal to the API's answer for the same request,
 * filters in the URL, logs paging, CSV downloads, member vs admin, account and admin pages, keyboard,
 * languages, themes, 360 px, CSP. Saves screenshots under target/screenshots and prints the draw time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"tokenstats.admin-password=console-admin-pass-1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    /** The server's clock stands still, so two identical requests get identical answers (averages included). */
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final Path DATA;
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String MEMBER = "alice", CAROL = "carol", ADMIN = "root", PASSWORD = "correct-horse-1";
    static final String RARE = "rare-model";
    static final int RARE_COUNT = 47;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static {
        try {
            DATA = Files.createTempDirectory("tokenstats-console-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("tokenstats.data-dir", DATA::toString);
    }

    @TestBean
    Clock clock;

    static Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    @LocalServerPort
    int port;
    @Autowired
    Users users;
    @Autowired
    UsageStore store;

    final HttpClient http = HttpClient.newHttpClient();
    Chromium browser;
    int seeded;
    final Map<String, String> passwords = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        users.create(MEMBER, PASSWORD, Viewer.Role.member, "acme");
        users.create(CAROL, PASSWORD, Viewer.Role.member, "acme");
        users.create("gina", PASSWORD, Viewer.Role.member, "globex");
        users.create(ADMIN, PASSWORD, Viewer.Role.admin, null);
        passwords.put(MEMBER, PASSWORD);
        passwords.put(CAROL, PASSWORD);
        passwords.put(ADMIN, PASSWORD);
        seed();
        browser = new Chromium();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        Chromium.delete(DATA);
    }

    /**
     * 60 days of calls for acme, growing (about 20,000 in the last 30 days; 12 models, 5 keys, errors, a rare model
     * seen 47 times in the last 30 days), and some for globex.
     */
    void seed() {
        Random r = new Random(20261128);
        String[] models = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "deepseek-chat", "gemini-1.5-pro", "qwen-max",
                "llama-3.1-70b", "mistral-large", "o1-mini", "glm-4", "moonshot-v1-8k", "yi-large"};
        int[] weights = {30, 24, 14, 10, 6, 5, 4, 3, 2, 2, 1, 1};
        String[] keys = {"k-prod", "k-batch", "k-staging", "k-ci", "k-analytics"};
        List<UsageEvent> events = new ArrayList<>();
        long end = NOW.toEpochMilli() - 60_000;
        long start = end - Duration.ofDays(30).toMillis();
        long first = end - Duration.ofDays(60).toMillis();
        int n = 0;
        for (long hour = first; hour < end; hour += 3_600_000L) {
            double daily = Math.sin((hour % 86_400_000L) / 86_400_000.0 * 2 * Math.PI - Math.PI / 2);
            double growth = 0.7 + 0.6 * (hour - first) / (double) (end - first);
            int calls = (int) Math.max(2, (28 + 16 * daily) * growth + r.nextGaussian() * 4);
            for (int i = 0; i < calls; i++) {
                long t = Math.min(end - 1, hour + (long) (r.nextDouble() * 3_600_000L));
                events.add(call(r, "acme", "a-" + n++, t, pick(r, models, weights), keys[r.nextInt(keys.length)]));
            }
        }
        for (int i = 0; i < RARE_COUNT; i++) {
            long t = start + (long) ((end - start) * ((i + 0.5) / RARE_COUNT));
            events.add(call(r, "acme", "rare-" + i, t, RARE, "k-rare"));
        }
        for (int i = 0; i < 400; i++) {
            events.add(call(r, "globex", "g-" + i, start + (long) (r.nextDouble() * (end - start)), models[r.nextInt(4)],
                    "k-globex"));
        }
        for (int i = 0; i < events.size(); i += 5000) {
            store.append(events.subList(i, Math.min(events.size(), i + 5000)));
        }
        seeded = events.size();
    }

    static UsageEvent call(Random r, String account, String id, long t, String model, String key) {
        boolean error = r.nextInt(100) < 3;
        long prompt = 50 + r.nextInt(4000);
        long completion = error ? 0 : 10 + r.nextInt(1500);
        long quota = error ? 0 : (prompt + 3 * completion) * (model.startsWith("gpt-4o") ? 3 : 1);
        return new UsageEvent(account, id, t, model, key, prompt, completion, r.nextInt(4) == 0 ? r.nextInt(500) : 0,
                quota, quota * 2000 + r.nextInt(1000), r.nextInt(10) == 0 ? -1 : 200 + r.nextInt(20_000), error,
                r.nextBoolean(), "default", "ch-" + r.nextInt(3));
    }

    static String pick(Random r, String[] values, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void signInThenTheCardsShowExactlyTheApiFigures() throws Exception {
        browser.driver.manage().deleteAllCookies();
        browser.driver.get(base() + "/?period=30d&tz=UTC");
        browser.waitFor(d -> d.getCurrentUrl().contains("/login"));
        prefs("light", "en");
        browser.find("#username").sendKeys(MEMBER);
        browser.find("#password").sendKeys("not-the-password");
        browser.click("#sign-in button[type=submit]");
        browser.waitFor(d -> !browser.find("#message").getText().isBlank());
        assertTrue(browser.driver.getCurrentUrl().contains("/login"), "a wrong password stays on the sign-in page");

        browser.find("#password").clear();
        browser.find("#password").sendKeys(PASSWORD);
        browser.click("#sign-in button[type=submit]");
        String url = waitRendered(null);
        String page = browser.driver.getCurrentUrl();
        assertTrue(page.contains("period=30d") && page.contains("tz=UTC"), "the bookmarked view survives sign-in: " + page);
        JsonNode stats = api(MEMBER, url);
        assertCards(stats);
        assertEquals(stats.get("complete_until").asString(), browser.find("#complete-until").getDomAttribute("data-value"));
        assertEquals(30 * 24 * 60, minutesBetween(stats.get("from").asString(), stats.get("to").asString()));
    }

    @Test
    @Order(2)
    void everyChartDrawsTheApiData() throws Exception {
        signIn(MEMBER);
        openStats("period=30d&tz=UTC&granularity=auto");
        String url = statsUrl();
        JsonNode stats = api(MEMBER, url);
        JsonNode consumption = stats.get("consumption");

        browser.click("#consumption-bar");
        JsonNode bar = browser.waitFor(d -> chartWith("consumption-chart", "bar"));
        assertCanvas(bar);
        assertEquals(texts(consumption, "start"), texts(bar.get("x")));
        assertEquals(longs(consumption, "quota"), longs(bar.get("series").get(0).get("data")));

        browser.click("#consumption-area");
        JsonNode area = browser.waitFor(d -> chartWith("consumption-chart", "line"));
        assertCanvas(area);
        assertEquals(texts(consumption, "start"), texts(area.get("x")));
        assertEquals(longs(consumption, "quota"), longs(area.get("series").get(0).get("data")));

        String alt = browser.find("#consumption-chart").getDomAttribute("aria-label");
        assertNotNull(alt, "the chart has a text alternative");
        assertTrue(alt.contains(group(stats.get("overview").get("quota").asLong())), alt);
        browser.click("#consumption-table summary");
        // the table is drawn when it is opened: wait for its rows before counting them
        int tableRows = browser.waitFor(d -> {
            int drawn = browser.all("#consumption-table tbody tr").size();
            return drawn > 0 ? drawn : null;
        });
        assertEquals(consumption.size(), tableRows, "the data table has every bucket");

        browser.click("#tab-button-trends");
        JsonNode trends = browser.waitFor(d -> chartWith("trends-chart", "line"));
        assertCanvas(trends);
        JsonNode expected = stats.get("models").get("trends");
        assertEquals(texts(expected.get("buckets")), texts(trends.get("x")));
        assertEquals(expected.get("series").size(), trends.get("series").size());
        for (int i = 0; i < expected.get("series").size(); i++) {
            assertEquals(expected.get("series").get(i).get("model").asString(), trends.get("series").get(i).get("name").asString());
            assertEquals(longs(expected.get("series").get(i).get("requests")), longs(trends.get("series").get(i).get("data")));
        }

        browser.click("#tab-button-distribution");
        JsonNode donut = browser.waitFor(d -> chartWith("distribution-chart", "pie"));
        assertCanvas(donut);
        JsonNode distribution = stats.get("models").get("distribution");
        JsonNode slices = donut.get("series").get(0).get("data");
        assertEquals(distribution.size(), slices.size());
        for (int i = 0; i < distribution.size(); i++) {
            assertEquals(distribution.get(i).get("model").asString(), slices.get(i).get("name").asString());
            assertEquals(distribution.get(i).get("requests").asLong(), slices.get(i).get("value").asLong());
        }

        browser.click("#tab-button-leaderboard");
        browser.waitFor(d -> browser.find("#leaderboard-table").isDisplayed());
        JsonNode leaderboard = stats.get("models").get("leaderboard");
        List<WebElement> rows = browser.all("#leaderboard-table tbody tr");
        assertEquals(leaderboard.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode m = leaderboard.get(i);
            WebElement row = rows.get(i);
            assertEquals(m.get("model").asString(), row.getDomAttribute("data-model"));
            List<WebElement> cells = row.findElements(By.cssSelector("td, th"));
            assertEquals(m.get("rank").asString(), cells.get(0).getText());
            assertExact(m.get("requests"), row.findElement(By.cssSelector(".requests-cell .cell-main")).getText());
            assertExact(m.get("errors"), cells.get(3).getText());
            assertExact(m.get("quota"), cells.get(4).getText());
            assertExact(m.get("credits"), cells.get(5).getText());
        }
        browser.click("#tab-button-trends");
        browser.click("#consumption-bar");
    }

    @Test
    @Order(3)
    void periodZoneGranularityAndFiltersLiveInTheUrlAndChangeTheFigures() throws Exception {
        signIn(MEMBER);
        openStats("period=7d&tz=UTC&granularity=auto");
        JsonNode seven = api(MEMBER, statsUrl());
        assertEquals(7 * 24 * 60, minutesBetween(seven.get("from").asString(), seven.get("to").asString()));
        assertCards(seven);

        String before = statsUrl();
        browser.click("#period-30d");
        String url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("period=30d"), browser.driver.getCurrentUrl());
        JsonNode thirty = api(MEMBER, url);
        assertEquals(30 * 24 * 60, minutesBetween(thirty.get("from").asString(), thirty.get("to").asString()));
        assertTrue(thirty.get("overview").get("requests").asLong() > seven.get("overview").get("requests").asLong());
        assertCards(thirty);

        before = url;
        new Select(browser.find("#tz")).selectByValue("Asia/Kolkata");
        url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("tz=Asia%2FKolkata"), browser.driver.getCurrentUrl());
        JsonNode kolkata = api(MEMBER, url);
        assertEquals("Asia/Kolkata", kolkata.get("tz").asString());
        browser.click("#consumption-bar");
        JsonNode chart = browser.waitFor(d -> chartWith("consumption-chart", "bar"));
        assertEquals(texts(kolkata.get("consumption"), "start"), texts(chart.get("x")));
        assertTrue(chart.get("x").get(1).asString().endsWith("+05:30"), chart.get("x").get(1).asString());
        assertCards(kolkata);

        before = url;
        new Select(browser.find("#granularity")).selectByValue("week");
        url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("granularity=week"));
        JsonNode weekly = api(MEMBER, url);
        assertEquals("week", weekly.get("granularity").asString());
        assertEquals(weekly.get("consumption").size(), browser.waitFor(d -> chartWith("consumption-chart", "bar")).get("x").size());

        before = url;
        browser.click("#model-filter-button");
        browser.waitFor(d -> !browser.all("#model-filter-list input[value='gpt-4o']").isEmpty());
        browser.click("#model-filter-list input[value='gpt-4o']");
        browser.click("#model-filter-apply");
        url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("model=gpt-4o"), browser.driver.getCurrentUrl());
        JsonNode gpt = api(MEMBER, url);
        assertEquals(1, gpt.get("models").get("leaderboard").size());
        assertCards(gpt);

        before = url;
        browser.click("#key-filter-button");
        WebElement search = browser.find("#key-filter-search");
        search.sendKeys("k-prod", Keys.ENTER);
        browser.click("#key-filter-apply");
        url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("key=k-prod"), browser.driver.getCurrentUrl());
        JsonNode gptProd = api(MEMBER, url);
        assertTrue(gptProd.get("overview").get("requests").asLong() < gpt.get("overview").get("requests").asLong());
        assertCards(gptProd);

        // the browser's Back restores the previous view; the URL alone reproduces a view (bookmark)
        before = url;
        browser.driver.navigate().back();
        url = waitRendered(before);
        assertFalse(browser.driver.getCurrentUrl().contains("key="), browser.driver.getCurrentUrl());
        assertCards(api(MEMBER, url));
        String bookmark = browser.driver.getCurrentUrl();
        browser.driver.get(bookmark);
        // the same view; a preset period is resolved again from the browser's clock, so it may have moved a minute
        assertEquals(withoutPeriod(url), withoutPeriod(waitRendered(null)));

        // removing a filter chip
        before = url;
        browser.click(".chip-remove");
        url = waitRendered(before);
        assertFalse(browser.driver.getCurrentUrl().contains("model="));

        // keyboard: the period presets are a radio group moved with the arrow keys
        openStats("period=7d&tz=UTC");
        before = statsUrl();
        browser.js("document.getElementById('period-7d').focus()");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
        url = waitRendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("period=30d"), browser.driver.getCurrentUrl());
        assertEquals("period-30d", browser.driver.switchTo().activeElement().getDomAttribute("id"));

        // custom from-to, typed in the zone
        openStats("period=custom&from=2026-01-01T00:00&to=2026-01-02T00:00&tz=UTC");
        JsonNode custom = api(MEMBER, statsUrl());
        assertEquals("2026-01-01T00:00:00Z", Instant.parse(custom.get("from").asString().replace("+00:00", "Z")).toString());
    }

    @Test
    @Order(4)
    void emptyAndErrorStates() throws Exception {
        signIn(MEMBER);
        openStats("period=7d&tz=UTC&model=no-such-model");
        assertTrue(browser.find("#empty").isDisplayed());
        assertEquals("No usage in this period", browser.find("#empty h2").getText());
        assertFalse(browser.find("#consumption").isDisplayed());
        assertCards(api(MEMBER, statsUrl()));

        browser.driver.get(base() + "/?period=90d&tz=UTC&granularity=minute");
        browser.waitFor(d -> String.valueOf(browser.js("return document.getElementById('main').dataset.rendered"))
                .startsWith("error:"));
        WebElement notice = browser.find("#notice");
        assertTrue(notice.isDisplayed());
        assertEquals("alert", notice.getDomAttribute("role"));
        HttpResponse<String> answer = get(MEMBER, statsUrl());
        assertEquals(400, answer.statusCode());
        assertTrue(notice.getText().contains(JSON.readTree(answer.body()).get("message").asString()), notice.getText());
    }

    @Test
    @Order(5)
    void csvDownloadsEqualTheApi() throws Exception {
        signIn(MEMBER);
        openStats("period=30d&tz=UTC");
        JsonNode stats = api(MEMBER, statsUrl());
        browser.click("#consumption-csv");
        String csv = download("consumption-");
        StringBuilder expected = new StringBuilder("start,end,requests,quota,credits,tokens\n");
        for (JsonNode c : stats.get("consumption")) {
            expected.append(c.get("start").asString()).append(',').append(c.get("end").asString()).append(',')
                    .append(c.get("requests").asLong()).append(',').append(c.get("quota").asLong()).append(',')
                    .append(c.get("credits").asString()).append(',').append(c.get("tokens").asLong()).append('\n');
        }
        assertEquals(expected.toString(), csv);

        browser.click("#tab-button-distribution");
        browser.click("#models-csv");
        String distribution = download("call-distribution-");
        List<String> lines = distribution.lines().toList();
        assertEquals("model,requests,share", lines.get(0));
        JsonNode shares = stats.get("models").get("distribution");
        assertEquals(shares.size() + 1, lines.size());
        for (int i = 0; i < shares.size(); i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals(shares.get(i).get("model").asString(), cells[0]);
            assertEquals(shares.get(i).get("requests").asLong(), Long.parseLong(cells[1]));
            assertEquals(0, new BigDecimal(shares.get(i).get("share").asString()).compareTo(new BigDecimal(cells[2])));
        }
        browser.click("#tab-button-trends");

        browser.driver.get(base() + "/logs?period=30d&tz=UTC&model=" + RARE);
        waitRendered(null);
        String href = browser.find("#export").getDomAttribute("href");
        assertTrue(href.startsWith("/api/v1/logs.csv?") && href.contains("model=" + RARE), href);
        browser.click("#export");
        String logs = download("usage-logs-");
        HttpResponse<String> api = get(MEMBER, href);
        assertEquals(200, api.statusCode());
        assertEquals(api.body(), logs);
        assertEquals(RARE_COUNT + 1, logs.lines().count());
    }

    @Test
    @Order(6)
    void logsPageForwardAndBackWithoutGapsOrRepeats() throws Exception {
        signIn(MEMBER);
        browser.driver.get(base() + "/logs?period=30d&tz=UTC&model=" + RARE + "&limit=20");
        String first = waitRendered(null);
        List<String> everything = new ArrayList<>();
        String all = first.replace("limit=20", "limit=1000");
        for (JsonNode item : api(MEMBER, all).get("items")) {
            everything.add(item.get("id").asString());
        }
        assertEquals(RARE_COUNT, everything.size());

        List<List<String>> pages = new ArrayList<>();
        pages.add(rowIds());
        assertTrue(browser.find("#prev-page").getDomAttribute("disabled") != null);
        String url = first;
        while (browser.find("#next-page").isEnabled()) {
            browser.click("#next-page");
            url = waitRendered(url);
            pages.add(rowIds());
        }
        assertEquals(List.of(20, 20, 7), pages.stream().map(List::size).toList());
        List<String> forward = pages.stream().flatMap(List::stream).toList();
        assertEquals(everything, forward, "pages join up without gaps or repeats, newest first");
        assertEquals(forward.size(), new HashSet<>(forward).size());

        for (int i = pages.size() - 2; i >= 0; i--) {
            browser.click("#prev-page");
            url = waitRendered(url);
            assertEquals(pages.get(i), rowIds(), "page " + (i + 1) + " again");
        }
        assertFalse(browser.find("#prev-page").isEnabled());

        // the row shows the API's item, time in the page's zone; details open on demand
        JsonNode item = api(MEMBER, first).get("items").get(0);
        WebElement row = browser.find("#logs-table tbody tr[data-id]");
        List<WebElement> cells = row.findElements(By.tagName("td"));
        assertEquals(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
                .format(Instant.parse(item.get("time").asString())), cells.get(0).getText());
        assertEquals(item.get("key").asString(), cells.get(1).getText());
        assertEquals(RARE, cells.get(2).getText());
        assertTrue(cells.get(3).getText().startsWith(group(item.get("prompt_tokens").asLong()) + " / "
                + group(item.get("completion_tokens").asLong())), cells.get(3).getText());
        assertExact(item.get("quota"), cells.get(4).getText());
        assertExact(item.get("credits"), cells.get(5).getText());
        WebElement details = row.findElement(By.cssSelector(".details-button"));
        assertEquals("false", details.getDomAttribute("aria-expanded"));
        browser.click(details);
        WebElement open = browser.find("#" + details.getDomAttribute("aria-controls"));
        assertTrue(open.isDisplayed());
        assertTrue(open.getText().contains(item.get("id").asString()));

        // linked from Usage Stats with the same filters
        openStats("period=30d&tz=UTC&model=" + RARE);
        String link = browser.find("#logs-link").getDomAttribute("href");
        assertTrue(link.startsWith("/logs?") && link.contains("period=30d") && link.contains("model=" + RARE), link);
        browser.click("#logs-link");
        waitRendered(null);
        assertTrue(browser.driver.getCurrentUrl().contains("/logs?"));
        assertEquals(20, Math.min(20, rowIds().size()));
    }

    @Test
    @Order(7)
    void aMemberNeverSeesAdminControlsAndAnAdminPicksAccounts() throws Exception {
        signIn(MEMBER);
        openStats("period=30d&tz=UTC");
        assertFalse(browser.find("#account-field").isDisplayed());
        assertFalse(browser.find("#accounts").isDisplayed());
        assertTrue(browser.all("#ranking-table").isEmpty());
        assertTrue(browser.all("a[href='/admin']").isEmpty());
        browser.click("#account-menu-button");
        String menu = browser.find("#account-menu").getText();
        assertFalse(menu.contains("Users") || menu.contains("Ingest keys"), menu);
        assertTrue(browser.all("#account-menu a[href^='/admin']").isEmpty());
        browser.click("#account-menu-button");
        browser.driver.get(base() + "/logs?period=30d&tz=UTC");
        waitRendered(null);
        assertFalse(browser.find("#account-field").isDisplayed());
        browser.driver.get(base() + "/admin");
        browser.waitFor(d -> browser.find("#notice").isDisplayed());
        assertFalse(browser.find("#admin-content").isDisplayed());
        // and the page cannot be talked into another account
        browser.driver.get(base() + "/?period=30d&tz=UTC&account=globex");
        String url = waitRendered(null);
        assertFalse(url.contains("globex"), url);
        assertEquals("acme", api(MEMBER, url).get("account").asString());

        signIn(ADMIN);
        openStats("period=30d&tz=UTC");
        assertTrue(browser.find("#account-field").isDisplayed());
        assertTrue(browser.find("#accounts").isDisplayed());
        url = statsUrl();
        JsonNode stats = api(ADMIN, url);
        JsonNode ranking = api(ADMIN, "/api/v1/admin/accounts?from=" + enc(stats.get("from").asString())
                + "&to=" + enc(stats.get("to").asString()));
        List<WebElement> rows = browser.all("#ranking-table tbody tr");
        assertEquals(ranking.get("accounts").size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode a = ranking.get("accounts").get(i);
            assertEquals(a.get("account").asString(), rows.get(i).getDomAttribute("data-account"));
            assertExact(a.get("requests"), rows.get(i).findElements(By.tagName("td")).get(1).getText());
        }
        assertEquals("acme", stats.get("account").asString(), "the busiest account first");
        List<String> options = new Select(browser.find("#account")).getOptions().stream().map(o -> o.getDomAttribute("value")).toList();
        assertTrue(options.containsAll(List.of("acme", "globex")), options.toString());
        new Select(browser.find("#account")).selectByValue("globex");
        url = waitRendered(url);
        assertTrue(browser.driver.getCurrentUrl().contains("account=globex"));
        JsonNode globex = api(ADMIN, url);
        assertEquals("globex", globex.get("account").asString());
        assertCards(globex);
        browser.click("#account-menu-button");
        assertTrue(browser.find("#account-menu").getText().contains("Ingest keys"));
        assertFalse(browser.all("a[href='/admin']").isEmpty());
    }

    @Test
    @Order(8)
    void accountMenuPersonalTokensPasswordAndSignOut() throws Exception {
        signIn(CAROL);
        openStats("period=7d&tz=UTC");
        browser.click("#account-menu-button");
        browser.click("#account-menu a[href='/account#tokens']");
        browser.waitFor(d -> "true".equals(browser.js("return document.getElementById('main').dataset.ready")));
        browser.find("#token-name").sendKeys("ci-script");
        browser.click("#create-token");
        browser.waitFor(d -> browser.find("#token-created").isDisplayed());
        String token = browser.find("#new-token").getDomProperty("value");
        assertFalse(token.isBlank());
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/me"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, me.statusCode());
        assertEquals(CAROL, JSON.readTree(me.body()).get("username").asString());
        browser.waitFor(d -> browser.all("#tokens-list tbody tr").size() == 1);
        assertFalse(browser.find("#tokens-list").getText().contains(token), "the list never shows the secret");

        browser.click("#tokens-list tbody tr button");
        browser.waitFor(d -> browser.find("dialog.dialog").isDisplayed());
        browser.click("dialog.dialog .button.danger");
        browser.waitFor(d -> !browser.all("#no-tokens").isEmpty());
        HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/me"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, revoked.statusCode());

        String newPassword = "battery-staple-2";
        browser.find("#current-password").sendKeys(PASSWORD);
        browser.find("#new-password").sendKeys(newPassword);
        browser.find("#confirm-password").sendKeys(newPassword);
        browser.click("#change-password");
        browser.waitFor(d -> browser.find("#password-message").getText().equals("Password changed."));
        passwords.put(CAROL, newPassword);
        assertEquals(200, get(CAROL, "/api/v1/me").statusCode());

        browser.size(360, 800);
        browser.driver.navigate().refresh();
        browser.waitFor(d -> "true".equals(browser.js("return document.getElementById('main').dataset.ready")));
        assertNoHorizontalOverflow(360);
        browser.size(1440, 900);

        browser.click("#account-menu-button");
        browser.click("#sign-out");
        browser.waitFor(d -> d.getCurrentUrl().contains("/login"));
        browser.driver.get(base() + "/logs");
        browser.waitFor(d -> d.getCurrentUrl().contains("/login"));
    }

    @Test
    @Order(9)
    void adminPagesManageUsersAndIngestKeys() throws Exception {
        signIn(ADMIN);
        browser.driver.get(base() + "/admin");
        browser.waitFor(d -> "true".equals(browser.js("return document.getElementById('main').dataset.ready")));
        browser.find("#user-name").sendKeys("dave");
        browser.find("#user-password").sendKeys("dave-password-1");
        new Select(browser.find("#user-role")).selectByValue("member");
        browser.find("#user-account").sendKeys("globex");
        browser.click("#create-user");
        browser.waitFor(d -> !browser.all("#users-list tr[data-username='dave']").isEmpty());
        assertTrue(api(ADMIN, "/api/v1/admin/users").toString().contains("\"dave\""));
        browser.click("#users-list tr[data-username='dave'] button");
        browser.click("dialog.dialog .button.danger");
        browser.waitFor(d -> browser.all("#users-list tr[data-username='dave']").isEmpty());
        assertFalse(api(ADMIN, "/api/v1/admin/users").toString().contains("\"dave\""));

        browser.find("#key-name").sendKeys("gateway-under-test");
        browser.click("#create-key");
        browser.waitFor(d -> browser.find("#key-created").isDisplayed());
        String key = browser.find("#new-key").getDomProperty("value");
        String event = "{\"id\":\"console-1\",\"account\":\"scratch\",\"time\":\"" + NOW.minusSeconds(120)
                + "\",\"model\":\"m\",\"prompt_tokens\":1,\"completion_tokens\":1,\"quota\":1}";
        assertEquals(200, ingest(key, event).statusCode());
        WebElement row = browser.waitFor(d -> browser.all("#keys-list tbody tr").stream()
                .filter(r -> r.getText().contains("gateway-under-test")).findFirst().orElse(null));
        browser.click(row.findElement(By.tagName("button")));
        browser.click("dialog.dialog .button.danger");
        browser.waitFor(d -> browser.all("#keys-list tbody tr").stream()
                .anyMatch(r -> r.getText().contains("gateway-under-test") && r.getText().contains("Revoked")));
        assertEquals(401, ingest(key, event.replace("console-1", "console-2")).statusCode());

        browser.size(360, 800);
        browser.driver.navigate().refresh();
        browser.waitFor(d -> "true".equals(browser.js("return document.getElementById('main').dataset.ready")));
        assertNoHorizontalOverflow(360);
        browser.screenshot(SHOTS.resolve("admin-light-360.png"), 360);
        browser.size(1440, 900);
        browser.screenshot(SHOTS.resolve("admin-light-1440.png"), 1440);
    }

    @Test
    @Order(10)
    void languageAndThemeSwitchAndStay() throws Exception {
        signIn(MEMBER);
        openStats("period=7d&tz=UTC");
        assertEquals("Usage Stats", browser.find("h1").getText());
        browser.click("#lang-toggle");
        browser.waitFor(d -> "使用统计".equals(browser.find("h1").getText()));
        assertEquals("zh-CN", browser.find("html").getDomAttribute("lang"));
        assertEquals("总请求数", browser.find("#card-requests h3").getText());
        browser.driver.navigate().refresh();
        waitRendered(null);
        assertEquals("使用统计", browser.find("h1").getText(), "the language choice is remembered");
        // the reload resolved "7d" again from the browser's clock, so the shown period is the one it rendered now
        assertCards(api(MEMBER, browser.find("main").getDomAttribute("data-rendered")));
        browser.click("#lang-toggle");
        browser.waitFor(d -> "Usage Stats".equals(browser.find("h1").getText()));

        browser.click("#theme-toggle");
        assertEquals("dark", browser.find("html").getDomAttribute("data-theme"));
        browser.driver.navigate().refresh();
        waitRendered(null);
        assertEquals("dark", browser.find("html").getDomAttribute("data-theme"), "the theme choice is remembered");
        browser.click("#theme-toggle");
        assertEquals("light", browser.find("html").getDomAttribute("data-theme"));

        // the first Tab reaches the skip link, and it leads to the content
        browser.driver.navigate().refresh();
        waitRendered(null);
        new Actions(browser.driver).sendKeys(Keys.TAB).perform();
        assertEquals("skip-link", browser.driver.switchTo().activeElement().getDomAttribute("class"));
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        assertEquals("main", browser.driver.switchTo().activeElement().getDomAttribute("id"));
    }

    @Test
    @Order(11)
    void screenshotsInBothThemesOnDesktopAndPhoneAndNothingOverflowsAt360() throws Exception {
        signIn(MEMBER);
        for (String theme : List.of("light", "dark")) {
            prefs(theme, "en");
            for (int width : List.of(1440, 360)) {
                browser.size(width, 900);
                openStats("period=30d&tz=UTC");
                assertNoHorizontalOverflow(width);
                browser.screenshot(SHOTS.resolve("stats-" + theme + "-" + width + ".png"), width);
                browser.driver.get(base() + "/logs?period=30d&tz=UTC");
                waitRendered(null);
                assertNoHorizontalOverflow(width);
                browser.screenshot(SHOTS.resolve("logs-" + theme + "-" + width + ".png"), width);
            }
        }
        prefs("light", "zh");
        browser.size(1440, 900);
        openStats("period=month&tz=Asia/Shanghai");
        browser.click("#consumption-area");
        browser.waitFor(d -> chartWith("consumption-chart", "line"));
        browser.screenshot(SHOTS.resolve("stats-light-1440-zh-month.png"), 1440);
        browser.click("#consumption-bar");
        browser.driver.manage().deleteAllCookies();
        prefs("light", "en");
        for (String theme : List.of("light", "dark")) {
            prefs(theme, "en");
            browser.driver.get(base() + "/login");
            browser.waitFor(d -> browser.find("#username").isDisplayed());
            browser.screenshot(SHOTS.resolve("login-" + theme + "-1440.png"), 1440);
        }
        prefs("light", "en");
        browser.size(1440, 900);
    }

    @Test
    @Order(12)
    void theMonthViewProjectsTheMonthEnd() throws Exception {
        signIn(MEMBER);
        openStats("period=month&tz=UTC");
        browser.click("#consumption-area");
        JsonNode area = browser.waitFor(d -> chartWith("consumption-chart", "line"));
        JsonNode stats = api(MEMBER, statsUrl());
        long now = System.currentTimeMillis();
        JsonNode quota = area.get("series").get(0).get("data");
        for (int i = 0; i < stats.get("consumption").size(); i++) {
            JsonNode c = stats.get("consumption").get(i);
            boolean future = Instant.parse(c.get("start").asString().replace("+00:00", "Z")).toEpochMilli() > now;
            if (future) {
                assertTrue(quota.get(i).isNull(), "no bar or line for a bucket that has not begun");
            } else {
                assertEquals(c.get("quota").asLong(), quota.get(i).asLong());
            }
        }
        assertEquals(2, area.get("series").size(), "the area chart carries the projection");
        assertEquals("projection", area.get("series").get(1).get("id").asString());
        assertTrue(browser.find("#projection-note").isDisplayed());
        long projected = Long.parseLong(browser.find("#projection-note").getDomAttribute("data-total"));
        assertTrue(projected >= stats.get("overview").get("quota").asLong());
        browser.click("#consumption-bar");
    }

    @Test
    @Order(13)
    void drawTimeOfTheStatsPageWith30DaysOfData() throws Exception {
        signIn(MEMBER);
        prefs("light", "en");
        browser.size(1440, 900);
        openStats("period=30d&tz=UTC"); // warm the server
        browser.driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
        browser.driver.get(base() + "/?period=30d&tz=UTC");
        long cold = drawnMillis();
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            browser.driver.get(base() + "/?period=30d&tz=UTC&run=" + i);
            warm.add(drawnMillis());
        }
        List<Long> sorted = warm.stream().sorted().toList();
        System.out.println("CONSOLE DRAW TIME, last run in detail (ms since navigation start): " + browser.js("""
                const nav = performance.getEntriesByType('navigation')[0];
                const r = (p) => performance.getEntriesByType('resource').find((e) => e.name.includes(p));
                const span = (e) => e ? Math.round(e.startTime) + '-' + Math.round(e.responseEnd) : '?';
                return 'html ' + Math.round(nav.responseEnd) + ', DOMContentLoaded ' + Math.round(nav.domContentLoadedEventEnd)
                  + ', echarts ' + span(r('echarts')) + ', /api/v1/me ' + span(r('/api/v1/me'))
                  + ', /api/v1/stats ' + span(r('/api/v1/stats')) + ', drawn ' + document.getElementById('main').dataset.drawn;
                """));
        JsonNode stats = api(MEMBER, statsUrl());
        System.out.printf("CONSOLE DRAW TIME: Usage Stats page, 30 days (%d events of the account in the period, %d seeded,"
                        + " %d buckets, %d models), navigation start -> every visible chart drawn: cold cache %d ms;"
                        + " warm median %d ms, min %d ms, max %d ms (runs %s); %d cores%n",
                stats.get("overview").get("requests").asLong(), seeded, stats.get("consumption").size(),
                stats.get("models").get("leaderboard").size(), cold, sorted.get(sorted.size() / 2), sorted.get(0),
                sorted.get(sorted.size() - 1), warm, Runtime.getRuntime().availableProcessors());
    }

    @Test
    @Order(14)
    void theEChartsWebJarIsKeptAndThePagesOwnFilesAreRevalidated() throws Exception {
        HttpResponse<String> echarts = get(MEMBER, "/webjars/echarts/5.3.1/dist/echarts.esm.min.js");
        assertEquals(200, echarts.statusCode());
        String kept = echarts.headers().firstValue("Cache-Control").orElse("");
        assertTrue(kept.contains("max-age=31536000") && kept.contains("immutable"), kept);
        for (String file : List.of("/js/stats-page.js", "/css/console.css")) {
            HttpResponse<String> first = get(MEMBER, file);
            String control = first.headers().firstValue("Cache-Control").orElse("");
            assertTrue(control.contains("no-cache") && !control.contains("no-store"), file + ": " + control);
            String modified = first.headers().firstValue("Last-Modified").orElseThrow();
            String basic = Base64.getEncoder().encodeToString((MEMBER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(base() + file))
                    .header("Authorization", "Basic " + basic).header("If-Modified-Since", modified).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(304, again.statusCode(), file);
        }
    }

    @Test
    @Order(99)
    void noContentSecurityPolicyViolationsOrScriptErrorsOnAnyPage() {
        List<String> console = browser.consoleSoFar();
        List<String> problems = console.stream()
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to") || m.contains("Uncaught"))
                .toList();
        assertEquals(List.of(), problems);
    }

    // ------------------------------------------------------------------ helpers

    String base() {
        return "http://127.0.0.1:" + port;
    }

    void prefs(String theme, String lang) {
        if (!browser.driver.getCurrentUrl().startsWith(base())) {
            browser.driver.get(base() + "/login");
        }
        browser.js("localStorage.setItem('tokenstats.theme', arguments[0]); localStorage.setItem('tokenstats.lang', arguments[1]);",
                theme, lang);
    }

    /** Signs in through the sign-in page (after signing out whoever was signed in). */
    void signIn(String user) {
        browser.driver.manage().deleteAllCookies();
        browser.driver.get(base() + "/login");
        browser.waitFor(d -> browser.find("#username").isDisplayed());
        browser.find("#username").sendKeys(user);
        browser.find("#password").sendKeys(passwords.get(user));
        browser.click("#sign-in button[type=submit]");
        browser.waitFor(d -> !d.getCurrentUrl().contains("/login"));
        waitRendered(null);
    }

    void openStats(String query) {
        browser.driver.get(base() + "/?" + query);
        waitRendered(null);
    }

    /** A stats request without its from and to. */
    static String withoutPeriod(String url) {
        return url.replaceAll("([?&])(from|to)=[^&]*", "$1");
    }

    String statsUrl() {
        return (String) browser.js("return document.getElementById('main').dataset.statsUrl");
    }

    /**
     * Waits until the page has drawn the answer to its current request (and it differs from {@code previous}),
     * returning that request ({@code /api/v1/...}).
     */
    String waitRendered(String previous) {
        return browser.waitFor(d -> {
            Object v = browser.js("const m = document.getElementById('main');"
                    + " if (!m) return null;"
                    + " const want = m.dataset.statsUrl || m.dataset.logsUrl;"
                    + " return m.dataset.rendered && m.dataset.rendered === want ? want : null;");
            return v == null || v.equals(previous) ? null : (String) v;
        });
    }

    long drawnMillis() {
        waitRendered(null);
        return browser.waitFor(d -> {
            Object v = browser.js("return document.getElementById('main').dataset.drawn");
            return v == null ? null : Long.parseLong((String) v);
        });
    }

    List<String> rowIds() {
        return browser.all("#logs-table tbody tr[data-id]").stream().map(r -> r.getDomAttribute("data-id")).toList();
    }

    /** The chart's option as ECharts holds it (x categories, series), once its first series has the type. */
    JsonNode chartWith(String id, String type) {
        Object json = browser.jsAsync("""
                const id = arguments[0], done = arguments[arguments.length - 1];
                const href = document.querySelector('link[rel=modulepreload][href*="echarts"]').href;
                import(href).then((echarts) => {
                  const box = document.getElementById(id);
                  const chart = box && echarts.getInstanceByDom(box);
                  if (!chart) return done(null);
                  const o = chart.getOption();
                  const canvas = box.querySelector('canvas');
                  done(JSON.stringify({
                    x: o.xAxis && o.xAxis.length ? o.xAxis[0].data : null,
                    series: o.series.map((s) => ({ id: s.id, name: s.name, type: s.type, data: s.data })),
                    canvas: !!canvas, width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0,
                  }));
                }).catch((e) => done(null));
                """, id);
        if (json == null) {
            return null;
        }
        JsonNode node = JSON.readTree((String) json);
        return node.get("series").size() > 0 && type.equals(node.get("series").get(0).get("type").asString()) ? node : null;
    }

    static void assertCanvas(JsonNode chart) {
        assertTrue(chart.get("canvas").asBoolean(), "a canvas is drawn");
        assertTrue(chart.get("width").asInt() > 100 && chart.get("height").asInt() > 100, chart.toString());
    }

    void assertCards(JsonNode stats) {
        JsonNode o = stats.get("overview");
        JsonNode p = o.get("previous");
        JsonNode all = o.get("all_time");
        card("requests", o.get("requests"), p.get("requests"), all.get("requests"));
        card("quota", o.get("quota"), p.get("quota"), all.get("quota"));
        card("credits", o.get("credits"), p.get("credits"), all.get("credits"));
        card("rpm", o.get("avg_rpm"), p.get("avg_rpm"), o.get("peak_rpm"));
        card("tpm", o.get("avg_tpm"), p.get("avg_tpm"), o.get("peak_tpm"));
    }

    void card(String name, JsonNode value, JsonNode previous, JsonNode beside) {
        String at = "#card-" + name + " ";
        assertExact(value, browser.find(at + "[data-value]").getText());
        assertExact(previous, browser.find(at + "[data-previous]").getText());
        assertExact(beside, browser.find(at + "[data-all]").getText());
        BigDecimal now = new BigDecimal(value.asString());
        BigDecimal before = new BigDecimal(previous.asString());
        String direction = browser.find(at + "[data-delta]").getDomAttribute("class");
        if (before.signum() == 0) {
            assertTrue(direction.contains(now.signum() == 0 ? "delta-flat" : "delta-new"), direction);
        } else if (now.compareTo(before) != 0) {
            boolean flat = now.subtract(before).abs().divide(before, 6, java.math.RoundingMode.HALF_UP)
                    .compareTo(new BigDecimal("0.0005")) < 0;
            assertTrue(direction.contains(flat ? "delta-flat" : now.compareTo(before) > 0 ? "delta-up" : "delta-down"),
                    name + " " + value + " vs " + previous + ": " + direction);
        }
    }

    /** The shown figure is exactly the API's (digit grouping aside). */
    static void assertExact(JsonNode api, String shown) {
        String digits = shown.replace(",", "").trim();
        assertEquals(0, new BigDecimal(api.asString()).compareTo(new BigDecimal(digits)), api + " shown as " + shown);
    }

    static String group(long n) {
        return String.format(java.util.Locale.US, "%,d", n);
    }

    void assertNoHorizontalOverflow(int width) {
        long scroll = ((Number) browser.js("return document.documentElement.scrollWidth")).longValue();
        long client = ((Number) browser.js("return document.documentElement.clientWidth")).longValue();
        assertTrue(scroll <= client, "page wider than the window at " + width + " px: " + scroll + " > " + client);
    }

    String download(String prefix) throws Exception {
        Path file = browser.waitFor(d -> {
            try (Stream<Path> files = Files.list(browser.downloads)) {
                return files.filter(f -> f.getFileName().toString().startsWith(prefix)
                        && f.getFileName().toString().endsWith(".csv")).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.delete(file);
        return text;
    }

    JsonNode api(String user, String pathAndQuery) throws Exception {
        HttpResponse<String> answer = get(user, pathAndQuery);
        assertEquals(200, answer.statusCode(), pathAndQuery + " -> " + answer.body());
        return JSON.readTree(answer.body());
    }

    HttpResponse<String> get(String user, String pathAndQuery) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + passwords.get(user)).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).header("Authorization", "Basic " + basic)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> ingest(String key, String event) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[" + event + "]")).build(), HttpResponse.BodyHandlers.ofString());
    }

    static long minutesBetween(String from, String to) {
        return Duration.between(java.time.OffsetDateTime.parse(from), java.time.OffsetDateTime.parse(to)).toMinutes();
    }

    static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asString()));
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    static List<Long> longs(JsonNode array, String field) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asLong()));
        return out;
    }

    static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isNull() ? null : n.asLong()));
        return out;
    }
}

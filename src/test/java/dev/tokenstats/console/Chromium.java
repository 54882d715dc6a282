package dev.tokenstats.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * A real headless Chromium driven by the system's ChromeDriver (no Selenium Manager downloads): a fresh profile,
 * no background networking, downloads into a temp folder, and the browser console kept for CSP checks.
 */
final class Chromium implements AutoCloseable {

    static final String BINARY = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    final Path downloads;
    private final Path profile;
    private final List<String> console = new ArrayList<>();

    Chromium() {
        try {
            profile = Files.createTempDirectory("tokenstats-chromium-");
            downloads = Files.createTempDirectory("tokenstats-downloads-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--lang=en-US", "--window-size=1440,900", "--hide-scrollbars",
                "--disable-features=Translate,MediaRouter,OptimizationHints");
        options.setExperimentalOption("prefs", Map.of(
                "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false,
                "intl.accept_languages", "en-US,en"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    <T> T waitFor(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Clicks an element after scrolling it to the middle of the window (clear of the sticky top bar). */
    void click(String css) {
        WebElement e = find(css);
        js("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", e);
        e.click();
    }

    void click(WebElement e) {
        js("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", e);
        e.click();
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** A screenshot of the whole page (the window grows to the page's height for it). */
    void screenshot(Path file, int width) {
        try {
            Files.createDirectories(file.getParent());
            size(width, 900);
            long height = ((Number) js("return document.documentElement.scrollHeight")).longValue();
            size(width, (int) Math.min(height, 8000));
            js("window.scrollTo(0, 0)");
            js("return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            Thread.sleep(250); // charts follow the resize on their next frame
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            size(width, 900);
        }
    }

    /** Browser console messages since the last call (kept for the whole session in {@link #consoleSoFar()}). */
    List<String> drainConsole() {
        List<String> fresh = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            fresh.add(e.getLevel() + " " + e.getMessage());
        }
        console.addAll(fresh);
        return fresh;
    }

    List<String> consoleSoFar() {
        drainConsole();
        return List.copyOf(console);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
            delete(downloads);
        }
    }

    static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder: best effort
        }
    }
}

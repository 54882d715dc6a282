package dev.tokenstats.imports;

import dev.tokenstats.store.UsageStore;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The store of an in-process import, opened like the server opens it (same properties: {@code
 * --tokenstats.data-dir}, {@code --tokenstats.store}, {@code --spring.datasource.*}; same migrations).
 * The embedded DuckDB file belongs to one process at a time: when a server holds it, opening fails with
 * a message that says so.
 */
final class ImportStore implements AutoCloseable {

    private static final Pattern LOCK = Pattern.compile("Could not set lock on file \"?([^\":]+)\"?.*?\\(PID (\\d+)\\)", Pattern.DOTALL);

    private final ConfigurableApplicationContext context;

    private ImportStore(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static ImportStore open(List<String> springArgs) {
        try {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(ImportContext.class)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .registerShutdownHook(false) // the importer closes the store itself, after its last write
                    .properties("logging.level.root=WARN", "logging.level.org.springframework.boot.SpringApplication=OFF")
                    .run(springArgs.toArray(String[]::new));
            return new ImportStore(context);
        } catch (RuntimeException e) {
            throw new ImportFailure(explain(e), e);
        }
    }

    static String explain(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            String m = t.getMessage();
            if (m != null && m.contains("Could not set lock on file")) {
                Matcher matcher = LOCK.matcher(m);
                String pid = matcher.find() ? " (process " + matcher.group(2) + ")" : "";
                return "the store is in use by another process" + pid + ", most likely a running tokenstats server."
                        + " Import through it instead: --url http://127.0.0.1:8080 --key <ingest key with backfill>,"
                        + " or stop it and import again.";
            }
        }
        return "cannot open the store: " + root.getMessage();
    }

    UsageStore store() {
        return context.getBean(UsageStore.class);
    }

    Clock clock() {
        return context.getBean(Clock.class);
    }

    Environment environment() {
        return context.getEnvironment();
    }

    Path dataDir() {
        return Path.of(environment().getProperty("tokenstats.data-dir", "data")).toAbsolutePath().normalize();
    }

    Duration maxAge() {
        return environment().getProperty("tokenstats.ingest.max-age", Duration.class, Duration.ofDays(35));
    }

    Duration maxFuture() {
        return environment().getProperty("tokenstats.ingest.max-future", Duration.class, Duration.ofMinutes(5));
    }

    Duration rawRetention() {
        return environment().getProperty("tokenstats.retention.raw", Duration.class, Duration.ofDays(400));
    }

    long quotaPerCredit() {
        return environment().getProperty("tokenstats.quota-per-credit", Long.class, 500_000L);
    }

    String identity() {
        String engine = environment().getProperty("tokenstats.store", "duckdb");
        if (engine.equals("postgres")) {
            String url = environment().getProperty("spring.datasource.url", "");
            return "postgres store " + url.replaceAll("(?i)password=[^&;]*", "password=***");
        }
        return "store " + dataDir();
    }

    @Override
    public void close() {
        context.close();
    }
}

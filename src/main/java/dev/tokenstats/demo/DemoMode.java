package dev.tokenstats.demo;

import dev.tokenstats.accounts.IngestKeys;
import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import dev.tokenstats.demo.DemoCatalog.Account;
import dev.tokenstats.store.AppendResult;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Demo mode ({@code tokenstats.demo=true}, set by {@code --demo}): once the server is up, makes sure the
 * demo accounts have their users, registers a demo gateway key, fills the last 90 days with generated
 * traffic ({@link DemoTraffic}) through {@link UsageStore#append} — the same dedup and rollups as live
 * ingestion — and prints the sign-ins and the URL. A later start tops up from the last generated event
 * to now; everything before is generated identically and so stored once.
 */
@Component
@ConditionalOnProperty(name = "tokenstats.demo", havingValue = "true")
class DemoMode implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DemoMode.class);
    static final String GATEWAY_KEY = "demo-gateway-key";
    private static final long HOUR_MS = 3_600_000L;
    private static final int BATCH = 25_000;

    /** What one fill did. */
    record Fill(long fromMs, long toMs, long generated, long accepted, long duplicates, long millis) {
    }

    private final UsageStore store;
    private final Users users;
    private final IngestKeys ingestKeys;
    private final Clock clock;
    private final Environment env;
    private final Path dataDir;
    private final long quotaPerCredit;
    private volatile Fill lastFill;

    DemoMode(UsageStore store, Users users, IngestKeys ingestKeys, Clock clock, Environment env,
             @Value("${tokenstats.data-dir}") Path dataDir, @Value("${tokenstats.quota-per-credit}") long quotaPerCredit) {
        this.store = store;
        this.users = users;
        this.ingestKeys = ingestKeys;
        this.clock = clock;
        this.env = env;
        this.dataDir = dataDir;
        this.quotaPerCredit = quotaPerCredit;
    }

    @Override
    public void run(ApplicationArguments args) {
        ensureSignIns();
        Fill fill = fill();
        lastFill = fill;
        print(fill);
    }

    /** What the fill at start did (null before it ran). */
    Fill lastFill() {
        return lastFill;
    }

    static String passwordOf(String username) {
        return username + "-demo";
    }

    private void ensureSignIns() {
        for (Account a : DemoCatalog.ACCOUNTS) {
            try {
                users.loadUserByUsername(a.name());
                users.changePassword(a.name(), passwordOf(a.name())); // the printed password always works
            } catch (UsernameNotFoundException e) {
                users.create(a.name(), passwordOf(a.name()), Viewer.Role.member, a.name());
            }
        }
        ingestKeys.register("demo gateway", GATEWAY_KEY);
    }

    /** The generator of this data folder: its origin (start of the first 90 days) is kept in demo.properties. */
    DemoTraffic traffic() {
        Path file = dataDir.resolve("demo.properties");
        Properties p = new Properties();
        try {
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
            } else {
                long origin = Math.floorDiv(clock.millis(), HOUR_MS) * HOUR_MS - DemoTraffic.DAYS * 24 * HOUR_MS;
                p.setProperty("origin", Long.toString(origin));
                p.setProperty("seed", "20261128");
                Files.createDirectories(dataDir);
                try (OutputStream out = Files.newOutputStream(file)) {
                    p.store(out, "tokenstats demo: where the generated 90 days began; keep it to keep re-runs identical");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
        return new DemoTraffic(Long.parseLong(p.getProperty("seed")), Long.parseLong(p.getProperty("origin")),
                quotaPerCredit, DemoCatalog.ACCOUNTS);
    }

    /**
     * Generates and appends the events from the last generated one (or 90 days ago) to now. The hour of
     * the last event is generated again in full: what was stored before comes out identical and is
     * counted as duplicates.
     */
    Fill fill() {
        long t0 = System.nanoTime();
        DemoTraffic traffic = traffic();
        long now = clock.millis();
        long windowStart = now - Duration.ofDays(DemoTraffic.DAYS).toMillis();
        long from = windowStart;
        Optional<Long> last = lastGenerated(traffic);
        if (last.isPresent()) {
            from = Math.max(windowStart, last.get());
        }
        long firstHour = Math.floorDiv(from, HOUR_MS) * HOUR_MS;
        long total = (now - firstHour) / HOUR_MS + 1;
        boolean fresh = last.isEmpty();
        if (fresh) {
            System.out.println("tokenstats demo: generating 90 days of usage for " + traffic.accounts().size()
                    + " accounts (once; later starts only top up) ...");
        }
        long generated = 0, accepted = 0, duplicates = 0;
        int lastPercent = 0;
        List<UsageEvent> batch = new ArrayList<>(BATCH + 4096);
        long hours = 0;
        for (long hour = firstHour; hour <= now; hour += HOUR_MS) {
            for (UsageEvent e : traffic.hour(hour)) {
                if (e.timeMillis() >= windowStart && e.timeMillis() <= now) {
                    batch.add(e);
                }
            }
            hours++;
            if (batch.size() >= BATCH) {
                AppendResult r = store.append(batch);
                generated += batch.size();
                accepted += r.accepted();
                duplicates += r.duplicates();
                batch.clear();
                int percent = (int) (hours * 100 / total);
                if (fresh && percent / 10 > lastPercent / 10) {
                    System.out.printf("tokenstats demo: %d%% (%,d events)%n", percent, accepted);
                    lastPercent = percent;
                }
            }
        }
        if (!batch.isEmpty()) {
            AppendResult r = store.append(batch);
            generated += batch.size();
            accepted += r.accepted();
            duplicates += r.duplicates();
        }
        Fill fill = new Fill(firstHour, now, generated, accepted, duplicates, (System.nanoTime() - t0) / 1_000_000);
        log.info("demo fill: {}", fill);
        return fill;
    }

    /** The time of the last generated event: the earliest of the accounts' newest events (none: empty). */
    private Optional<Long> lastGenerated(DemoTraffic traffic) {
        Long min = null;
        for (Account a : traffic.accounts()) {
            Optional<long[]> range = store.timeRange(a.name());
            if (range.isEmpty()) {
                return Optional.empty();
            }
            min = min == null ? range.get()[1] : Math.min(min, range.get()[1]);
        }
        return Optional.ofNullable(min);
    }

    private void print(Fill fill) {
        String host = env.getProperty("server.address", "127.0.0.1");
        String port = env.getProperty("local.server.port", env.getProperty("server.port", "8080"));
        String url = "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port + "/";
        boolean ownAdmin = !Demo.ADMIN_PASSWORD.equals(env.getProperty("tokenstats.admin-password"));
        StringBuilder b = new StringBuilder();
        b.append('\n').append("tokenstats demo is ready: ").append(url).append('\n');
        b.append(String.format("  data: %s (%,d events added, %,d already there, %.1f s)%n",
                dataDir.toAbsolutePath().normalize(), fill.accepted(), fill.duplicates(), fill.millis() / 1000.0));
        b.append("  sign in (demo credentials):\n");
        b.append(String.format("    %-10s %-16s all accounts%n", "admin", ownAdmin ? "(your TOKENSTATS_ADMIN_PASSWORD)" : Demo.ADMIN_PASSWORD));
        for (Account a : DemoCatalog.ACCOUNTS) {
            b.append(String.format("    %-10s %-16s account %s%n", a.name(), passwordOf(a.name()), a.name()));
        }
        b.append("  gateway ingest key: ").append(GATEWAY_KEY).append("   (POST ").append(url).append("api/v1/events)\n");
        System.out.println(b);
    }
}

package dev.tokenstats.stats;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.UsageStore;
import dev.tokenstats.store.duckdb.DuckDbUsageStore;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** A real DuckDB store in a fresh temporary folder, built the way the app builds it, for tests. */
final class StoreOnDisk implements AutoCloseable {

    final Path dir;
    final HikariDataSource dataSource;
    final DuckDbUsageStore store;

    StoreOnDisk(Clock clock) throws IOException {
        dir = Files.createTempDirectory("tokenstats-stats-");
        dataSource = new HikariDataSource();
        dataSource.setDriverClassName("org.duckdb.DuckDBDriver");
        dataSource.setJdbcUrl("jdbc:duckdb:" + dir.resolve("tokenstats.duckdb"));
        dataSource.setMaximumPoolSize(8);
        dataSource.setMaxLifetime(0);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/duckdb").load().migrate();
        store = new DuckDbUsageStore(dataSource, clock, Duration.ofDays(36));
    }

    UsageStore store() {
        return store;
    }

    @Override
    public void close() throws IOException {
        store.close();
        dataSource.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

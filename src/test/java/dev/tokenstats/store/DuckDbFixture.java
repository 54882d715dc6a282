package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.duckdb.DuckDbUsageStore;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A real DuckDB store on a file in a test's temp folder, migrated like the app does. */
public final class DuckDbFixture implements AutoCloseable {

    public final HikariDataSource dataSource;
    public final DuckDbUsageStore store;

    public DuckDbFixture(Path dir, Clock clock) {
        dataSource = dataSource(dir);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/duckdb").load().migrate();
        store = new DuckDbUsageStore(dataSource, clock, Duration.ofDays(36));
    }

    private static HikariDataSource dataSource(Path dir) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:duckdb:" + dir.resolve("tokenstats.duckdb"));
        dataSource.setMaximumPoolSize(4);
        dataSource.setMaxLifetime(0);
        return dataSource;
    }

    /** The same file without a store on it, for writing it as an older version did. */
    public record Raw(HikariDataSource dataSource) implements AutoCloseable {
        public Raw(Path dir) {
            this(DuckDbFixture.dataSource(dir));
        }

        @Override
        public void close() {
            dataSource.close();
        }
    }

    @Override
    public void close() {
        store.close();
        dataSource.close();
    }
}

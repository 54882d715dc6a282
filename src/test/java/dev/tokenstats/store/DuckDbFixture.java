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
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:duckdb:" + dir.resolve("tokenstats.duckdb"));
        dataSource.setMaximumPoolSize(4);
        dataSource.setMaxLifetime(0);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/duckdb").load().migrate();
        store = new DuckDbUsageStore(dataSource, clock, Duration.ofDays(36));
    }

    @Override
    public void close() {
        store.close();
        dataSource.close();
    }
}

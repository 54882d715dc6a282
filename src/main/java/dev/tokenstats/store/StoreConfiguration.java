package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.duckdb.DuckDbUsageStore;
import dev.tokenstats.store.postgres.PostgresUsageStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Chooses the store engine ({@code tokenstats.store}) and opens it. */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnProperty(name = "tokenstats.store", havingValue = "duckdb", matchIfMissing = true)
    DataSource dataSource(@Value("${tokenstats.data-dir}") Path dataDir,
                          @Value("${tokenstats.duckdb.checkpoint-threshold:256MB}") DataSize checkpointThreshold) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + dataDir.toAbsolutePath(), e);
        }
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("duckdb");
        ds.setDriverClassName("org.duckdb.DuckDBDriver");
        ds.setJdbcUrl("jdbc:duckdb:" + dataDir.toAbsolutePath().resolve("tokenstats.duckdb"));
        ds.setMaximumPoolSize(8);
        ds.setMaxLifetime(0);
        // The WAL size at which DuckDB checkpoints into the file, stalling the commit that crosses it; at
        // DuckDB's 16 MB that was every few seconds of ingestion and set the ingest p99 (benchmarks.md).
        // A global setting: every pooled connection sets the same value.
        ds.setConnectionInitSql("SET checkpoint_threshold = '" + checkpointThreshold.toBytes() + "b'");
        return ds;
    }

    @Bean(destroyMethod = "close")
    @DependsOnDatabaseInitialization
    @ConditionalOnProperty(name = "tokenstats.store", havingValue = "postgres")
    UsageStore postgresUsageStore(DataSource dataSource,
                                  @Value("${tokenstats.postgres.fold-interval:500ms}") Duration foldInterval) {
        return new PostgresUsageStore(dataSource, foldInterval);
    }

    @Bean(destroyMethod = "close")
    @DependsOnDatabaseInitialization
    @ConditionalOnProperty(name = "tokenstats.store", havingValue = "duckdb", matchIfMissing = true)
    UsageStore duckDbUsageStore(DataSource dataSource, Clock clock,
                                @Value("${tokenstats.ingest.max-age}") Duration maxAge,
                                @Value("${tokenstats.duckdb.writers:2}") int writers,
                                @Value("${tokenstats.min-free-disk:64MB}") DataSize minFree) {
        // Dedup covers the whole lateness window plus a day of slack for clock skew.
        return new DuckDbUsageStore(dataSource, clock, maxAge.plusDays(1), writers, minFree.toBytes());
    }
}

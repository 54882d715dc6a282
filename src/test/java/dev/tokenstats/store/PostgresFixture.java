package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.postgres.PostgresUsageStore;
import org.flywaydb.core.Flyway;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * A real PostgreSQL store (the server on 127.0.0.1:5432 that bin/test starts), in a schema of its own
 * so tests never see each other's rows.
 */
public final class PostgresFixture implements AutoCloseable {

    public static final String URL = System.getProperty("tokenstats.test.postgres-url",
            "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getProperty("tokenstats.test.postgres-user", "postgres");

    public final String schema;
    public final HikariDataSource dataSource;
    public final PostgresUsageStore store;

    public PostgresFixture(String schema) {
        this.schema = schema;
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(URL + "?currentSchema=" + schema);
        dataSource.setUsername(USER);
        dataSource.setMaximumPoolSize(8);
        Flyway.configure().dataSource(dataSource).schemas(schema).defaultSchema(schema)
                .locations("classpath:db/postgres").load().migrate();
        store = new PostgresUsageStore(dataSource);
    }

    /** The arguments that make a tokenstats server use this PostgreSQL server's {@code schema} as its store. */
    public static List<String> serverArguments(String schema) {
        return List.of("--tokenstats.store=postgres", "--spring.datasource.url=" + URL + "?currentSchema=" + schema,
                "--spring.datasource.username=" + USER, "--spring.flyway.schemas=" + schema,
                "--spring.flyway.default-schema=" + schema);
    }

    public static String freshSchema(String prefix) {
        return (prefix + "_" + Long.toString(System.nanoTime(), 36)).toLowerCase();
    }

    /** Closes the pool; the schema (and its data) stays, like a database across a restart. */
    @Override
    public void close() {
        dataSource.close();
    }

    public static void drop(String schema) {
        try (var c = DriverManager.getConnection(URL, USER, ""); var s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

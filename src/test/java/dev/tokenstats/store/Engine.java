package dev.tokenstats.store;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Every store engine, for tests that run once per engine. {@link #open} opens a store on a place that
 * survives closing it, so opening it again is a restart.
 */
public enum Engine {
    DUCKDB {
        @Override
        public Opened open(Place place, Clock clock) {
            DuckDbFixture db = new DuckDbFixture(place.dir(), clock);
            return new Opened(db.store, db::close);
        }
    },
    POSTGRES {
        @Override
        public Opened open(Place place, Clock clock) {
            PostgresFixture db = new PostgresFixture(place.schema());
            return new Opened(db.store, db::close);
        }
    };

    /** Where a store keeps its data: a folder (embedded) or a schema (shared database). */
    public record Place(Path dir, String schema) implements AutoCloseable {
        public static Place fresh(Path dir) {
            return new Place(dir, PostgresFixture.freshSchema("t"));
        }

        @Override
        public void close() {
            PostgresFixture.drop(schema);
        }
    }

    public record Opened(UsageStore store, Runnable closer) implements AutoCloseable {
        @Override
        public void close() {
            closer.run();
        }
    }

    public abstract Opened open(Place place, Clock clock);

    /**
     * The engine the engine-agnostic tests run on: {@code -Dtokenstats.test.engine=postgres} (the second
     * surefire run of bin/test) or DuckDB.
     */
    public static Engine current() {
        return valueOf(System.getProperty("tokenstats.test.engine", "duckdb").toUpperCase(java.util.Locale.ROOT));
    }
}

package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded store's data source: where its file lives and the DuckDB settings every connection gets. */
class DuckDbSettingsTest {

    @TempDir
    Path dir;

    @Test
    void everyPooledConnectionCheckpointsAtTheConfiguredWalSize() throws Exception {
        Path data = dir.resolve("data");
        try (HikariDataSource ds = (HikariDataSource) new StoreConfiguration()
                .dataSource(data, DataSize.ofMegabytes(300))) {
            assertThat(Files.isDirectory(data)).isTrue();
            try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
                assertThat(threshold(a)).isEqualTo(threshold(b)).isEqualTo("300.0 MiB");
            }
            assertThat(Files.exists(data.resolve("tokenstats.duckdb"))).isTrue();
        }
    }

    private static String threshold(Connection c) throws Exception {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_setting('checkpoint_threshold')")) {
            r.next();
            return r.getString(1);
        }
    }
}

package dev.tokenstats.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tokenstats.store.duckdb.DuckDbUsageStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store on a disk that fills up during ingestion: a small tmpfs this test mounts (it runs
 * as root, as bin/test and CI do). Writes fail with {@link StoreUnavailableException} (the API's 503),
 * nothing half-written is ever seen, and once space is freed ingestion resumes by itself; in the end every
 * acknowledged event is stored exactly once.
 */
class DiskFullTest {

    Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createTempDirectory("tokenstats-full");
        run("mount", "-t", "tmpfs", "-o", "size=48m", "tokenstats-test", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", "-l", mount.toString());
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    /**
     * minFree 0: DuckDB itself meets the full disk (and invalidates the database; the store reopens it).
     * minFree 8 MiB: the store refuses writes before the disk is full.
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 8 << 20})
    void aFullDiskRefusesWritesThenIngestionResumesWhenSpaceIsFreed(long minFree) throws Exception {
        Path data = Files.createDirectories(mount.resolve("data"));
        Path filler = mount.resolve("filler");
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            f.setLength(0);
            byte[] mb = new byte[1 << 20];
            for (int i = 0; i < 30; i++) {
                f.write(mb); // tmpfs allocates what is written: 30 of 48 MiB taken
            }
        }
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:duckdb:" + data.resolve("tokenstats.duckdb"));
        ds.setMaxLifetime(0);
        ds.setMaximumPoolSize(4);
        Flyway.configure().dataSource(ds).locations("classpath:db/duckdb").load().migrate();
        Clock clock = Clock.systemUTC();
        DuckDbUsageStore store = new DuckDbUsageStore(ds, clock, Duration.ofDays(36), 2, minFree);
        Random r = new Random(1);
        List<List<UsageEvent>> unacknowledged = new ArrayList<>();
        Set<String> acknowledged = new HashSet<>();
        int failures = 0, batchNo = 0;
        try {
            while (failures < 5 && batchNo < 2_000) {
                List<UsageEvent> batch = batch(r, clock, batchNo++);
                try {
                    store.append(batch);
                    batch.forEach(e -> acknowledged.add(e.id()));
                } catch (StoreUnavailableException e) {
                    failures++;
                    unacknowledged.add(batch);
                }
            }
            assertThat(failures).as("the disk filled up").isEqualTo(5);

            Files.delete(filler); // the operator frees space
            long deadline = System.currentTimeMillis() + 60_000;
            for (List<UsageEvent> batch : unacknowledged) { // the gateway retries until acknowledged
                while (true) {
                    try {
                        store.append(batch);
                        batch.forEach(e -> acknowledged.add(e.id()));
                        break;
                    } catch (StoreUnavailableException e) {
                        assertThat(System.currentTimeMillis()).as("recovered within a minute").isLessThan(deadline);
                        Thread.sleep(200);
                    }
                }
            }
            List<UsageEvent> after = batch(r, clock, batchNo);
            assertThat(store.append(after).accepted()).isEqualTo(after.size());
            after.forEach(e -> acknowledged.add(e.id()));

            List<UsageEvent> stored = store.events("acct", 0, Long.MAX_VALUE);
            Set<String> ids = new HashSet<>();
            stored.forEach(e -> ids.add(e.id()));
            assertThat(stored).hasSize(ids.size());
            assertThat(ids).isEqualTo(acknowledged);
            long now = clock.millis() / 60_000;
            StoreTestData.assertRollupsMatchRawEvents(store, "acct", now - 60, now + 2);
        } finally {
            store.close();
            ds.close();
        }
    }

    static List<UsageEvent> batch(Random r, Clock clock, int n) {
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // ids that do not compress, so the disk fills quickly
            batch.add(StoreTestData.event(r, "acct", n + "-" + i + "-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()),
                    clock.millis() - r.nextInt(3_000_000)));
        }
        return batch;
    }
}

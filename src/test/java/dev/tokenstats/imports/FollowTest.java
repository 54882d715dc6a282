package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.imports.NewApiLogsTable.Log;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code import newapi --follow} in process on the machine's MariaDB and PostgreSQL: rows new-api writes while
 * the importer runs are picked up within a poll, and a stop leaves nothing half-done. (The restart, as its own
 * process with SIGTERM, is {@link FollowRestartTest}.)
 */
class FollowTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"MARIADB", "POSTGRES"})
    void followInProcessOnMariaDbAndPostgres(Db db) throws Exception {
        long now = Instant.now().getEpochSecond();
        Path data = dir.resolve("data");
        try (NewApiLogsTable table = new NewApiLogsTable(db, dir)) {
            List<Log> all = new ArrayList<>(NewApiLogsTable.generate(new Random(41), 1, 400, now - 60, 86_400));
            table.insert(all);
            AtomicReference<ImportCommand> command = new AtomicReference<>();
            AtomicReference<Run> result = new AtomicReference<>();
            Thread running = new Thread(() -> result.set(Imports.run(command::set, "newapi", table.source, "--follow",
                    "--poll", "300ms", "--settle", "0s", "--tokenstats.data-dir=" + data)));
            running.start();
            awaitCheckpoint(data, lastConsumeId(all), null, null);
            List<Log> more = NewApiLogsTable.generate(new Random(42), 401, 250, now - 1, 1);
            table.insert(more);
            all.addAll(more);
            awaitCheckpoint(data, lastConsumeId(all), null, null);
            command.get().stop();
            running.join(60_000);
            assertThat(running.isAlive()).isFalse();
            Run run = result.get();
            assertThat(run.out()).as(run.toString()).startsWith("import stopped");
            assertThat(run.count("read")).isEqualTo(consume(all));
            NewApiImportTest.verifyStore(data, all.stream().filter(l -> l.type() == 2).toList());
        }
    }

    static long lastConsumeId(List<Log> rows) {
        return rows.stream().filter(l -> l.type() == 2).mapToLong(Log::id).max().orElseThrow();
    }

    static long consume(List<Log> rows) {
        return rows.stream().filter(l -> l.type() == 2).count();
    }

    /** Waits until the importer's checkpoint reaches log id {@code id} (its rows are stored then). */
    static void awaitCheckpoint(Path data, long id, Process child, Path log) throws Exception {
        await("the checkpoint to reach log id " + id, Duration.ofSeconds(120), () -> checkpoint(data) >= id, child, log);
    }

    static long checkpoint(Path data) {
        try (var files = Files.list(data.resolve("imports"))) {
            Path f = files.filter(p -> p.toString().endsWith(".checkpoint")).findFirst().orElse(null);
            if (f == null) {
                return -1;
            }
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(f)) {
                p.load(in);
            }
            return Long.parseLong(p.getProperty("position"));
        } catch (IOException | RuntimeException notYet) {
            return -1;
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition, Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (child != null && !child.isAlive()) {
                fail("the importer exited with " + child.exitValue() + "\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                fail("waited " + timeout.toSeconds() + " s for " + what + (log == null ? "" : "\n" + Files.readString(log)));
            }
            Thread.sleep(50);
        }
    }

    static long count(String out, String label) {
        return new Run(0, out, "").count(label);
    }
}

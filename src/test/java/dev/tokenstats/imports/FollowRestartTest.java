package dev.tokenstats.imports;

import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.imports.NewApiLogsTable.Log;
import dev.tokenstats.store.DuckDbFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.tokenstats.imports.FollowTest.awaitCheckpoint;
import static dev.tokenstats.imports.FollowTest.consume;
import static dev.tokenstats.imports.FollowTest.count;
import static dev.tokenstats.imports.FollowTest.lastConsumeId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java ... import newapi --follow} as its own process, as an operator runs it next to new-api: rows
 * written while it runs are picked up; SIGTERM stops it cleanly (the summary printed, the checkpoint saved);
 * started again it resumes at the checkpoint — nothing lost, nothing twice. The child uses the embedded
 * store (DuckDB), so this test runs once, not again on PostgreSQL.
 */
class FollowRestartTest {

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void followPicksUpNewRowsAndSurvivesItsOwnRestart() throws Exception {
        long now = Instant.now().getEpochSecond();
        Path data = dir.resolve("data");
        try (NewApiLogsTable table = new NewApiLogsTable(Db.SQLITE, dir)) {
            List<Log> all = new ArrayList<>(NewApiLogsTable.generate(new Random(31), 1, 300, now - 120, 2 * 86_400));
            table.insert(all);

            Path log1 = dir.resolve("follow-1.log");
            Process first = start(table, data, log1);
            awaitCheckpoint(data, lastConsumeId(all), first, log1);

            List<Log> whileRunning = NewApiLogsTable.generate(new Random(32), 301, 200, now - 5, 100);
            table.insert(whileRunning); // new-api keeps writing
            all.addAll(whileRunning);
            awaitCheckpoint(data, lastConsumeId(all), first, log1);

            first.destroy(); // SIGTERM
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            String out1 = Files.readString(log1);
            assertThat(out1).contains("import stopped").contains("(the next run resumes there");
            assertThat(count(out1, "read")).isEqualTo(consume(all));
            assertThat(count(out1, "duplicates")).isZero();

            List<Log> whileStopped = NewApiLogsTable.generate(new Random(33), 501, 150, now - 2, 60);
            table.insert(whileStopped);
            all.addAll(whileStopped);

            Path log2 = dir.resolve("follow-2.log");
            Process second = start(table, data, log2);
            awaitCheckpoint(data, lastConsumeId(all), second, log2);
            List<Log> afterRestart = NewApiLogsTable.generate(new Random(34), 651, 100, Instant.now().getEpochSecond() - 1, 1);
            table.insert(afterRestart);
            all.addAll(afterRestart);
            awaitCheckpoint(data, lastConsumeId(all), second, log2);
            second.destroy();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out2 = Files.readString(log2);
            assertThat(count(out2, "read")).as(out2).isEqualTo(consume(whileStopped) + consume(afterRestart));
            assertThat(count(out2, "duplicates")).isZero();

            try (DuckDbFixture db = new DuckDbFixture(data, Clock.systemUTC())) {
                NewApiImportTest.verifyStore(db.store, all.stream().filter(l -> l.type() == 2).toList());
            }
        }
    }

    private Process start(NewApiLogsTable table, Path data, Path log) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", childClasspath(), "dev.tokenstats.TokenstatsApplication", "import", "newapi", table.source,
                "--follow", "--poll", "500ms", "--settle", "0s", "--tokenstats.data-dir=" + data);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    /** The test JVM's class path without the test classes: the application and its dependencies. */
    private static String childClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}

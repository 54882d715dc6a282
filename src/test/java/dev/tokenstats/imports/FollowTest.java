package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.imports.NewApiLogsTable.Db;
import dev.tokenstats.imports.NewApiLogsTable.Log;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code import newapi --follow}: rows new-api writes while the importer runs are picked up within a poll;
 * SIGTERM stops it cleanly (the summary printed, the checkpoint saved), and started again it resumes at the
 * checkpoint — nothing lost, nothing twice. The restart test runs the importer as its own process.
 */
class FollowTest {

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

            NewApiImportTest.verifyStore(data, all.stream().filter(l -> l.type() == 2).toList());
        }
    }

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

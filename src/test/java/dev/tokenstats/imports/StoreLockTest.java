package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** About the embedded store itself (a DuckDB file is locked by the process that opened it): runs once, not on PostgreSQL. */
class StoreLockTest {

    @TempDir
    Path dir;

    /** The embedded store belongs to one process: an in-process import next to a running server says so and how to go on. */
    @Test
    void aStoreHeldByARunningServerGivesAClearError() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path file = dir.resolve("events.ndjson");
        Files.writeString(file, FileImportTest.event("n-1", System.currentTimeMillis()) + "\n");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldsStore.class.getName(),
                data.resolve("tokenstats.duckdb").toString()).redirectErrorStream(true).start();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertThat(first).startsWith("holding");
            Run run = Imports.run("ndjson", file.toString(), "--tokenstats.data-dir=" + data);
            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).contains("the store is in use by another process (process " + holder.pid() + ")")
                    .contains("--url http://127.0.0.1:8080 --key");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }
}

package dev.tokenstats.imports;

import dev.tokenstats.store.SeriesFilter;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import dev.tokenstats.store.UsageStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Runs the import command in this JVM, as {@code java -jar tokenstats.jar import ...} does, and reads what it stored. */
final class Imports {

    private Imports() {
    }

    /** What one run printed and returned. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }

        /** A number from the summary ("imported", "duplicates", ...). */
        long count(String label) {
            for (String line : out.split("\n")) {
                String l = line.strip();
                if (l.startsWith(label + " ")) {
                    return Long.parseLong(l.substring(label.length()).strip().split("\\s+")[0].replace(",", ""));
                }
            }
            throw new AssertionError("no '" + label + "' in the summary:\n" + this);
        }
    }

    /** A fresh folder, removed when the test JVM exits (after the stores in it are closed). */
    static Path tempDir(String prefix) {
        try {
            Path dir = java.nio.file.Files.createTempDirectory("tokenstats-" + prefix + "-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var paths = java.nio.file.Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException ignored) {
                    // best effort: a temp folder
                }
            }));
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Run run(String... args) {
        return run(c -> { }, args);
    }

    /** Runs the command; {@code started} gets it first (to stop it from another thread). */
    static Run run(Consumer<ImportCommand> started, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ImportCommand command = new ImportCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        started.accept(command);
        int status = command.execute(args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The store of {@code dataDir}, opened as the importer opens it (after the import closed it): the embedded
     * DuckDB file, or — in the PostgreSQL run of the tests — the PostgreSQL schema of that folder.
     */
    static ImportStore open(Path dataDir) {
        return ImportStore.open(List.of("--tokenstats.data-dir=" + dataDir));
    }

    /** Every stored event of {@code account}. */
    static List<UsageEvent> events(Path dataDir, String account) {
        try (ImportStore s = open(dataDir)) {
            return s.store().events(account, Long.MIN_VALUE / 4, Long.MAX_VALUE / 4);
        }
    }

    /** The totals the rollups (what the stats API reads) give for {@code account} over all time. */
    static Totals totals(UsageStore store, String account) {
        List<Totals> t = store.sum(SeriesFilter.all(account), new long[] {0, 60_000_000L}, false);
        return t.isEmpty() ? Totals.zero(0, null) : t.get(0);
    }
}

package dev.tokenstats.imports;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What an import did: rows read, imported, duplicates, rejected (each with its row number and reason:
 * the first ones on the terminal, all of them in the rejects file) and adjusted. Nothing is dropped
 * without a line here.
 */
final class Report {

    /** A row that was not stored, and why. */
    record Rejection(long number, String reason) {
    }

    static final int SHOWN = 20;

    private final String rowLabel;
    private final Path rejectsFile;
    private final Progress progress;
    private final long startNs = System.nanoTime();
    private long read, imported, duplicates, rejected, adjusted, firstRow = -1, lastRow = -1;
    private final Map<String, Long> reasons = new LinkedHashMap<>();
    private final Map<String, Long> adjustments = new LinkedHashMap<>();
    private BufferedWriter rejects;

    Report(String rowLabel, Path rejectsFile, Progress progress) {
        this.rowLabel = rowLabel;
        this.rejectsFile = rejectsFile;
        this.progress = progress;
    }

    synchronized void read(List<Row> rows) {
        read += rows.size();
        for (Row r : rows) {
            if (firstRow < 0) {
                firstRow = r.number();
            }
            lastRow = r.number();
        }
    }

    /** Rows that passed the checks and carry a change the mapping made. */
    synchronized void adjusted(List<Row> accepted) {
        for (Row r : accepted) {
            if (r.adjusted() != null) {
                adjusted++;
                adjustments.merge(r.adjusted(), 1L, Long::sum);
            }
        }
    }

    synchronized void rejected(List<Rejection> list) {
        for (Rejection r : list) {
            rejected++;
            for (String reason : r.reason().split("; ")) {
                reasons.merge(reason, 1L, Long::sum);
            }
            String line = rowLabel + " " + r.number() + ": " + r.reason();
            if (rejected <= SHOWN) {
                progress.println("rejected " + line);
            } else if (rejected == SHOWN + 1) {
                progress.println("(more rejected rows: all are listed in " + rejectsFile + ")");
            }
            try {
                if (rejects == null) {
                    Files.createDirectories(rejectsFile.getParent());
                    rejects = Files.newBufferedWriter(rejectsFile, StandardCharsets.UTF_8);
                }
                rejects.write(line);
                rejects.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + rejectsFile, e);
            }
        }
    }

    synchronized void stored(long accepted, long duplicates) {
        this.imported += accepted;
        this.duplicates += duplicates;
    }

    synchronized long read() {
        return read;
    }

    synchronized long imported() {
        return imported;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long rejected() {
        return rejected;
    }

    synchronized long lastRow() {
        return lastRow;
    }

    synchronized String status() {
        return String.format("imported %,d  duplicates %,d  rejected %,d", imported, duplicates, rejected);
    }

    synchronized void close() {
        if (rejects != null) {
            try {
                rejects.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rejects = null;
        }
    }

    /** The summary printed at the end. */
    synchronized String summary(String title, String resumeNote) {
        double seconds = (System.nanoTime() - startNs) / 1e9;
        StringBuilder b = new StringBuilder(title).append('\n');
        b.append(String.format("  read        %,12d rows", read));
        if (read > 0) {
            b.append(String.format("  (%ss %,d .. %,d)", rowLabel, firstRow, lastRow));
        }
        b.append('\n');
        b.append(String.format("  imported    %,12d%n", imported));
        b.append(String.format("  duplicates  %,12d   (already stored: skipped)%n", duplicates));
        b.append(String.format("  rejected    %,12d%s%n", rejected, rejected == 0 ? "" : "   (every one listed in " + rejectsFile + ")"));
        reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> b.append(String.format("    %,10d  %s%n", e.getValue(), e.getKey())));
        if (reasons.keySet().stream().anyMatch(r -> r.startsWith("time: is older than"))) {
            b.append("    (history older than the lateness limit needs an ingest key with backfill (TOKENSTATS_BACKFILL_KEY on the"
                    + " server) or an in-process import (--tokenstats.data-dir); then run again with --restart)\n");
        }
        if (adjusted > 0) {
            b.append(String.format("  adjusted    %,12d   (stored, with a change)%n", adjusted));
            adjustments.forEach((k, v) -> b.append(String.format("    %,10d  %s%n", v, k)));
        }
        b.append(String.format("  time        %12.1f s   %,.0f rows/s", seconds, read / Math.max(seconds, 1e-3)));
        if (resumeNote != null) {
            b.append('\n').append("  ").append(resumeNote);
        }
        return b.toString();
    }

    static String reason(List<String> problems) {
        return problems.stream().collect(Collectors.joining("; "));
    }
}

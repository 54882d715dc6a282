package dev.tokenstats.imports;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * The progress line on stderr: on a terminal a bar redrawn in place (rows, rate, ETA); otherwise a plain
 * line every few seconds, so logs of scheduled imports stay readable.
 */
final class Progress {

    private static final long TTY_EVERY_NS = 200_000_000L;
    private static final long PLAIN_EVERY_NS = 5_000_000_000L;
    private static final long RATE_WINDOW_NS = 5_000_000_000L;
    private static final int WIDTH = 28;

    private final PrintStream err;
    private final boolean tty;
    private final long startNs = System.nanoTime();
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanos, rows, units}
    private long lastDrawNs;
    private boolean drawn;
    private long drawnRows = -1, drawnPosition = -1;
    private long rows, position, startPosition, total = -1;
    private String status = "";

    Progress(PrintStream err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    /** Whether stderr is a terminal (Linux: where fd 2 points; elsewhere: whether there is a console). */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            Path fd2 = Path.of("/proc/self/fd/2");
            if (Files.exists(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (Exception e) {
            // fall through
        }
        return System.console() != null;
    }

    synchronized void start(long startPosition, long total) {
        this.startPosition = startPosition;
        this.position = startPosition;
        this.total = total;
        samples.clear();
        samples.addLast(new long[] {System.nanoTime(), 0, startPosition});
    }

    synchronized void total(long total) {
        this.total = total;
    }

    /** {@code rows} done so far, at {@code position} (bytes or log ids) of {@code total}. */
    synchronized void update(long rows, long position, String status) {
        this.rows = rows;
        this.position = position;
        this.status = status == null ? "" : status;
        long now = System.nanoTime();
        samples.addLast(new long[] {now, rows, position});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NS) {
            samples.removeFirst();
        }
        if (now - lastDrawNs >= (tty ? TTY_EVERY_NS : PLAIN_EVERY_NS)) {
            draw(now);
        }
    }

    /** Prints a line above the bar (a rejected row, a notice). */
    synchronized void println(String line) {
        if (tty && drawn) {
            err.print("\r\033[K");
        }
        err.println(line);
        if (tty && drawn) {
            draw(System.nanoTime());
        }
    }

    /** Ends the bar (its last state stays on screen). */
    synchronized void finish() {
        if (tty || drawnRows != rows || drawnPosition != position) {
            draw(System.nanoTime());
        }
        if (tty && drawn) {
            err.println();
        }
        drawn = false;
    }

    private void draw(long now) {
        lastDrawNs = now;
        drawnRows = rows;
        drawnPosition = position;
        long[] first = samples.isEmpty() ? new long[] {startNs, 0, startPosition} : samples.peekFirst();
        double seconds = Math.max(1e-3, (now - first[0]) / 1e9);
        double rowRate = (rows - first[1]) / seconds;
        double unitRate = (position - first[2]) / seconds;
        StringBuilder b = new StringBuilder();
        double fraction = -1;
        if (total > startPosition) {
            fraction = Math.max(0, Math.min(1, (position - startPosition) / (double) (total - startPosition)));
        } else if (total >= 0 && total <= startPosition) {
            fraction = 1;
        }
        if (tty) {
            b.append("\r\033[K");
            if (fraction >= 0) {
                int full = (int) Math.round(fraction * WIDTH);
                b.append('[').append("#".repeat(full)).append(".".repeat(WIDTH - full)).append("] ");
            }
        } else {
            b.append("import: ");
        }
        if (fraction >= 0) {
            b.append(String.format("%5.1f%%  ", fraction * 100));
        }
        b.append(String.format("%,d rows  %,.0f rows/s", rows, rowRate));
        if (fraction >= 0 && fraction < 1 && unitRate > 0) {
            b.append("  ETA ").append(clock((long) ((total - position) / unitRate)));
        }
        if (!status.isEmpty()) {
            b.append("  ").append(status);
        }
        if (tty) {
            err.print(b);
        } else {
            err.println(b);
        }
        err.flush();
        drawn = true;
    }

    static String clock(long seconds) {
        return String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}

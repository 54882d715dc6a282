package dev.tokenstats.imports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text file read line by line (CSV, NDJSON, the Azure trace): rows are numbered by their line, the
 * checkpoint is the next line and its byte offset, and the progress unit is bytes.
 */
abstract class FileSource implements Source {

    protected final Path file;
    protected final LineReader lines;
    protected final Progress progress;
    private long start;

    FileSource(Path file, Progress progress) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        this.file = file.toAbsolutePath().normalize();
        this.lines = new LineReader(this.file);
        this.progress = progress;
    }

    @Override
    public String identity() {
        return file.toString();
    }

    @Override
    public String rowLabel() {
        return "line";
    }

    /** Reads what comes before the rows (a header), at the start of the file. */
    protected void readHeader() throws IOException {
    }

    /** The row a line stands for, or {@code null} for a line that is no row (blank). */
    protected abstract Row row(String line, long number) throws IOException;

    /** What else a checkpoint keeps (e.g. the time shift chosen on the first run). */
    protected Map<String, String> extra() {
        return Map.of();
    }

    protected void restore(Map<String, String> extra) {
    }

    @Override
    public void resume(String checkpoint) throws IOException {
        readHeader();
        if (checkpoint == null) {
            start = lines.offset();
            return;
        }
        FilePosition p = FilePosition.decode(checkpoint);
        if (p.fits(file)) {
            if (p.offset() > lines.offset()) {
                lines.seek(p.offset(), p.nextLine());
            }
            restore(p.extra());
            if (p.offset() > 0) {
                progress.println("resuming " + file.getFileName() + " at line " + p.nextLine()
                        + " (from the checkpoint; --restart reads it from the start)");
            }
        } else {
            progress.println(file.getFileName() + " changed since the checkpoint: reading it from the start"
                    + " (rows already stored are skipped as duplicates)");
        }
        start = lines.offset();
    }

    @Override
    public Batch next(int maxRows) throws IOException {
        List<Row> rows = new ArrayList<>(Math.min(maxRows, 1 << 14));
        long bytes = 0;
        String line;
        while ((rows.isEmpty() || rows.size() < maxRows && bytes < 8 << 20) && (line = lines.next()) != null) {
            bytes += line.length();
            Row r = row(line, lines.lineNumber());
            if (r != null) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        Map<String, String> extra = new LinkedHashMap<>(extra());
        FilePosition p = new FilePosition(lines.lineNumber() + 1, lines.offset(), FilePosition.head(file, lines.offset()), extra);
        return new Batch(rows, p.encode(), lines.offset());
    }

    @Override
    public long total() throws IOException {
        return lines.size();
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}

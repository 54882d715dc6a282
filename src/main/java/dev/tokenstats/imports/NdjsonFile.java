package dev.tokenstats.imports;

import java.io.IOException;
import java.nio.file.Path;

/** NDJSON in tokenstats' own event format: one event object per line, as {@code POST /api/v1/events} takes it. */
final class NdjsonFile extends FileSource {

    NdjsonFile(Path file, Progress progress) throws IOException {
        super(file, progress);
    }

    @Override
    protected Row row(String line, long number) {
        return line.isBlank() ? null : Row.event(number, line.strip());
    }
}

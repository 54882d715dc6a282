package dev.tokenstats.imports;

import java.util.List;

/**
 * Rows read together, with the source position after them ({@code checkpoint}: where a later run resumes
 * once these rows and all before them are stored) and the progress made ({@code progress}, in the
 * source's units: bytes or log ids).
 */
record Batch(List<Row> rows, String checkpoint, long progress) {
}

package dev.tokenstats.imports;

import dev.tokenstats.imports.Report.Rejection;

import java.util.List;

/** Where checked events go: this process's store, or a running server's ingestion API. */
interface Destination extends AutoCloseable {

    /** What is written to, without secrets (part of the checkpoint's key, and shown). */
    String identity();

    /**
     * Stores the checked events durably (blocking), all or none of each call; may be called from several
     * threads at once.
     */
    Outcome write(Validation.Checked checked) throws Exception;

    /** What a write stored, and the rows the destination itself refused. */
    record Outcome(long accepted, long duplicates, List<Rejection> rejected) {
    }

    @Override
    void close() throws Exception;
}

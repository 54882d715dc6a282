package dev.tokenstats.imports;

/** Where rows come from: a file or a database table, read in order, resumable at a checkpoint. */
interface Source extends AutoCloseable {

    /** What is read, without secrets (part of the checkpoint's key, and shown). */
    String identity();

    /** What a row number is called in reports: "line" or "log id". */
    String rowLabel();

    /** Continues after {@code checkpoint} (from an earlier run); {@code null}: from the start. */
    void resume(String checkpoint) throws Exception;

    /** Up to {@code maxRows} more rows, or {@code null} when there are none (for now). */
    Batch next(int maxRows) throws Exception;

    /** The size of the work in progress units (bytes, log ids), or -1 when unknown; may grow. */
    long total() throws Exception;

    /** The progress position the import started at (after a resumed checkpoint). */
    long start();

    /** Whether {@code --follow} makes sense (a table that keeps growing). */
    default boolean followable() {
        return false;
    }

    @Override
    void close() throws Exception;
}

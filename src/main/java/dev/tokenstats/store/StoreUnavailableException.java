package dev.tokenstats.store;

/** The store could not durably complete an operation (disk full, database unreachable, shutting down). Nothing was written. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

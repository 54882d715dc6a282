package dev.tokenstats.imports;

/** The import cannot go on (the message says why and what to do); rows stored so far stay stored. */
final class ImportFailure extends RuntimeException {
    ImportFailure(String message) {
        super(message);
    }

    ImportFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

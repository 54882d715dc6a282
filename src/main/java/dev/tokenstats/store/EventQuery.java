package dev.tokenstats.store;

/**
 * A page of raw events of one account, newest first: those in [fromMillis, toMillis) matching
 * {@code filter}, strictly older than the cursor ({@code beforeMillis}, {@code beforeId}) when one is
 * given (keyset pagination: time descending, then id descending), at most {@code limit}.
 */
public record EventQuery(SeriesFilter filter, long fromMillis, long toMillis, Long beforeMillis, String beforeId, int limit) {

    public EventQuery {
        if ((beforeMillis == null) != (beforeId == null)) {
            throw new IllegalArgumentException("a cursor has both a time and an id");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }
}

package dev.tokenstats.store;

/** What one atomic append stored: {@code accepted} new events and {@code duplicates} skipped. */
public record AppendResult(int accepted, int duplicates) {
}
